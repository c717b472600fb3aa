"""GraphQL types of the events domain."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from beanie import PydanticObjectId
from strawberry import relay
from strawberry.scalars import JSON

from api.auth.roles import Permission
from api.core.ids import parse_global_id
from api.events import documents
from api.events.service import EventFilter
from api.sessions.documents import Session as SessionDocument
from schema.authz import needs
from schema.context import Info
from schema.customers.types import customer_of
from schema.events import EventType
from schema.inputs import TimeRangeInput
from schema.nodes import DocumentNode
from schema.sessions.types import Session


@needs(Permission.READ)
@strawberry.type(description="One thing a customer did, inside a session.")
class Event(DocumentNode, relay.Node):  # type: ignore[misc]  # relay.Node overloads resolve_nodes
    document = documents.Event

    id: relay.NodeID[str]
    database_id: str
    type: EventType
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
    async def session(self, info: Info) -> Session | None:
        doc = await info.context.loaders.of(SessionDocument).load(self._session_id)
        return Session.from_document(doc) if doc else None

    customer = strawberry.field(resolver=customer_of)


@strawberry.input(description="Which events: every given condition must hold.")
class EventFilterInput:
    types: list[EventType] | None = None
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
