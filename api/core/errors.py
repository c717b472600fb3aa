"""Errors the services raise; the GraphQL layer turns them into error codes."""

from __future__ import annotations


class InputError(ValueError):
    """The caller sent something unusable; ``argument`` names what was wrong."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument
        self.reason = message
