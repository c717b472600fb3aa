"""GraphQL types of the events domain."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from beanie import PydanticObjectId
from strawberry import relay
from strawberry.scalars import JSON

from api.core.ids import parse_global_id
from api.customers.documents import Customer as CustomerDocument
from api.events import documents
from api.events.service import EventFilter, find_events
from api.sessions.documents import Session as SessionDocument
from schema.connections import Connection, to_connection, window
from schema.context import Info
from schema.inputs import TimeRangeInput
from schema.nodes import DocumentNode

if TYPE_CHECKING:
    from schema.customers.types import Customer
    from schema.sessions.types import Session

CustomerType = Annotated["Customer", strawberry.lazy("schema.customers.types")]
SessionType = Annotated["Session", strawberry.lazy("schema.sessions.types")]

EventTypeEnum = strawberry.enum(
    documents.EventType, name="EventType", description="What a customer did."
)


@strawberry.type(description="One thing a customer did, inside a session.")
class Event(DocumentNode, relay.Node):  # type: ignore[misc]  # relay.Node overloads resolve_nodes
    document = documents.Event

    id: relay.NodeID[str]
    database_id: str
    type: EventTypeEnum  # type: ignore[valid-type]
    page: str = strawberry.field(description="The page path, such as /product/12.")
    timestamp: datetime
    metadata: JSON = strawberry.field(
        description="Free JSON: timeSpent (seconds) on page views, query on searches, ..."
    )
    _session_id: strawberry.Private[PydanticObjectId]
    _customer_id: strawberry.Private[PydanticObjectId]

    @classmethod
    def from_document(cls, doc: documents.Event) -> Event:
        ident = str(doc.id)
        return cls(
            id=ident,
            database_id=ident,
            type=doc.type,
            page=doc.page,
            timestamp=doc.timestamp,
            metadata=cast(JSON, doc.metadata),
            _session_id=doc.session_id,
            _customer_id=doc.customer_id,
        )

    @strawberry.field
    async def session(self, info: Info) -> SessionType | None:
        from schema.sessions.types import Session

        doc = await info.context.loaders.of(SessionDocument).load(self._session_id)
        return Session.from_document(doc) if doc else None

    @strawberry.field
    async def customer(self, info: Info) -> CustomerType | None:
        from schema.customers.types import Customer

        doc = await info.context.loaders.of(CustomerDocument).load(self._customer_id)
        return Customer.from_document(doc) if doc else None


@strawberry.input(description="Which events: every given condition must hold.")
class EventFilterInput:
    types: list[EventTypeEnum] | None = None  # type: ignore[valid-type]
    pages: list[str] | None = strawberry.field(default=None, description="Exact page paths.")
    customer_id: strawberry.ID | None = None
    time: TimeRangeInput | None = None

    def to_filter(self) -> EventFilter:
        customer = None
        if self.customer_id is not None:
            customer = parse_global_id("filter.customerId", self.customer_id, "Customer")[1]
        return EventFilter(
            types=tuple(self.types or ()),
            pages=tuple(self.pages or ()),
            customer_id=customer,
            time=self.time.to_range("filter.time") if self.time else None,
        )


@strawberry.type
class EventsQuery:
    @strawberry.field(
        description=(
            "Raw events across customers, newest first unless oldestFirst (analysts and admins)."
        )
    )
    async def events(
        self,
        filter: EventFilterInput | None = None,
        oldest_first: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Event]:
        page = await find_events(
            filter.to_filter() if filter else EventFilter(),
            window(first, after, last, before),
            newest_first=not oldest_first,
        )
        return to_connection(page, Event.from_document)
