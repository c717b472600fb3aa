"""Events: those of a session in the order they happened, and analysts' event
queries across customers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from beanie import PydanticObjectId

from api.core.errors import InputError
from api.core.timerange import TimeRange
from api.db.filters import all_of
from api.db.pagination import Ordering, Page, Window, paginate
from api.events.documents import Event, EventType

IN_TIME_ORDER = Ordering(field="timestamp", attr="timestamp", kind="date", descending=False)
NEWEST_FIRST = Ordering(field="timestamp", attr="timestamp", kind="date", descending=True)
MAX_PAGES_IN_FILTER = 50


async def session_events(
    session_id: PydanticObjectId, types: tuple[EventType, ...], window: Window
) -> Page[Event]:
    query: dict[str, object] = {"sessionId": session_id}
    if types:
        query = all_of(query, {"type": {"$in": [kind.value for kind in types]}})
    return await paginate(Event, query, IN_TIME_ORDER, window, scope="session.events")


@dataclass(frozen=True)
class EventFilter:
    types: tuple[EventType, ...] = ()
    pages: tuple[str, ...] = ()
    customer_id: PydanticObjectId | None = None
    time: TimeRange | None = None


async def find_events(where: EventFilter, window: Window, newest_first: bool = True) -> Page[Event]:
    if len(where.pages) > MAX_PAGES_IN_FILTER:
        raise InputError("filter.pages", f"at most {MAX_PAGES_IN_FILTER} pages")
    clauses: list[dict[str, Any]] = []
    if where.customer_id is not None:
        clauses.append({"customerId": where.customer_id})
    if where.types:
        clauses.append({"type": {"$in": [kind.value for kind in where.types]}})
    if where.pages:
        clauses.append({"page": {"$in": list(where.pages)}})
    if where.time is not None:
        clauses.append(where.time.mongo("timestamp"))
    ordering = NEWEST_FIRST if newest_first else IN_TIME_ORDER
    return await paginate(Event, all_of(*clauses), ordering, window, scope="events")
