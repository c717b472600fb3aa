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
    # Coercion, parse and validation errors have no original error of ours:
    # the client sent a document or variables that do not fit the schema.
    if original is None or isinstance(original, GraphQLError):
        code, message = Code.BAD_USER_INPUT, error.message
    elif isinstance(original, InputError):
        code, message = Code.BAD_USER_INPUT, str(original)
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
        extensions={**(error.extensions or {}), "code": code.value},
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_classify(error) for error in result.errors]
            if any(_code(error) == Code.SERVICE_UNAVAILABLE for error in result.errors):
                _ask_to_retry(self.execution_context.context, whole=result.data is None)


def _code(error: GraphQLError) -> str | None:
    return (error.extensions or {}).get("code")


def _ask_to_retry(context: object, whole: bool) -> None:
    """The same answer as an outage caught before execution (api/guard.py):
    Retry-After, and 503 when nothing could be answered. With partial data the
    status stays 200, as GraphQL over HTTP has it, but clients still learn when
    to retry."""
    response = getattr(context, "response", None)
    if response is None:  # executed without HTTP (schema.execute in a script)
        return
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if whole:
        response.status_code = 503
