"""The events of a session, in the order they happened."""

from __future__ import annotations

from beanie import PydanticObjectId

from api.events.documents import Event, EventType
from api.filters import all_of
from api.pagination import Ordering, Page, Window, paginate

IN_TIME_ORDER = Ordering(field="timestamp", attr="timestamp", kind="date", descending=False)


async def session_events(
    session_id: PydanticObjectId, types: tuple[EventType, ...], window: Window
) -> Page[Event]:
    query: dict[str, object] = {"sessionId": session_id}
    if types:
        query = all_of(query, {"type": {"$in": [kind.value for kind in types]}})
    return await paginate(Event, query, IN_TIME_ORDER, window, scope="session.events")
