"""Exactly-once effect: a batch interrupted between any two steps and sent again
ends exactly as one clean delivery; so do concurrent duplicate deliveries."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict

import pytest

from api.analytics.service import report
from api.ingestion.service import track
from tests.ingest_helpers import NOW, random_batch

STEPS = ["customers", "plan", "dirty", "sessions", "events", "counts"]
COLLECTIONS = [
    "customers",
    "sessions",
    "events",
    "analytics_hours",
    "analytics_days",
    "analytics_slices",
]


class SimulatedCrashError(Exception):
    """Stands for the process dying: nothing after the step runs."""


def crash_after(step):
    async def check(name):
        if name == step:
            raise SimulatedCrashError(step)

    return check


async def snapshot(db):
    """Everything a delivery leaves, without the ids that differ between runs."""
    customers = {c["_id"]: c for c in await db["customers"].find().to_list()}
    events = await db["events"].find().to_list()
    by_session = defaultdict(set)
    for event in events:
        by_session[event["sessionId"]].add(event["eventId"])
    sessions = sorted(
        (
            customers[s["customerId"]]["distinctId"],
            tuple(sorted(by_session[s["_id"]])),
            s["startTime"],
            s["endTime"],
            s["eventCount"],
            tuple(s["eventTypes"]),
            s["startHour"],
            s.get("clientSessionId"),
        )
        for s in await db["sessions"].find().to_list()
    )
    stored_events = sorted(
        (
            e["eventId"],
            e["type"],
            e["page"],
            e["timestamp"],
            repr(e["metadata"]),
            e["hour"],
            customers[e["customerId"]]["distinctId"],
        )
        for e in events
    )
    people = sorted(
        (c["distinctId"], c["name"], c["createdAt"], c["lastSeenAt"]) for c in customers.values()
    )
    return people, sessions, stored_events


async def figures(settings):
    from datetime import timedelta

    found = await report(NOW - timedelta(days=5), NOW + timedelta(hours=1), 366)

    def comparable(figures):
        # Customer ids differ between the two deliveries; their number must not.
        return {**figures.to_doc(), "customers": len(figures.customers)}

    return comparable(found.totals), [(start, comparable(f)) for start, f in found.series]


async def clear(db):
    for name in COLLECTIONS:
        await db[name].delete_many({})


@pytest.mark.parametrize("step", STEPS)
async def test_crash_after_each_step_then_retry(db, settings, step):
    batch = random_batch(random.Random(step), customers=3, size=60)
    clean = await track(batch, settings)
    assert clean.count("accepted") == 60
    expected = await snapshot(db)
    expected_figures = await figures(settings)
    await clear(db)

    with pytest.raises(SimulatedCrashError):
        await track(batch, settings, after_step=crash_after(step))
    retried = await track(batch, settings)
    assert retried.count("rejected") == 0
    assert await snapshot(db) == expected
    assert await figures(settings) == expected_figures

    again = await track(batch, settings)
    assert again.count("duplicate") == 60
    assert await snapshot(db) == expected


@pytest.mark.parametrize("step", ["dirty", "sessions"])
async def test_a_read_while_a_batch_is_half_written_keeps_no_stale_figures(db, settings, step):
    """Analytics read between marking the hours and writing the events store
    the hours without the batch; the finished batch must leave them stale, so
    the next read counts it."""
    batch = random_batch(random.Random(f"read-{step}"), customers=3, size=60)
    await track(batch, settings)
    expected_figures = await figures(settings)
    await clear(db)

    read = []

    async def read_meanwhile(name):
        if name == step:
            read.append(await figures(settings))

    result = await track(batch, settings, after_step=read_meanwhile)
    assert result.count("accepted") == 60
    assert read and read[0] != expected_figures  # the read saw the batch half-written
    assert await figures(settings) == expected_figures


async def test_concurrent_duplicate_deliveries_with_client_sessions(db, settings):
    rng = random.Random(5)
    batch = [
        {**raw, "sessionId": raw.get("sessionId") or f"tab-{raw['distinctId']}"}
        for raw in random_batch(rng, customers=4, size=80)
    ]
    results = await asyncio.gather(*(track(batch, settings) for _ in range(3)))
    assert sum(result.count("accepted") for result in results) == 80
    assert await db["events"].count_documents({}) == 80
    expected = await snapshot(db)
    await clear(db)
    await track(batch, settings)
    assert await snapshot(db) == expected


async def test_concurrent_duplicate_deliveries_over_http_as_a_website(db, settings, website):
    """As the snippet retries: the same batch posted to /v1/track at once, with
    the write key in the body and as bearer, is stored once, as one clean
    delivery. With client session ids, as the snippet sends (docs/ingestion.md,
    "Known limits")."""
    batch = [
        {**raw, "sessionId": raw.get("sessionId") or f"tab-{raw['distinctId']}"}
        for raw in random_batch(random.Random(6), customers=3, size=60)
    ]
    answers = await asyncio.gather(
        *(website.track({"events": batch}, way) for way in ("body", "bearer", "body", "bearer"))
    )
    assert [answer.status_code for answer in answers] == [200] * 4
    assert sum(answer.json()["accepted"] for answer in answers) == 60
    assert sum(answer.json()["duplicates"] for answer in answers) == 3 * 60
    expected = await snapshot(db)
    await clear(db)
    await track(batch, settings)
    assert await snapshot(db) == expected
