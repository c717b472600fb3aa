"""Recording what customers do: identify a customer, track a batch of events.

Exactly-once effect without transactions (FerretDB has none):

0. check: validate the batch and find its events already stored (reads
   only), so nothing refused is ever half-written; then apply identify.
1. customers: find or create each customer by distinct id (unique index).
2. plan: decide each event's session (reads only).
3. dirty: mark every analytics hour the batch touches as stale.
4. sessions: create or widen the sessions ($setOnInsert/$min/$max/$addToSet).
5. events: insert with ``_id`` derived from the client's event id, so a
   second insert of an event is a duplicate key, never a second event; then
   mark the hours stale again.
6. counts: recount each touched session's events and raise the customers'
   lastSeenAt ($max).

Every step is idempotent, and step 3 comes before anything it describes is
written, so a batch interrupted anywhere and sent again ends exactly as if it
had gone through once. The second marking in step 5 is for readers: one that
recomputes an hour between steps 3 and 5 stores figures without this batch,
and would otherwise leave them marked current. Derived figures are recomputed
from raw events, never incremented. ``after_step`` lets the tests stop the
work between steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from beanie import PydanticObjectId
from opentelemetry import metrics
from pydantic import ValidationError
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from api.analytics.hours import mark_dirty
from api.analytics.slices import touched as touched_slices
from api.core.errors import InputError
from api.core.steps import Step, no_stop
from api.core.strings import encodable
from api.customers.documents import Customer
from api.db.errors import DUPLICATE_KEY, is_duplicate_key
from api.db.lookup import each_by_id
from api.events.documents import Event, event_object_id
from api.ingestion.context import Agent, event_context, parse_user_agent
from api.ingestion.models import (
    Identity,
    IncomingContext,
    IncomingEvent,
    parse_context,
    parse_event,
    parse_identity,
    utc_now,
    validation_reason,
)
from api.ingestion.sessions import Plan, apply_plan, plan_sessions
from api.sessions.documents import Session
from api.settings import Settings

Status = Literal["accepted", "duplicate", "rejected"]
counted = metrics.get_meter("tracking.ingestion").create_counter(
    "ingest.events", description="Events received, by outcome"
)


@dataclass(frozen=True)
class EventResult:
    index: int
    event_id: str | None
    status: Status
    reason: str | None = None


@dataclass
class TrackResult:
    results: list[EventResult] = field(default_factory=list)
    customer: Customer | None = None  # the identified customer, when identify was sent
    identify_error: str | None = None  # why identify was refused

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.status == status)


def _placeholder_name(distinct_id: str) -> str:
    # A name is required; an unidentified visitor is shown by their id until
    # identify tells us more.
    return f"Visitor {distinct_id}"[:200]


async def find_or_create(distinct_id: str, first_seen: datetime | None = None) -> Customer:
    """The customer with this distinct id; a new one is created as first seen at
    ``first_seen`` (its earliest event), or now."""
    customer = await Customer.find_one({"distinctId": distinct_id})
    if customer is not None:
        return customer
    seen = {"createdAt": first_seen, "lastSeenAt": first_seen} if first_seen else {}
    new = Customer(distinctId=distinct_id, name=_placeholder_name(distinct_id), **seen)
    try:
        return await new.insert()
    except DuplicateKeyError:
        # Another request created it between our read and our insert.
        found = await Customer.find_one({"distinctId": distinct_id})
        assert found is not None
        return found


TAKEN = "belongs to another customer"


def _customer(data: dict[str, Any]) -> Customer:
    # Validated afresh so that the derived fields (search terms, email key) follow.
    try:
        return Customer.model_validate(data)
    except ValidationError as error:
        raise InputError("identify", validation_reason(error)) from None


async def identify(identity: Identity) -> Customer:
    """Create or update the customer with this distinct id; never a duplicate.

    Everything that can refuse the call is checked before its one write, and
    the unique email index decides a race, so a refused call writes nothing."""
    changes = identity.changes()
    # Twice at most: an insert that loses a race to the same distinct id
    # becomes an update of the winner.
    for _ in range(2):
        existing = await Customer.find_one({"distinctId": identity.distinct_id})
        if existing is not None and not changes:
            return existing
        base = (
            existing.model_dump(by_alias=True)
            if existing is not None
            else {
                "distinctId": identity.distinct_id,
                "name": _placeholder_name(identity.distinct_id),
            }
        )
        updated = _customer({**base, **changes})
        taken = {"emailKey": updated.email_key, "distinctId": {"$ne": identity.distinct_id}}
        if updated.email and await Customer.find_one(taken):
            raise InputError("identify.email", TAKEN)
        try:
            if existing is None:
                return await updated.insert()
            await updated.save()
            return updated
        except PyMongoError as error:
            if not is_duplicate_key(error):
                raise
            if existing is not None:  # the email, taken meanwhile
                raise InputError("identify.email", TAKEN) from None
    raise InputError("identify.email", TAKEN)


async def _customers(events: Sequence[IncomingEvent]) -> dict[str, Customer]:
    first_seen: dict[str, datetime] = {}
    for event in events:
        known = first_seen.get(event.distinct_id)
        first_seen[event.distinct_id] = min(known, event.timestamp) if known else event.timestamp
    return {
        distinct_id: await find_or_create(distinct_id, moment)
        for distinct_id, moment in sorted(first_seen.items())
    }


@dataclass(frozen=True)
class Circumstances:
    """What a request says of all its events: its user agent and the batch's context."""

    user_agent: str | None = None
    context: IncomingContext | None = None

    def of(self, event: IncomingEvent) -> tuple[Agent, dict[str, Any]]:
        """The event's user agent read, and its client context: the event's own
        keys over the batch's."""
        client = self.context.values() if self.context else {}
        if event.context is not None:
            client |= event.context.values()
        return parse_user_agent(client.pop("userAgent", None) or self.user_agent), client


