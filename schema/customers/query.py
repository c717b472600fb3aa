"""Root Query fields of the customers domain."""

from __future__ import annotations

import strawberry

from api.auth.roles import Permission
from api.customers.service import CustomerFilter, customer_by_distinct_id, find_customers
from api.db.pagination import Window
from schema.authz import Needs
from schema.connections import Connection, paged, to_connection
from schema.customers.types import Customer, CustomerFilterInput, CustomerOrder
from schema.inputs import OrderDirection
from schema.nodes import by_id


# Two classes only for the order of Query's fields in the SDL, which prints
# analytics between them (schema/root.py).
@strawberry.type
class CustomerListQuery:
    @strawberry.field(
        description=(
            "Customers matching a search and filter. search matches word prefixes of the "
            "name, the email (whole or local part) and the distinct id, ignoring case and "
            "accents; every word must match."
        ),
        extensions=[Needs(Permission.READ)],
    )
    @paged
    async def customers(
        self,
        search: str | None = None,
        filter: CustomerFilterInput | None = None,
        order_by: CustomerOrder | None = None,
        *,
        window: Window,
    ) -> Connection[Customer]:
        order = order_by or CustomerOrder()
        page = await find_customers(
            search,
            filter.to_filter() if filter else CustomerFilter(),
            order.field,
            order.direction == OrderDirection.DESC,
            window,
        )
        return to_connection(page, Customer.from_document)


@strawberry.type
class CustomerQuery:
    customer = by_id(
        Customer, "A customer by global id; null when unknown.", extensions=[Needs(Permission.READ)]
    )

    @strawberry.field(
        description="A customer by the website's own visitor id; null when unknown.",
        extensions=[Needs(Permission.READ)],
    )
    async def customer_by_distinct_id(self, distinct_id: str) -> Customer | None:
        doc = await customer_by_distinct_id(distinct_id)
        return Customer.from_document(doc) if doc else None
