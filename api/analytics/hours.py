"""Keeping the hourly figures: marking hours stale, recomputing them, rebuilding."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from beanie import Document
from bson import Binary
from pymongo.errors import BulkWriteError

from api.analytics import slices
from api.analytics.documents import AnalyticsDay, AnalyticsHour
from api.analytics.figures import EVENT_FIELDS, READ_BATCH, SESSION_FIELDS, Figures, pack, unpack
from api.core.hourkeys import HOUR, floor_hour, hour_key, hour_start, hours_between
from api.core.steps import Step, no_stop
from api.db.client import upsert_one
from api.db.errors import DUPLICATE_KEY
from api.db.lookup import each_by_id
from api.events.documents import Event
from api.sessions.documents import Session


async def mark_dirty(
    hours: Iterable[str], slices_touched: Mapping[str, Iterable[int]] | None = None
) -> None:
    """Bump ``seq`` of each hour and of its day: their figures must be
    recomputed before use. Their slices first (``slices_touched``, by hour, or
    all of them when None): an hour recomputed between the two marks would
    otherwise read a slice that does not know it changed."""
    keys = sorted(set(hours))
    await slices.mark(keys, slices_touched)
    await _bump(AnalyticsHour, [(key, hour_start(key)) for key in keys])
    await _bump(AnalyticsDay, [(day, day_start(day)) for day in days_of(keys)])


async def _bump(document: type[Document], keys: list[tuple[str, datetime]]) -> None:
    collection = document.get_pymongo_collection()
    for key, start in keys:
        await upsert_one(
            collection,
            {"_id": key},
            {"$inc": {"seq": 1}, "$setOnInsert": {"start": start, "cleanSeq": -1}},
        )


def days_of(hour_keys: Iterable[str]) -> list[str]:
    return sorted({key[:10] for key in hour_keys})


def day_start(day: str) -> datetime:
    return hour_start(f"{day}T00")


def day_hours(day: str) -> list[str]:
    return [f"{day}T{hour:02d}" for hour in range(24)]


async def compute_hour(
    key: str, start: datetime | None = None, end: datetime | None = None
) -> Figures:
    """The figures of hour ``key``: its events' from its slices (only the
    stale ones read from the raw events), its sessions' from the sessions that
    start in it. Optionally only of the part [start, end) of it (for ranges
    that cut through an hour), then all from the raw documents."""
    session_query: dict[str, Any] = {"startHour": key}
    if start is None and end is None:
        figures = await slices.hour_events(key)
    else:
        within = {"$gte": start or hour_start(key), "$lt": end or hour_start(key) + HOUR}
        session_query["startTime"] = within
        figures = Figures()
        events = Event.get_pymongo_collection().find(
            {"hour": key, "timestamp": within}, EVENT_FIELDS, batch_size=READ_BATCH
        )
        async for event in events:
            figures.add_event(event)
    sessions = Session.get_pymongo_collection().find(
        session_query, SESSION_FIELDS, batch_size=READ_BATCH
    )
    async for session in sessions:
        figures.add_session(session)
    return figures


Stream = AsyncIterator[tuple[str, Figures]]


def each_hour(keys: list[str]) -> Stream:
    """(key, figures) of whole hours, recomputing the stale ones first. One at
    a time: a caller that folds them into totals holds one hour, not a range."""
    return _each_current(AnalyticsHour, keys, compute_hour)


def each_day(days: list[str]) -> Stream:
    """(day, figures) of whole UTC days, recomputing stale ones from their hours."""
    return _each_current(AnalyticsDay, days, _compute_day)


async def hour_figures(keys: list[str]) -> dict[str, Figures]:
    return {key: figures async for key, figures in each_hour(keys)}


async def day_figures(days: list[str]) -> dict[str, Figures]:
    return {day: figures async for day, figures in each_day(days)}


async def _compute_day(day: str) -> Figures:
    total = Figures()
    async for _, figures in each_hour(day_hours(day)):
        total.merge(figures)
    return total


async def _each_current(
    document: type[Document], keys: list[str], recompute: Callable[[str], Awaitable[Figures]]
) -> Stream:
    """Stored figures of ``keys`` (sorted), recomputing and storing the stale ones."""
    if not keys:
        return
    wanted = set(keys)
    collection = document.get_pymongo_collection()
    stored: AsyncIterable[dict[str, Any]]
    if len(keys) <= FEW_KEYS:
        stored = _each(await each_by_id(collection, keys))
    else:
        stored = collection.find(
            {"_id": {"$gte": keys[0], "$lte": keys[-1]}}, batch_size=READ_BATCH
        )
    async for doc in stored:
        key = doc["_id"]
        if key not in wanted:
            continue
        if doc.get("cleanSeq") == doc["seq"]:
            yield key, unpack(doc.get("figures"))
        else:
            yield key, await _recomputed(document, key, doc["seq"], recompute)


# Up to this many keys are read one ``_id`` equality each rather than as one
# range: on FerretDB a range reads the whole collection (95 ms for a day's
# hours among 3,000, and growing with history; 19 ms as 24 lookups). A range
# of days has few documents to scan and more keys than this.
FEW_KEYS = 48


async def _each(docs: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for doc in docs:
        yield doc


# Recomputations under way in this process, by (collection, key, seq): readers
# of the same stale hour share one instead of each reading its raw events (the
# current hour is stale on every read while websites send events).
_running: dict[tuple[str, str, int], asyncio.Future[Figures]] = {}


async def _recomputed(
    document: type[Document], key: str, seq: int, recompute: Callable[[str], Awaitable[Figures]]
) -> Figures:
    """The figures of a stale ``key``, recomputed and stored once however many
    readers ask at the same time; they all get the same object, which no
    caller changes (figures are merged into fresh totals)."""
    flight = (document.get_collection_name(), key, seq)
    running = _running.get(flight)
    # (Another event loop's, left by one that closed mid-way, is not ours to await.)
    if running is not None and running.get_loop() is asyncio.get_running_loop():
        return await asyncio.shield(running)
    task = asyncio.ensure_future(_recompute_and_store(document, key, seq, recompute))
    _running[flight] = task
    task.add_done_callback(lambda _: _running.pop(flight, None))
    # Shielded: one reader giving up (a cancelled request) does not cancel the
    # others' shared work.
    return await asyncio.shield(task)


async def _recompute_and_store(
    document: type[Document], key: str, seq: int, recompute: Callable[[str], Awaitable[Figures]]
) -> Figures:
    figures = await recompute(key)
    # Only if nobody marked it again meanwhile; else it stays stale.
    await document.get_pymongo_collection().update_one(
        {"_id": key, "seq": seq},
        {"$set": {"figures": Binary(pack(figures)), "cleanSeq": seq}},
    )
    return figures


async def rebuild(
    start: datetime | None = None,
    end: datetime | None = None,
    after_step: Step = no_stop,
) -> int:
    """Recompute every hour in [start, end) (all hours when open) in one pass over
    the raw events and sessions; also repairs each session's event count, span
    and types. Returns the number of hours written. ``after_step("scanned")``
    lets the tests write while the pass runs."""
    # Whole hours only: an hour is computed from all of its events or not at all.
    if start:
        start = floor_hour(start)
    if end and end != floor_hour(end):
        end = floor_hour(end) + HOUR
    time_filter: dict[str, Any] = {}
    if start:
        time_filter["$gte"] = start
    if end:
        time_filter["$lt"] = end
    event_query = {"timestamp": time_filter} if time_filter else {}
    session_query = {"startTime": time_filter} if time_filter else {}

    # The hours' seq before reading anything: an hour that ingestion marks
    # while the pass runs keeps a newer seq than the one stored as clean, so
    # it stays stale rather than clean without the new events.
    existing, empty = await _existing_hours(time_filter)
    by_hour: dict[str, Figures] = {key: Figures() for key in empty}
    per_session: dict[Any, list[Any]] = {}
    events = Event.get_pymongo_collection().find(event_query, {**EVENT_FIELDS, "sessionId": 1})
    async for event in events:
        by_hour.setdefault(hour_key(event["timestamp"]), Figures()).add_event(event)
        span = per_session.setdefault(event["sessionId"], [0, event["timestamp"], set()])
        span[0] += 1
        span[1] = max(span[1], event["timestamp"])
        span[2].add(event["type"])

    await _repair_sessions(per_session)
    sessions = Session.get_pymongo_collection().find(session_query, SESSION_FIELDS)
    async for session in sessions:
        by_hour.setdefault(hour_key(session["startTime"]), Figures()).add_session(session)

    await after_step("scanned")
    await _write_hours(by_hour, existing)
    # What the slices held may disagree with the raw events just read (the
    # reason to rebuild); they are read again when their hour is next stale.
    await slices.forget(hour_key(start) if start else None, hour_key(end - HOUR) if end else None)
    # Their days are recomputed from the fresh hours on the next read.
    await _bump(AnalyticsDay, [(day, day_start(day)) for day in days_of(by_hour)])
    return len(by_hour)


async def _existing_hours(time_filter: dict[str, Any]) -> tuple[dict[str, int], list[str]]:
    """The stored hours' seq, and those inside the rebuilt range: hours that
    had figures but no longer have data are written as empty."""
    existing: dict[str, int] = {}
    inside: list[str] = []
    async for doc in AnalyticsHour.get_pymongo_collection().find({}, {"seq": 1, "start": 1}):
        existing[doc["_id"]] = doc.get("seq", 0)
        start = doc.get("start")
        if start is not None and all(
            start >= bound if op == "$gte" else start < bound for op, bound in time_filter.items()
        ):
            inside.append(doc["_id"])
    return existing, inside


async def _write_hours(by_hour: dict[str, Figures], existing: dict[str, int]) -> None:
    collection = AnalyticsHour.get_pymongo_collection()
    fresh = []
    for key, figures in by_hour.items():
        blob = Binary(pack(figures))
        if key in existing:
            seq = existing[key]
            await collection.update_one({"_id": key}, {"$set": {"figures": blob, "cleanSeq": seq}})
        else:
            fresh.append({"_id": key, "start": hour_start(key), "seq": 0, "cleanSeq": 0,
                          "figures": blob})  # fmt: skip
    for index in range(0, len(fresh), 1000):
        try:
            await collection.insert_many(fresh[index : index + 1000], ordered=False)
        except BulkWriteError as error:
            # Ingestion marked some of these hours meanwhile: they are dirty
            # now and will be recomputed on read.
            if any(item.get("code") != DUPLICATE_KEY for item in error.details["writeErrors"]):
                raise


async def _repair_sessions(per_session: dict[Any, list[Any]]) -> None:
    """Event counts, ends and types from the events themselves, written only
    where they fall short (monotonic writes, one document per command)."""
    collection = Session.get_pymongo_collection()
    fields = {"eventCount": 1, "endTime": 1, "eventTypes": 1}
    async for session in collection.find({}, fields):
        span = per_session.get(session["_id"])
        if span is None:
            continue
        count, last, types = span
        end = session.get("endTime")
        if (
            session.get("eventCount", 0) >= count
            and end is not None
            and end >= last
            and types <= set(session.get("eventTypes") or ())
        ):
            continue
        await collection.update_one(
            {"_id": session["_id"]},
            {
                "$max": {"eventCount": count, "endTime": last},
                "$addToSet": {"eventTypes": {"$each": sorted(types)}},
            },
        )


Partial = tuple[str, datetime, datetime]


def split_range(start: datetime, end: datetime) -> tuple[list[str], list[Partial]]:
    """Whole hours inside [start, end), and the partial hours at its edges."""
    whole: list[str] = []
    partial: list[Partial] = []
    for key in hours_between(start, end):
        low = hour_start(key)
        high = low + HOUR
        if low >= start and high <= end:
            whole.append(key)
        else:
            partial.append((key, max(low, start), min(high, end)))
    return whole, partial