def _event_document(plan: Plan, event: IncomingEvent, around: Circumstances) -> dict[str, Any]:
    agent, client = around.of(event)
    document = Event(
        sessionId=plan.session_id,
        customerId=plan.customer.id,
        type=event.name,
        page=event.page,
        timestamp=event.timestamp,
        metadata=event.metadata,
        eventId=event.event_id,
        bot=agent.bot,
        context=event_context(agent, client, event.page),
    )
    stored = document.model_dump(by_alias=True, exclude={"id", "context"})
    if document.context is not None:
        stored["context"] = document.context.stored()
    stored["_id"] = event_object_id(event.event_id)
    return stored


async def _insert(documents: list[dict[str, Any]]) -> set[int]:
    """Insert all; the positions that were already stored."""
    if not documents:
        return set()
    try:
        await Event.get_pymongo_collection().insert_many(documents, ordered=False)
    except BulkWriteError as error:
        errors = error.details.get("writeErrors", [])
        if any(item.get("code") != DUPLICATE_KEY for item in errors):
            raise
        return {item["index"] for item in errors}
    return set()


@dataclass(frozen=True)
class _Stored:
    """An event already stored: where the delivery that stored it put it."""

    session_id: PydanticObjectId
    customer_id: PydanticObjectId
    timestamp: datetime


async def _stored(events: Sequence[IncomingEvent]) -> dict[str, _Stored]:
    """The events of ``events`` already stored, by event id (reads only)."""
    ids = {event_object_id(event.event_id): event.event_id for event in events}
    collection = Event.get_pymongo_collection()
    fields = {"sessionId": 1, "customerId": 1, "timestamp": 1}
    found = await each_by_id(collection, list(ids), fields)
    return {
        ids[doc["_id"]]: _Stored(doc["sessionId"], doc["customerId"], doc["timestamp"])
        for doc in found
    }


async def _recount(
    sessions: Iterable[PydanticObjectId], seen: Iterable[tuple[PydanticObjectId, datetime]]
) -> None:
    """Each session's event count, and each customer's lastSeenAt raised to
    the latest of their ``seen`` times."""
    collection = Session.get_pymongo_collection()
    for session_id in sorted(set(sessions)):
        count = await Event.find({"sessionId": session_id}).count()
        await collection.update_one({"_id": session_id}, {"$max": {"eventCount": count}})
    latest: dict[PydanticObjectId, datetime] = {}
    for customer_id, moment in seen:
        latest[customer_id] = max(latest.get(customer_id, moment), moment)
    customers = Customer.get_pymongo_collection()
    for customer_id, moment in latest.items():
        await customers.update_one({"_id": customer_id}, {"$max": {"lastSeenAt": moment}})


