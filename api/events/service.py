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
from api.events.documents import Event, check_event_name

IN_TIME_ORDER = Ordering(field="timestamp", attr="timestamp", kind="date", descending=False)
NEWEST_FIRST = Ordering(field="timestamp", attr="timestamp", kind="date", descending=True)
MAX_PAGES_IN_FILTER = 50
MAX_NAMES_IN_FILTER = 50


def check_names(where: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """Event names to filter by: each a valid name, a bounded number of them."""
    if len(names) > MAX_NAMES_IN_FILTER:
        raise InputError(where, f"at most {MAX_NAMES_IN_FILTER} names")
    for name in names:
        try:
            check_event_name(name)
        except ValueError as error:
            raise InputError(where, str(error)) from None
    return names


async def session_events(
    session_id: PydanticObjectId, names: tuple[str, ...], window: Window
) -> Page[Event]:
    query: dict[str, object] = {"sessionId": session_id}
    if check_names("names", names):
        query = all_of(query, {"type": {"$in": list(names)}})
    return await paginate(Event, query, IN_TIME_ORDER, window, scope="session.events")


@dataclass(frozen=True)
class EventFilter:
    names: tuple[str, ...] = ()  # event names (stored as type)
    pages: tuple[str, ...] = ()
    customer_id: PydanticObjectId | None = None
    time: TimeRange | None = None


async def find_events(where: EventFilter, window: Window, newest_first: bool = True) -> Page[Event]:
    if len(where.pages) > MAX_PAGES_IN_FILTER:
        raise InputError("filter.pages", f"at most {MAX_PAGES_IN_FILTER} pages")
    clauses: list[dict[str, Any]] = []
    if where.customer_id is not None:
        clauses.append({"customerId": where.customer_id})
    if check_names("filter.names", where.names):
        clauses.append({"type": {"$in": list(where.names)}})
    if where.pages:
        clauses.append({"page": {"$in": list(where.pages)}})
    if where.time is not None:
        clauses.append(where.time.mongo("timestamp"))
    ordering = NEWEST_FIRST if newest_first else IN_TIME_ORDER
    return await paginate(Event, all_of(*clauses), ordering, window, scope="events")
