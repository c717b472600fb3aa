"""The right to erasure: a customer, their sessions and events, and their share
of every aggregate, gone for good.

The steps are ordered so that stopping after any of them and running again
finishes the job: the hours the customer's events and sessions fall in are
noted on the customer and marked stale first, then events and sessions are
deleted, the hours marked stale again (an analytics read during the deletion
may have recomputed them with the customer still in), recomputed (so no
aggregate keeps the customer's id, even in its compressed sets of distinct
customers), and the customer last.
"""

from __future__ import annotations

from dataclasses import dataclass

from beanie import PydanticObjectId

from api.analytics.hours import day_figures, days_of, hour_figures, mark_dirty
from api.auth import audit
from api.auth.roles import Principal
from api.core.steps import Step, no_stop
from api.customers.documents import Customer
from api.events.documents import Event
from api.sessions.documents import Session


@dataclass(frozen=True)
class Erasure:
    customer_id: PydanticObjectId
    sessions: int
    events: int


async def erase_customer(
    customer_id: PydanticObjectId,
    actor: Principal,
    after_step: Step = no_stop,
) -> Erasure | None:
    """None when no such customer exists (nothing is recorded then).
    ``after_step`` lets the tests stop the work between steps."""
    customers = Customer.get_pymongo_collection()
    customer = await customers.find_one({"_id": customer_id}, {"erasureHours": 1})
    if customer is None:
        return None
    events = Event.get_pymongo_collection()
    sessions = Session.get_pymongo_collection()
    found = {doc["hour"] async for doc in events.find({"customerId": customer_id}, {"hour": 1})}
    found |= {
        doc["startHour"]
        async for doc in sessions.find({"customerId": customer_id}, {"startHour": 1})
    }
    hours = sorted(found | set(customer.get("erasureHours", [])))
    # Kept on the customer, which goes last: a run stopped after deleting some
    # events still recomputes their hours when run again.
    await customers.update_one({"_id": customer_id}, {"$set": {"erasureHours": hours}})
    await after_step("noted")
    await mark_dirty(hours)
    await after_step("dirty")
    removed_events = (await events.delete_many({"customerId": customer_id})).deleted_count
    await after_step("events")
    removed_sessions = (await sessions.delete_many({"customerId": customer_id})).deleted_count
    await mark_dirty(hours)
    await after_step("sessions")
    await hour_figures(hours)
    await day_figures(days_of(hours))
    await after_step("recomputed")
    # Last: until the customer is gone, running the erasure again redoes it all.
    await customers.delete_one({"_id": customer_id})
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
