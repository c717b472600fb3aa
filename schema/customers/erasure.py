"""The right to erasure, as a GraphQL mutation (admin)."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from api.core.ids import parse_global_id
from api.customers.erase import erase_customer
from schema.context import Info


@strawberry.type
class EraseCustomerPayload:
    erased_customer_id: strawberry.ID
    sessions: int = strawberry.field(description="Sessions deleted.")
    events: int = strawberry.field(description="Events deleted.")


@strawberry.type
class ErasureMutation:
    @strawberry.mutation(
        description=(
            "Erase a customer with their sessions, events and share of every aggregate, "
            "and record who did it in the audit log. Cannot be undone."
        )
    )
    async def erase_customer(self, info: Info, id: strawberry.ID) -> EraseCustomerPayload:
        _, ident = parse_global_id("id", id, "Customer")
        erased = await erase_customer(ident, info.context.principal)
        if erased is None:
            raise GraphQLError(f"id: no customer {id!r}", extensions={"code": "NOT_FOUND"})
        return EraseCustomerPayload(
            erased_customer_id=id, sessions=erased.sessions, events=erased.events
        )
