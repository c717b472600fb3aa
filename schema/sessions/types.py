"""GraphQL types of the sessions domain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import strawberry
from beanie import PydanticObjectId
from strawberry import relay

from api.auth.roles import Permission
from api.core.timerange import TimeRange
from api.db.pagination import Window
from api.events.service import session_events
from api.sessions import documents
from api.sessions.service import SessionFilter, is_active
from schema.authz import needs
from schema.connections import Connection, paged, to_connection
from schema.context import Info
from schema.customers.types import customer_of
from schema.events import EventType
from schema.nodes import DocumentNode, to_node

if TYPE_CHECKING:
    from schema.events.types import Event

# Events import this module: their type is named here lazily.
LazyEvent = Annotated["Event", strawberry.lazy("schema.events.types")]


@strawberry.input(description="Narrows a customer's sessions.")
class SessionFilterInput:
    from_: datetime | None = strawberry.field(
        name="from", default=None, description="Sessions started at or after this time."
    )
    to: datetime | None = strawberry.field(default=None, description="Started before this time.")
    device: str | None = strawberry.field(default=None, description="e.g. web, ios, android.")

    def to_filter(self) -> SessionFilter:
        return SessionFilter(
            started=TimeRange.of("filter", self.from_, self.to),
            devices=(self.device,) if self.device else (),
        )


@needs(Permission.READ)
@strawberry.type(description="One visit of a customer: from its first event to its last.")
class Session(DocumentNode, relay.Node):  # type: ignore[misc]  # relay.Node overloads resolve_nodes
    document = documents.Session

    id: relay.NodeID[str]
    database_id: str
    start_time: datetime
    last_event_at: datetime | None = strawberry.field(description="When its latest event happened.")
    device: str
    country: str | None = strawberry.field(description="The customer's country, copied.")
    event_count: int
    event_names: list[str] = strawberry.field(description="The names of its events (a set).")
    bot: bool = strawberry.field(description="Its first event was a bot's: left out of analytics.")

    @strawberry.field(
        deprecation_reason="Events have any name now: use eventNames (the same list)."
    )
    def event_types(self) -> list[str]:
        return self.event_names

    _customer_id: strawberry.Private[PydanticObjectId]

    @classmethod
    def from_document(cls, doc: documents.Session) -> Session:
        ident = str(doc.id)
        return cls(
            id=ident,
            database_id=ident,
            start_time=doc.start_time,
            last_event_at=doc.end_time,
            device=doc.device,
            country=doc.country,
            event_count=doc.event_count,
            event_names=doc.event_types,
            bot=doc.bot,
            _customer_id=doc.customer_id,
        )

    def _active(self, info: Info) -> bool:
        gap = timedelta(minutes=info.context.settings.session_gap_minutes)
        return is_active(self.last_event_at, datetime.now(UTC), gap)

    @strawberry.field(
        description="True until the session gap (30 minutes) has passed since its last event."
    )
    def active(self, info: Info) -> bool:
        return self._active(info)

    @strawberry.field(description="When it ended (its last event); null while active.")
    def end_time(self, info: Info) -> datetime | None:
        return None if self._active(info) else self.last_event_at

    @strawberry.field(description="Seconds from start to end; null while active.")
    def duration_seconds(self, info: Info) -> float | None:
        if self._active(info) or self.last_event_at is None:
            return None
        return (self.last_event_at - self.start_time).total_seconds()

    customer = strawberry.field(resolver=customer_of)

    @strawberry.field(description="The session's events in the order they happened.")
    @paged
    async def events(
        self,
        window: Window,
        names: list[str] | None = None,
        types: Annotated[
            list[EventType] | None,
            strawberry.argument(
                deprecation_reason="Use names, which takes any event name; give one of the two."
            ),
        ] = None,
    ) -> Connection[LazyEvent]:
        from schema.events.types import event_names  # events import this module

        chosen = event_names("names", names, types)
        page = await session_events(PydanticObjectId(self.database_id), chosen, window)
        return to_connection(page, to_node)
