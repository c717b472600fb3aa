"""Keyset (cursor) pagination over a MongoDB collection.

Every page is one range query on an index of ``(sort key, _id)`` that reads
``size + 1`` documents, so page 1000 costs what page 1 costs. The cursor encodes
the sort key and id of a document plus a fingerprint of the query it came
from, so a cursor handed to a different query is refused rather than silently
misread.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from beanie import Document, SortDirection
from bson import ObjectId, json_util

from api.core.errors import InputError
from api.db.filters import all_of

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

KeyKind = Literal["date", "str", "int"]
D = TypeVar("D", bound=Document)


@dataclass(frozen=True)
class Ordering:
    """Sort by one field, then by ``_id`` in the same direction (a total order)."""

    field: str  # the stored (MongoDB) field name
    attr: str  # the document attribute holding it
    kind: KeyKind
    descending: bool

    def mongo_sort(self, reverse: bool = False) -> list[tuple[str, SortDirection]]:
        descending = self.descending != reverse
        direction = SortDirection.DESCENDING if descending else SortDirection.ASCENDING
        return [(self.field, direction), ("_id", direction)]


@dataclass(frozen=True)
class Window:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


def _check_size(name: str, value: int | None) -> None:
    if value is None:
        return
    if value < 0:
        raise InputError(name, "must not be negative")
    if value > MAX_PAGE_SIZE:
        raise InputError(name, f"must be at most {MAX_PAGE_SIZE}, got {value}")


def _encode_value(kind: KeyKind, value: Any) -> Any:
    if kind == "date":
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000)
    return value


def _decode_value(kind: KeyKind, value: Any) -> Any:
    # Type checks matter: a decoded cursor must never carry an operator or a
    # value of another type into a filter.
    if kind == "date" and isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("bad key")


def fingerprint(scope: str, ordering: Ordering, query: dict[str, Any]) -> str:
    text = json_util.dumps([scope, ordering.field, ordering.descending, query], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def encode_cursor(signature: str, ordering: Ordering, document: Document) -> str:
    key = _encode_value(ordering.kind, getattr(document, ordering.attr))
    raw = json.dumps([signature, key, str(document.id)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(
    argument: str, cursor: str, signature: str, ordering: Ordering
) -> tuple[Any, ObjectId]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, key, ident = json.loads(raw)
    except (ValueError, TypeError) as error:
        raise InputError(argument, "is not a valid cursor") from error
    if stamp != signature:
        raise InputError(
            argument, "is a cursor from a different query (other list, order or filter)"
        )
    try:
        value = _decode_value(ordering.kind, key)
        if not isinstance(ident, str) or not ObjectId.is_valid(ident):
            raise ValueError("bad id")
    except ValueError as error:
        raise InputError(argument, "is not a valid cursor") from error
    return value, ObjectId(ident)


def _beyond(
    ordering: Ordering, value: Any, ident: ObjectId, forward: bool, inclusive: bool
) -> dict[str, Any]:
    """Documents after (``forward``) or before the key ``(value, ident)`` in the ordering."""
    ascending = (not ordering.descending) == forward
    strict = "$gt" if ascending else "$lt"
    tie = strict + ("e" if inclusive else "")
    return {
        "$or": [{ordering.field: {strict: value}}, {ordering.field: value, "_id": {tie: ident}}]
    }


@dataclass
class Page(Generic[D]):
    items: list[D]
    cursors: list[str]
    has_next: Callable[[], Awaitable[bool]]
    has_previous: Callable[[], Awaitable[bool]]
    total: Callable[[], Awaitable[int]]


async def _known(value: bool) -> bool:
    return value


async def paginate(
    document: type[D],
    query: dict[str, Any],
    ordering: Ordering,
    window: Window,
    scope: str,
) -> Page[D]:
    """One page of ``document`` matching ``query`` in ``ordering``.

    ``hasPreviousPage`` (going forward) and ``hasNextPage`` (going backward)
    cost one extra ``limit 1`` query each, run only when asked for.
    """
    _check_size("first", window.first)
    _check_size("last", window.last)
    if window.first is not None and window.last is not None:
        raise InputError("last", "pass either first or last, not both")
    signature = fingerprint(scope, ordering, query)
    after = (
        decode_cursor("after", window.after, signature, ordering)
        if window.after is not None
        else None
    )
    before = (
        decode_cursor("before", window.before, signature, ordering)
        if window.before is not None
        else None
    )

    forward = window.last is None
    size = window.first if forward else window.last
    if size is None:
        size = DEFAULT_PAGE_SIZE
    bounds = all_of(
        _beyond(ordering, *after, forward=True, inclusive=False) if after else {},
        _beyond(ordering, *before, forward=False, inclusive=False) if before else {},
    )
    rows: list[D] = []
    if size:
        rows = await (
            document.find(all_of(query, bounds))
            .sort(ordering.mongo_sort(reverse=not forward))
            .limit(size + 1)
            .to_list()
        )
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()

    async def exists_beyond(key: tuple[Any, ObjectId] | None, ahead: bool) -> bool:
        # Is there a document at or beyond the cursor we were given, on the far side?
        if key is None:
            return False
        far_side = _beyond(ordering, *key, forward=ahead, inclusive=True)
        collection = document.get_pymongo_collection()
        return await collection.find_one(all_of(query, far_side), {"_id": 1}) is not None

    async def total() -> int:
        return await document.find(query).count()

    if forward:
        has_next = lambda: _known(more)  # noqa: E731
        has_previous = lambda: exists_beyond(after, ahead=False)  # noqa: E731
    else:
        has_previous = lambda: _known(more)  # noqa: E731
        has_next = lambda: exists_beyond(before, ahead=True)  # noqa: E731
    return Page(
        items=rows,
        cursors=[encode_cursor(signature, ordering, row) for row in rows],
        has_next=has_next,
        has_previous=has_previous,
        total=total,
    )
