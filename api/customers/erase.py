"""The right to erasure: a customer, their sessions and events, and their share
of every aggregate, gone for good.

The steps are ordered so that stopping after any of them and running again
finishes the job: the hours the events fall in are marked stale first (while
the events still say which hours those are), then events and sessions are
deleted, the stale hours recomputed (so no aggregate keeps the customer's id,
even in its compressed sets of distinct customers), and the customer last.
"""

from __future__ import annotations

from dataclasses import dataclass

from beanie import PydanticObjectId

from api.analytics.hours import day_figures, days_of, hour_figures, mark_dirty
from api.auth import audit
from api.auth.roles import Principal
from api.customers.documents import Customer
from api.events.documents import Event
from api.sessions.documents import Session


@dataclass(frozen=True)
class Erasure:
    customer_id: PydanticObjectId
    sessions: int
    events: int


async def erase_customer(customer_id: PydanticObjectId, actor: Principal) -> Erasure | None:
    """None when no such customer exists (nothing is recorded then)."""
    customer = await Customer.get(customer_id)
    if customer is None:
        return None
    events = Event.get_pymongo_collection()
    hours = sorted(
        {doc["hour"] async for doc in events.find({"customerId": customer_id}, {"hour": 1})}
    )
    await mark_dirty(hours)
    removed_events = (await events.delete_many({"customerId": customer_id})).deleted_count
    removed_sessions = (
        await Session.get_pymongo_collection().delete_many({"customerId": customer_id})
    ).deleted_count
    await hour_figures(hours)
    await day_figures(days_of(hours))
    # Last: until the customer is gone, running the erasure again redoes it all.
    await Customer.get_pymongo_collection().delete_one({"_id": customer_id})
    # The entry names the record, not the person: an audit log that kept the
    # name or email would defeat the erasure.
    await audit.record(
        actor,
        "customer.erase",
        str(customer_id),
        sessions=removed_sessions,
        events=removed_events,
    )
    return Erasure(customer_id, removed_sessions, removed_events)
