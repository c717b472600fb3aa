"""The root Query: thin resolvers that parse arguments and call services."""

from __future__ import annotations

import asyncio

import strawberry
from beanie import PydanticObjectId
from strawberry import relay

from api.analytics.service import report
from api.core.errors import InputError
from api.core.ids import parse_global_id
from api.customers.service import CustomerFilter, customer_by_distinct_id, find_customers
from schema.analytics.types import Analytics, AnalyticsRangeInput, Granularity
from schema.connections import Connection, to_connection, window
from schema.context import Info
from schema.customers.types import Customer, CustomerFilterInput, CustomerOrder
from schema.events.types import Event
from schema.inputs import OrderDirection
from schema.sessions.types import Session

MAX_NODES = 100
NodeType = type[Customer] | type[Session] | type[Event]
NODE_TYPES: dict[str, NodeType] = {
    "Customer": Customer,
    "Session": Session,
    "Event": Event,
}


def _node_type(argument: str, value: str, expected: str | None = None) -> tuple[NodeType, str]:
    type_name, ident = parse_global_id(argument, value, expected)
    node_type = NODE_TYPES.get(type_name)
    if node_type is None:
        raise InputError(argument, f"{value!r} is not a valid id")
    return node_type, str(ident)


async def _load(info: Info, node_type: NodeType, ident: str) -> relay.Node | None:
    found: list[relay.Node | None] = list(
        await node_type.resolve_nodes(info=info, node_ids=[ident])
    )
    return found[0]


async def _node(
    info: Info, argument: str, value: str, expected: str | None = None
) -> relay.Node | None:
    return await _load(info, *_node_type(argument, value, expected))


@strawberry.type
class CustomerQuery:
    @strawberry.field(description="Any object by its global id; null when it does not exist.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await _node(info, "id", id)

    @strawberry.field(description=f"Objects by global ids, in order (at most {MAX_NODES}).")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
        if len(ids) > MAX_NODES:
            raise InputError("ids", f"at most {MAX_NODES} ids, got {len(ids)}")
        # Parse every id before loading any, then load together so that the
        # DataLoaders batch them into one query per type.
        parsed = [_node_type(f"ids[{index}]", value) for index, value in enumerate(ids)]
        return list(await asyncio.gather(*(_load(info, *pair) for pair in parsed)))

    @strawberry.field(
        description=(
            "Customers matching a search and filter. search matches word prefixes of the "
            "name, the email (whole or local part) and the distinct id, ignoring case and "
            "accents; every word must match."
        )
    )
    async def customers(
        self,
        search: str | None = None,
        filter: CustomerFilterInput | None = None,
        order_by: CustomerOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Customer]:
        order = order_by or CustomerOrder()
        page = await find_customers(
            search,
            filter.to_filter() if filter else CustomerFilter(),
            order.field,
            order.direction == OrderDirection.DESC,
            window(first, after, last, before),
        )
        return to_connection(page, Customer.from_document)

    @strawberry.field(
        description=(
            "Figures of a time range [from, to): everyone's, or one customer's with the "
            "average customer beside them. Buckets of timeSeries follow timeZone."
        )
    )
    async def analytics(
        self,
        info: Info,
        range: AnalyticsRangeInput,
        customer_id: strawberry.ID | None = None,
        time_zone: str = "UTC",
        granularity: Granularity = Granularity.DAY,
    ) -> Analytics:
        customer = None
        if customer_id is not None:
            customer = _node_type("customerId", customer_id, "Customer")[1]
        found = await report(
            range.from_,
            range.to,
            info.context.settings.analytics_max_span_days,
            customer_id=PydanticObjectId(customer) if customer else None,
            time_zone=time_zone,
            granularity=granularity.domain(),
        )
        return Analytics.from_report(found, time_zone)

    @strawberry.field(description="A customer by global id; null when unknown.")
    async def customer(self, info: Info, id: strawberry.ID) -> Customer | None:
        return await _node(info, "id", id, "Customer")  # type: ignore[return-value]

    @strawberry.field(description="A customer by the website's own visitor id; null when unknown.")
    async def customer_by_distinct_id(self, distinct_id: str) -> Customer | None:
        doc = await customer_by_distinct_id(distinct_id)
        return Customer.from_document(doc) if doc else None

    @strawberry.field(description="A session by global id; null when unknown.")
    async def session(self, info: Info, id: strawberry.ID) -> Session | None:
        return await _node(info, "id", id, "Session")  # type: ignore[return-value]

    @strawberry.field(description="An event by global id; null when unknown.")
    async def event(self, info: Info, id: strawberry.ID) -> Event | None:
        return await _node(info, "id", id, "Event")  # type: ignore[return-value]
