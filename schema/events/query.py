"""Root Query fields of the events domain."""

from __future__ import annotations

import strawberry

from api.auth.roles import Permission
from api.db.pagination import Window
from api.events.service import EventFilter, find_events
from schema.authz import Needs
from schema.connections import Connection, paged, to_connection
from schema.events.types import Event, EventFilterInput
from schema.nodes import by_id


@strawberry.type
class EventQuery:
    event = by_id(
        Event, "An event by global id; null when unknown.", extensions=[Needs(Permission.READ)]
    )

    @strawberry.field(
        description=(
            "Raw events across customers, newest first unless oldestFirst (analysts and admins)."
        ),
        extensions=[Needs(Permission.RAW_EVENTS)],
    )
    @paged
    async def events(
        self,
        filter: EventFilterInput | None = None,
        oldest_first: bool = False,
        *,
        window: Window,
    ) -> Connection[Event]:
        page = await find_events(
            filter.to_filter() if filter else EventFilter(),
            window,
            newest_first=not oldest_first,
        )
        return to_connection(page, Event.from_document)
