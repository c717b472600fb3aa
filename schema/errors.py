"""Every GraphQL error leaves with ``extensions.code`` and never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from enum import StrEnum

from graphql import GraphQLError
from pymongo.errors import AutoReconnect, ConnectionFailure, ServerSelectionTimeoutError
from strawberry.extensions import SchemaExtension

from api.errors import InputError
from api.guard import RETRY_AFTER_SECONDS
from api.ratelimit import RateLimitedError

log = logging.getLogger("api.graphql")


class Code(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    RATE_LIMITED = "RATE_LIMITED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


_UNAVAILABLE = (ServerSelectionTimeoutError, ConnectionFailure, AutoReconnect)


def _classify(error: GraphQLError) -> GraphQLError:
    if error.extensions and "code" in error.extensions:
        return error
    original = error.original_error
    extensions = dict(error.extensions or {})
    # Coercion, parse and validation errors have no original error of ours:
    # the client sent a document or variables that do not fit the schema.
    if original is None or isinstance(original, GraphQLError):
        code, message = Code.BAD_USER_INPUT, error.message
    elif isinstance(original, InputError):
        code, message = Code.BAD_USER_INPUT, str(original)
    elif isinstance(original, RateLimitedError):
        code, message = Code.RATE_LIMITED, str(original)
        extensions["retryAfter"] = original.retry_after
    elif isinstance(original, _UNAVAILABLE):
        log.warning("database unavailable: %s", original)
        code, message = Code.SERVICE_UNAVAILABLE, "the database is unavailable, retry shortly"
    else:
        log.error("unexpected error in %s", error.path, exc_info=original)
        code, message = Code.INTERNAL_SERVER_ERROR, "internal server error"
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**extensions, "code": code.value},
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_classify(error) for error in result.errors]
            _ask_to_retry(self.execution_context.context, result.errors, result.data is None)


def _code(error: GraphQLError) -> str | None:
    return (error.extensions or {}).get("code")


# The errors a client should retry after a while, and the status their answer
# takes when nothing else could be answered.
_RETRY_STATUS = {Code.SERVICE_UNAVAILABLE: 503, Code.RATE_LIMITED: 429}


def _ask_to_retry(context: object, errors: list[GraphQLError], whole: bool) -> None:
    """The same answer as an outage or a rate limit met before execution
    (api/guard.py): Retry-After, and 503 or 429 when nothing could be answered.
    With partial data the status stays 200, as GraphQL over HTTP has it, but
    clients still learn when to retry."""
    response = getattr(context, "response", None)
    retrying = [error for error in errors if _code(error) in _RETRY_STATUS]
    if response is None or not retrying:  # without HTTP (schema.execute in a script)
        return
    wait = max(
        (error.extensions or {}).get("retryAfter", RETRY_AFTER_SECONDS) for error in retrying
    )
    response.headers["Retry-After"] = str(wait)
    if whole:
        # An outage outranks a rate limit: waiting out the limit would not help.
        codes = {_code(error) for error in retrying}
        response.status_code = 503 if Code.SERVICE_UNAVAILABLE in codes else 429
