"""Root Query fields of the events domain."""

from __future__ import annotations

import strawberry

from api.auth.roles import Permission
from api.db.pagination import Window
from api.events.service import EventFilter, find_events
from schema.authz import Needs
from schema.connections import Connection, paged, to_connection
from schema.context import Info
from schema.events.types import Event, EventFilterInput
from schema.nodes import load_node


@strawberry.type
class EventQuery:
    @strawberry.field(
        description="An event by global id; null when unknown.",
        extensions=[Needs(Permission.READ)],
    )
    async def event(self, info: Info, id: strawberry.ID) -> Event | None:
        return await load_node(info, "id", id, "Event")

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
