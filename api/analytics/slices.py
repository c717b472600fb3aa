"""Five-minute slices of an hour's events, so that recomputing an hour reads
only the part of it that changed.

While websites send events, the current hour is stale on nearly every read,
and recomputing it from all of its events costs more the later in the hour it
is (tens of thousands of events by the end of a busy one). Each slice keeps
its own ``seq``/``clean`` pair and figures in one document per hour
(``analytics_slices``, ``_id`` = the hour key, fields ``m00`` … ``m55``), kept
by the same protocol as the hours: writers bump ``seq`` before and after they
write, readers store figures as clean only for the ``seq`` they read. A slice
holds event figures only (types and pages): sessions are counted in the hour
they start in and are read whole, and no slice holds a customer id.

A slice that was never marked (the hour was seeded or rebuilt) has no state:
its events are read and, if the hour has a slices document, stored as clean
unless a mark arrived meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import Binary

from api.analytics.documents import AnalyticsSlices
from api.analytics.figures import EVENT_FIELDS, READ_BATCH, Figures, pack, unpack
from api.core.hourkeys import hour_key, hour_start
from api.db.client import upsert_one
from api.events.documents import Event

SLICE = timedelta(minutes=5)
MINUTES = tuple(range(0, 60, 5))


def name(minute: int) -> str:
    return f"m{minute:02d}"


def minute_of(moment: datetime) -> int:
    """The first minute of the slice a moment falls in (UTC)."""
    minute = moment.astimezone(UTC).minute if moment.tzinfo else moment.minute
    return minute - minute % 5


def touched(moments: Iterable[datetime]) -> dict[str, set[int]]:
    """The slices these moments fall in, by hour key."""
    found: dict[str, set[int]] = {}
    for moment in moments:
        found.setdefault(hour_key(moment), set()).add(minute_of(moment))
    return found


async def mark(hours: Iterable[str], slices: Mapping[str, Iterable[int]] | None) -> None:
    """Bump ``seq`` of the given slices, or of every slice of ``hours`` when
    ``slices`` is None (a writer that does not know its events' minutes)."""
    wanted = {key: MINUTES for key in hours} if slices is None else slices
    collection = AnalyticsSlices.get_pymongo_collection()
    for key in sorted(wanted):
        minutes = sorted(set(wanted[key]))
        if minutes:
            bump = {f"{name(minute)}.seq": 1 for minute in minutes}
            await upsert_one(collection, {"_id": key}, {"$inc": bump})


async def hour_events(key: str) -> Figures:
    """The event figures of the whole hour ``key``: stored slices where clean;
    the stale ones from the raw events of the span they cover, in one read, and
    stored."""
    collection = AnalyticsSlices.get_pymongo_collection()
    doc = await collection.find_one({"_id": key})
    parts: dict[int, Figures] = {}
    stale: dict[int, dict[str, Any] | None] = {}
    for minute in MINUTES:
        state = (doc or {}).get(name(minute))
        if state is not None and state.get("clean") == state.get("seq"):
            parts[minute] = unpack(state.get("figures"))
        else:
            stale[minute] = state
            parts[minute] = Figures()
    if stale:
        start = hour_start(key)
        low = start + timedelta(minutes=min(stale))
        high = start + timedelta(minutes=max(stale)) + SLICE
        events = Event.get_pymongo_collection().find(
            {"hour": key, "timestamp": {"$gte": low, "$lt": high}},
            EVENT_FIELDS,
            batch_size=READ_BATCH,
        )
        async for event in events:
            minute = minute_of(event["timestamp"])
            if minute in stale:
                parts[minute].add_event(event)
        if doc is not None:
            for minute, state in stale.items():
                await _store(key, minute, state, parts[minute])
    total = Figures()
    for part in parts.values():
        total.merge(part)
    return total


async def _store(key: str, minute: int, state: dict[str, Any] | None, figures: Figures) -> None:
    field = name(minute)
    blob = Binary(pack(figures))
    collection = AnalyticsSlices.get_pymongo_collection()
    if state is None:
        # Never marked: stored as clean at seq 0, unless marked meanwhile.
        await collection.update_one(
            {"_id": key, field: {"$exists": False}},
            {"$set": {field: {"seq": 0, "clean": 0, "figures": blob}}},
        )
    else:
        await collection.update_one(
            {"_id": key, f"{field}.seq": state["seq"]},
            {"$set": {f"{field}.clean": state["seq"], f"{field}.figures": blob}},
        )


async def forget(first: str | None, last: str | None) -> None:
    """Drop the slices of the hours from ``first`` to ``last`` (all when open):
    after a rebuild from the raw events they are recomputed when next needed."""
    bounds: dict[str, Any] = {}
    if first is not None:
        bounds["$gte"] = first
    if last is not None:
        bounds["$lte"] = last
    await AnalyticsSlices.get_pymongo_collection().delete_many({"_id": bounds} if bounds else {})
