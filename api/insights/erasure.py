"""Erasure, then the analytical store rewritten without the customer.

``api.customers.erase`` marks the customer's hours stale; the sync that
follows (waiting for any writer at work) rewrites exactly those days and the
customers' snapshot, so when this returns no file of the store, local or in
S3, holds the customer."""

from __future__ import annotations

from beanie import PydanticObjectId

from api.auth.roles import Principal
from api.customers.erase import Erasure, erase_customer
from api.insights.store import store_for
from api.settings import Settings


async def erase_everywhere(
    customer_id: PydanticObjectId, actor: Principal, settings: Settings
) -> Erasure | None:
    erased = await erase_customer(customer_id, actor)
    # Also when there was no such customer any more: an erasure whose sync
    # was cut short is finished by asking again.
    await store_for(settings).sync(wait=True, force_customers=True)
    return erased
