"""Every GraphQL error leaves with ``extensions.code`` and never a stack trace,
echoes at most a bounded part of the client's input, and tells a caller who may
not introspect no names of the schema by way of "Did you mean" suggestions."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, validate
from pymongo.errors import AutoReconnect, ConnectionFailure, ServerSelectionTimeoutError
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from api.core.errors import RETRY_AFTER_SECONDS, Code, InputError, TooComplexError
from api.ratelimit.service import RateLimitedError

log = logging.getLogger("api.graphql")


_UNAVAILABLE = (ServerSelectionTimeoutError, ConnectionFailure, AutoReconnect)

# What an error message may echo of the client's input: a name or value of up
# to ECHO_CHARS characters (GraphQL's own messages quote them whole, however
# long), and the message as a whole up to MESSAGE_CHARS.
ECHO_CHARS = 100
MESSAGE_CHARS = 1000
_LONG_WORD = re.compile(rf"\S{{{ECHO_CHARS + 1},}}")
# Closing quotes and punctuation after an echoed name, kept after the cut.
_CLOSING = "'\".,;:!?)]}"


def _cut(match: re.Match[str]) -> str:
    word = match.group()
    closing = word[len(word.rstrip(_CLOSING)) :][-3:]
    return f"{word[:ECHO_CHARS]}…{closing}"


def bounded(message: str) -> str:
    """``message`` with every word longer than ECHO_CHARS cut there, with an ellipsis."""
    message = _LONG_WORD.sub(_cut, message)
    return message if len(message) <= MESSAGE_CHARS else f"{message[:MESSAGE_CHARS]}…"


# What GraphQL's own messages quote: names ('Customer', 'Query.customer(id:)',
# '[ID!]!') and values, with no space inside.
_QUOTED = re.compile(r"'[^'\s]+'")
_WORD = re.compile(r"[_A-Za-z]\w*")
# Names every GraphQL schema has: telling them tells nothing.
_PUBLIC = frozenset(
    {"Query", "Mutation", "Subscription", "String", "Int", "Float", "Boolean", "ID"}
)
HIDDEN = "?"


def sent_words(query: str | None, operation_name: object, variables: object) -> frozenset[str]:
    """Every name-like word of the request: what its errors may name back."""
    words = set(_WORD.findall(query or ""))
    stack = [operation_name, variables]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            words.update(_WORD.findall(value))
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return frozenset(words)


def undisclosed(message: str, sent: frozenset[str]) -> str:
    """``message`` with each name it quotes that the request did not hold as ``?``:
    "Cannot query field 'nme' on type '?'"."""

    def hide_word(match: re.Match[str]) -> str:
        word = match.group()
        return word if word in sent or word in _PUBLIC else HIDDEN

    return _QUOTED.sub(lambda quoted: _WORD.sub(hide_word, quoted.group()), message)


def may_learn_schema(context: Any) -> bool:
    """Whether the caller may introspect, and so be told the schema's names.

    Staff only (a role: not anonymous, not a website's write key, which is
    public in the website's pages), and only where introspection is on."""
    principal = getattr(context, "principal", None)
    settings = getattr(context, "settings", None)
    return bool(
        settings is not None
        and settings.introspection_enabled
        and principal is not None
        and principal.role is not None
    )


def _classify(error: GraphQLError, sent: frozenset[str] | None) -> GraphQLError:
    """``sent``: the request's words, when the caller may not learn the schema."""
    if error.extensions and "code" in error.extensions:
        if len(error.message) <= ECHO_CHARS:
            return error
        return _with(error, error.extensions["code"], bounded(error.message))
    original = error.original_error
    extra: dict[str, Any] = {}
    # Coercion, parse and validation errors have no original error of ours:
    # the client sent a document or variables that do not fit the schema.
    if original is None or isinstance(original, GraphQLError):
        message = error.message if sent is None else undisclosed(error.message, sent)
        code, message = Code.BAD_USER_INPUT, bounded(message)
    elif isinstance(original, InputError):
        code, message = Code.BAD_USER_INPUT, bounded(str(original))
    elif isinstance(original, TooComplexError):
        code, message = Code.QUERY_TOO_COMPLEX, bounded(str(original))
        extra = {"limit": original.limit, "maximum": original.maximum, "actual": original.actual}
    elif isinstance(original, RateLimitedError):
        code, message = Code.RATE_LIMITED, bounded(str(original))
        extra["retryAfter"] = original.retry_after
    elif error.path is None and isinstance(original, ValueError):
        # A scalar refusing a literal while validating (an Int of 19,000
        # digits, more than Python parses): the client's, as nothing ran.
        code, message = Code.BAD_USER_INPUT, bounded(str(original))
    elif isinstance(original, _UNAVAILABLE):
        log.warning("database unavailable: %s", original)
        code, message = Code.SERVICE_UNAVAILABLE, "the database is unavailable, retry shortly"
    else:
        log.error("unexpected error in %s", error.path, exc_info=original)
        code, message = Code.INTERNAL_SERVER_ERROR, "internal server error"
    return _with(error, code.value, message, extra)


def _with(
    error: GraphQLError, code: str, message: str, extra: dict[str, Any] | None = None
) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions={**(error.extensions or {}), **(extra or {}), "code": code},
    )


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        result = context.result
        if result is not None and result.errors:
            sent = None
            if not may_learn_schema(context.context):
                sent = sent_words(context.query, context.operation_name, context.variables)
            result.errors = [_classify(error, sent) for error in result.errors]
            _ask_to_retry(context.context, result.errors, result.data is None)


class HiddenSuggestions(SchemaExtension):
    """Validates without "Did you mean" for a caller who may not introspect.

    Validation is GraphQL's, with its rules; it is only run here, before
    Strawberry would, to pass ``hide_suggestions`` (errors found before
    validation make Strawberry skip its own). Variables are coerced without
    suggestions by the schema's execution context (schema/__init__.py)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        # None: no extension refused the operation, and no validation ran yet.
        if (
            context.pre_execution_errors is None
            and context.graphql_document is not None
            and context.validation_rules
            and not may_learn_schema(context.context)
        ):
            rules = (*context.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule)
            context.pre_execution_errors = validate(
                context.schema._schema, context.graphql_document, rules, hide_suggestions=True
            )
        yield


def _code(error: GraphQLError) -> str | None:
    return (error.extensions or {}).get("code")


# The errors a client should retry after a while, and the status their answer
# takes when nothing else could be answered.
_RETRY_STATUS = {Code.SERVICE_UNAVAILABLE: 503, Code.RATE_LIMITED: 429}


def _ask_to_retry(context: object, errors: list[GraphQLError], whole: bool) -> None:
    """The same answer as an outage or a rate limit met before execution
    (api/server/readiness.py, ratelimit.py): Retry-After, and 503 or 429 when
    nothing could be answered. With partial data the status stays 200, as
    GraphQL over HTTP has it, but clients still learn when to retry."""
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
