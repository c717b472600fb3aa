"""Errors the services raise, and the codes every answer names them by
(``extensions.code`` in GraphQL, ``error.code`` elsewhere)."""

from __future__ import annotations

from enum import StrEnum

# How long a client should wait when the database is away: about the time a
# replica set takes to elect a new primary.
RETRY_AFTER_SECONDS = 5


class Code(StrEnum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    RATE_LIMITED = "RATE_LIMITED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"


class InputError(ValueError):
    """The caller sent something unusable; ``argument`` names what was wrong."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument
        self.reason = message


class TooComplexError(ValueError):
    """The caller asked for more than a limit allows; ``limit`` names which."""

    def __init__(self, limit: str, maximum: int, actual: int, message: str) -> None:
        super().__init__(f"{message} exceeds the limit of {maximum:,} by {actual - maximum:,}")
        self.limit, self.maximum, self.actual = limit, maximum, actual
