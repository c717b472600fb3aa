"""Root mutations of the customers domain: the right to erasure."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from api.auth.roles import Permission
from api.core.errors import Code
from api.core.ids import parse_global_id
from api.insights.erasure import erase_everywhere
from schema.authz import Needs
from schema.context import Info
from schema.customers.types import EraseCustomerPayload


@strawberry.type
class CustomerMutation:
    @strawberry.mutation(
        description=(
            "Erase a customer with their sessions, events and share of every aggregate, "
            "and record who did it in the audit log. Cannot be undone."
        ),
        extensions=[Needs(Permission.ADMIN)],
    )
    async def erase_customer(self, info: Info, id: strawberry.ID) -> EraseCustomerPayload:
        _, ident = parse_global_id("id", id, "Customer")
        erased = await erase_everywhere(ident, info.context.principal, info.context.settings)
        if erased is None:
            raise GraphQLError(f"id: no customer {id!r}", extensions={"code": Code.NOT_FOUND})
        return EraseCustomerPayload(
            erased_customer_id=id, sessions=erased.sessions, events=erased.events
        )