async def track(
    raw_events: Sequence[Any],
    settings: Settings,
    raw_identity: Any = None,
    after_step: Step = no_stop,
    user_agent: str | None = None,
    raw_context: Any = None,
) -> TrackResult:
    """Record a batch; a bad event never rejects its good neighbours.

    The whole batch is read and checked before the first write, so a refused
    event or identify call leaves nothing behind: no customer, session or
    stale hour. Raises InputError for a batch that cannot be read at all (too
    many events, a bad batch ``context``); database errors propagate (the
    caller retries). ``user_agent`` is the request's header: it tells each
    event's browser and whether a bot sent it."""
    if len(raw_events) > settings.ingest_max_batch:
        raise InputError(
            "events", f"{len(raw_events)} events, at most {settings.ingest_max_batch} per batch"
        )
    around = Circumstances(user_agent, parse_context(raw_context))
    result = TrackResult()
    identity: Identity | None = None
    if raw_identity is not None:
        # A bad identify is reported, like a bad event, and never costs the
        # batch its events.
        try:
            identity = parse_identity(raw_identity)
        except InputError as error:
            result.identify_error = str(error)

    now = utc_now()
    valid: list[tuple[int, IncomingEvent]] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_events):
        parsed = parse_event(raw, settings, now)
        if isinstance(parsed, str):
            event_id = raw.get("eventId") if isinstance(raw, dict) else None
            result.results.append(EventResult(index, encodable(event_id), "rejected", parsed))
        elif parsed.event_id in seen:
            result.results.append(EventResult(index, parsed.event_id, "duplicate"))
        else:
            seen.add(parsed.event_id)
            valid.append((index, parsed))

    # A stored event is never planned again from what was sent now: with
    # another customer or time it would make that customer or a session empty
    # of events. Its own delivery did everything up to its insert; only the
    # counts may be missing, if that delivery was cut short.
    stored = await _stored([event for _, event in valid])
    fresh = [(index, event) for index, event in valid if event.event_id not in stored]

    if identity is not None:
        try:
            result.customer = await identify(identity)
        except InputError as error:
            result.identify_error = str(error)

    customers = await _customers([event for _, event in fresh])
    await after_step("customers")

    gap = timedelta(minutes=settings.session_gap_minutes)
    plans: list[Plan] = []
    for distinct_id, customer in customers.items():
        own = [event for _, event in fresh if event.distinct_id == distinct_id]
        plans += await plan_sessions(customer, own, gap, lambda event: around.of(event)[0].bot)
    await after_step("plan")

    touched = sorted({hour for plan in plans for hour in plan.hours})
    moments = touched_slices(event.timestamp for plan in plans for event in plan.events)
    await mark_dirty(touched, moments)
    await after_step("dirty")

    for plan in plans:
        await apply_plan(plan)
    await after_step("sessions")

    session_of = {id(event): plan for plan in plans for event in plan.events}
    documents = [_event_document(session_of[id(event)], event, around) for _, event in fresh]
    # Stored meanwhile by a concurrent delivery: duplicates all the same.
    raced = await _insert(documents)
    await mark_dirty(touched, moments)
    await after_step("events")

    await _recount(
        [plan.session_id for plan in plans] + [found.session_id for found in stored.values()],
        [(_customer_id(plan), plan.end) for plan in plans]
        + [(found.customer_id, found.timestamp) for found in stored.values()],
    )
    await after_step("counts")

    for position, (index, event) in enumerate(fresh):
        status: Status = "duplicate" if position in raced else "accepted"
        result.results.append(EventResult(index, event.event_id, status))
    result.results += [
        EventResult(index, event.event_id, "duplicate")
        for index, event in valid
        if event.event_id in stored
    ]
    result.results.sort(key=lambda item: item.index)
    for status in ("accepted", "duplicate", "rejected"):
        if amount := result.count(status):
            counted.add(amount, {"status": status})
    return result


def _customer_id(plan: Plan) -> PydanticObjectId:
    assert plan.customer.id is not None
    return plan.customer.id
