"""Which session each incoming event belongs to.

An event with a client session id joins that session, whose stored id is
derived from the customer and the client's id (so every retry finds it). An
event without one joins the customer's session that was active within the
session gap of its timestamp, else starts a new one. Timestamps, not arrival
order, decide, so a queue flushed a day late lands in yesterday's session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from beanie import PydanticObjectId, SortDirection

from api.core.hourkeys import hour_key
from api.customers.documents import Customer
from api.db.client import upsert_one
from api.ingestion.models import IncomingEvent
from api.sessions.documents import Session


def client_session_object_id(customer_id: PydanticObjectId, client_id: str) -> PydanticObjectId:
    digest = hashlib.sha256(f"{customer_id}:{client_id}".encode()).digest()
    return PydanticObjectId(digest[:12])


@dataclass
class Plan:
    """A session as this batch leaves it: which events join it and its new span."""

    session_id: PydanticObjectId
    customer: Customer
    start: datetime
    end: datetime
    device: str
    client_id: str | None
    exists: bool
    old_start_hour: str | None
    events: list[IncomingEvent] = field(default_factory=list)
    # Of a new session: whether its first event was a bot's.
    bot: bool = False

    def take(self, event: IncomingEvent) -> None:
        self.events.append(event)
        self.start = min(self.start, event.timestamp)
        self.end = max(self.end, event.timestamp)

    def covers(self, moment: datetime, gap: timedelta) -> bool:
        return self.start - gap <= moment <= self.end + gap

    @property
    def types(self) -> list[str]:
        return sorted({event.name for event in self.events})

    @property
    def hours(self) -> set[str]:
        """Hours whose figures this batch changes: those of its events, and the
        session's start hour before and after."""
        hours = {hour_key(event.timestamp) for event in self.events}
        hours.add(hour_key(self.start))
        if self.old_start_hour:
            hours.add(self.old_start_hour)
        return hours


def _from_session(session: Session, customer: Customer) -> Plan:
    assert session.id is not None
    return Plan(
        session_id=session.id,
        customer=customer,
        start=session.start_time,
        end=session.end_time or session.start_time,
        device=session.device,
        client_id=session.client_session_id,
        exists=True,
        old_start_hour=session.start_hour,
    )


async def _client_plan(customer: Customer, client_id: str, first: IncomingEvent) -> Plan:
    assert customer.id is not None
    ident = client_session_object_id(customer.id, client_id)
    stored = await Session.find_one({"_id": ident})
    if stored is not None:
        return _from_session(stored, customer)
    return Plan(ident, customer, first.timestamp, first.timestamp, first.device, client_id,
                exists=False, old_start_hour=None)  # fmt: skip


async def _nearby(customer: Customer, moment: datetime, gap: timedelta) -> Session | None:
    """The customer's latest inferred session starting before ``moment + gap``,
    if it was still going within ``gap`` of ``moment``."""
    found = (
        await Session.find(
            # Only sessions without a client id: events that name a session
            # stay in it, and those that do not never join one.
            {
                "customerId": customer.id,
                "clientSessionId": None,
                "startTime": {"$lte": moment + gap},
            }
        )
        .sort([("startTime", SortDirection.DESCENDING), ("_id", SortDirection.DESCENDING)])
        .limit(1)
        .to_list()
    )
    if not found:
        return None
    session = found[0]
    last = session.end_time or session.start_time
    return session if last >= moment - gap else None


async def plan_sessions(
    customer: Customer,
    events: list[IncomingEvent],
    gap: timedelta,
    is_bot: Callable[[IncomingEvent], bool] = lambda _: False,
) -> list[Plan]:
    plans: list[Plan] = []
    by_client: dict[str, Plan] = {}
    for event in sorted(events, key=lambda item: item.timestamp):
        if event.session_id is not None:
            plan = by_client.get(event.session_id)
            if plan is None:
                plan = await _client_plan(customer, event.session_id, event)
                plan.bot = is_bot(event)
                by_client[event.session_id] = plan
                plans.append(plan)
            plan.take(event)
            continue
        plan = next(
            (p for p in plans if p.client_id is None and p.covers(event.timestamp, gap)), None
        )
        if plan is None:
            stored = await _nearby(customer, event.timestamp, gap)
            known = next((p for p in plans if stored and p.session_id == stored.id), None)
            if known is not None:
                plan = known
            elif stored is not None:
                plan = _from_session(stored, customer)
                plans.append(plan)
            else:
                plan = Plan(PydanticObjectId(), customer, event.timestamp, event.timestamp,
                            event.device, None, exists=False, old_start_hour=None,
                            bot=is_bot(event))  # fmt: skip
                plans.append(plan)
        plan.take(event)
    return plans


async def apply_plan(plan: Plan) -> None:
    """Create or widen the session. Every write is idempotent ($min/$max/$addToSet
    semantics), so running it again after a crash changes nothing more."""
    customer = plan.customer
    if not plan.exists:
        insert: dict[str, object] = {
            "customerId": customer.id,
            "startTime": plan.start,
            "startHour": hour_key(plan.start),
            "device": plan.device,
            "country": customer.country,
            "eventCount": 0,
            "clientSessionId": plan.client_id,
            "bot": plan.bot,
        }
        await upsert_one(
            Session.get_pymongo_collection(),
            {"_id": plan.session_id},
            {
                "$setOnInsert": insert,
                "$max": {"endTime": plan.end},
                "$addToSet": {"eventTypes": {"$each": plan.types}},
            },
        )
    else:
        await Session.get_pymongo_collection().update_one(
            {"_id": plan.session_id},
            {"$max": {"endTime": plan.end}, "$addToSet": {"eventTypes": {"$each": plan.types}}},
        )
    # Moving the start earlier and its hour together, only if it is earlier:
    # safe against a concurrent batch doing the same.
    await Session.get_pymongo_collection().update_one(
        {"_id": plan.session_id, "startTime": {"$gt": plan.start}},
        {"$set": {"startTime": plan.start, "startHour": hour_key(plan.start)}},
    )
