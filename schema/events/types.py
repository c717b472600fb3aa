"""GraphQL types of the events domain."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from beanie import PydanticObjectId
from strawberry import relay
from strawberry.scalars import JSON

from api.customers.documents import Customer as CustomerDocument
from api.events import documents
from api.sessions.documents import Session as SessionDocument
from schema.context import Info
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
