"""Strings the database can keep: checked wherever a client's text comes in."""

from __future__ import annotations


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored or answered as a string, else None.

    BSON and UTF-8 responses cannot carry a lone surrogate (JSON's ``"\\ud800"``
    escape makes one), and FerretDB on PostgreSQL refuses NUL; MongoDB keeps
    NUL, but a value one of our databases refuses is refused on all of them."""
    if "\x00" in value:
        return "contains NUL"
    try:
        value.encode()
    except UnicodeEncodeError:
        return "is not valid Unicode (lone surrogate)"
    return None


def encodable(value: object) -> str | None:
    """``value`` if it is a string that can be echoed in an answer, else None."""
    if not isinstance(value, str):
        return None
    try:
        value.encode()
    except UnicodeEncodeError:
        return None
    return value
