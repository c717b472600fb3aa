"""GraphQL types of the customers domain."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from beanie import PydanticObjectId
from strawberry import relay

from api.auth.roles import Permission
from api.core.errors import InputError
from api.customers import documents
from api.customers.service import CustomerFilter, CustomerOrderField
from api.db.pagination import Window
from api.sessions.service import SessionFilter, customer_sessions
from schema.authz import needs
from schema.connections import Connection, paged, to_connection
from schema.context import Info
from schema.inputs import OrderDirection, TimeRangeInput
from schema.nodes import DocumentNode, to_node

if TYPE_CHECKING:
    from schema.sessions.types import Session, SessionFilterInput

# Sessions import this module: their types are named here lazily.
LazySession = Annotated["Session", strawberry.lazy("schema.sessions.types")]
LazySessionFilterInput = Annotated["SessionFilterInput", strawberry.lazy("schema.sessions.types")]

CustomerOrderFieldEnum = strawberry.enum(
    CustomerOrderField, name="CustomerOrderField", description="What customers are sorted by."
)


@strawberry.input(description="Sort order of customers; ties are broken by id.")
class CustomerOrder:
    field: CustomerOrderFieldEnum = CustomerOrderField.CREATED_AT  # type: ignore[valid-type]
    direction: OrderDirection = OrderDirection.DESC


@strawberry.input(description="Narrows a customer list; every given part must match.")
class CustomerFilterInput:
    countries: list[str] | None = strawberry.field(
        default=None, description="ISO-3166 alpha-2 codes; any of them."
    )
    languages: list[str] | None = strawberry.field(
        default=None, description="BCP-47 tags; any of them."
    )
    created: TimeRangeInput | None = None
    last_seen: TimeRangeInput | None = None

    def to_filter(self) -> CustomerFilter:
        countries = tuple(_each("filter.countries", self.countries, documents.check_country))
        languages = tuple(_each("filter.languages", self.languages, documents.check_language))
        return CustomerFilter(
            countries=countries,
            languages=languages,
            created=self.created.to_range("filter.created") if self.created else None,
            last_seen=self.last_seen.to_range("filter.lastSeen") if self.last_seen else None,
        )


def _each(argument: str, values: Iterable[str] | None, check: Any) -> list[str]:
    checked = []
    for value in values or ():
        try:
            checked.append(check(value))
        except ValueError as error:
            raise InputError(argument, str(error)) from None
    return checked


@needs(Permission.READ)
@strawberry.type(description="A visitor of a tracked website, known by the site's own id.")
class Customer(DocumentNode, relay.Node):  # type: ignore[misc]  # relay.Node overloads resolve_nodes
    document = documents.Customer

    id: relay.NodeID[str]
    database_id: str = strawberry.field(description="The id in the database (hex ObjectId).")
    distinct_id: str = strawberry.field(description="The website's own id of this visitor.")
    name: str
    email: str | None
    country: str | None = strawberry.field(description="ISO-3166 alpha-2 code.")
    language: str | None = strawberry.field(description="BCP-47 language tag.")
    created_at: datetime
    last_seen_at: datetime

    @classmethod
    def from_document(cls, doc: documents.Customer) -> Customer:
        ident = str(doc.id)
        return cls(
            id=ident,
            database_id=ident,
            distinct_id=doc.distinct_id,
            name=doc.name,
            email=doc.email,
            country=doc.country,
            language=doc.language,
            created_at=doc.created_at,
            last_seen_at=doc.last_seen_at,
        )

    # Nullable: a bad page or filter argument then nulls only this field, not
    # the customer (nor the payload of identifyCustomer, whose write is done).
    @strawberry.field(
        description=(
            "The customer's sessions, newest first; null, with an error, when an argument "
            "is refused."
        )
    )
    @paged
    async def sessions(
        self, window: Window, filter: LazySessionFilterInput | None = None
    ) -> Connection[LazySession] | None:
        page = await customer_sessions(
            PydanticObjectId(self.database_id),
            filter.to_filter() if filter else SessionFilter(),
            window,
        )
        return to_connection(page, to_node)


async def customer_of(root: Any, info: Info) -> Customer | None:
    """The ``customer`` field of what belongs to one (a session, an event)."""
    doc = await info.context.loaders.of(documents.Customer).load(root._customer_id)
    return Customer.from_document(doc) if doc else None


@needs(Permission.ADMIN)
@strawberry.type
class EraseCustomerPayload:
    erased_customer_id: strawberry.ID
    sessions: int = strawberry.field(description="Sessions deleted.")
    events: int = strawberry.field(description="Events deleted.")
