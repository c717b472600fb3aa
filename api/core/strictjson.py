"""JSON as the standard defines it, read from what a client sent: the one
parser of request bodies, GraphQL's and ``/v1/track``'s, and of imported lines."""

from __future__ import annotations

import json
from typing import Any


class TooDeepError(ValueError):
    """The text nests deeper than the parser's stack."""


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def loads(text: str | bytes) -> Any:
    """``text`` parsed; ValueError when it is not JSON, TooDeepError among them.

    NaN and Infinity, which Python's parser takes, are not JSON; bytes that are
    not UTF-8 are a ValueError too (UnicodeDecodeError), and nesting past the
    parser's stack, a RecursionError that would escape as a 500, is TooDeepError."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise TooDeepError("nested too deeply") from None
