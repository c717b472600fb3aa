"""Analytics against a brute-force recomputation from the raw documents.

Data goes in through the real API (trackEvents), so the pre-aggregates are
maintained the way production maintains them; the reference below reads the
raw events and sessions and computes every figure plainly."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from strawberry.relay import GlobalID

from api.analytics.hours import rebuild
from api.ingestion.service import track
from tests.ingest_helpers import NOW, random_batch
from tests.integration.test_access_cli import cli

TRACK = "mutation($e: [TrackEventInput!]!) { trackEvents(events: $e) { accepted rejected } }"
IDENTIFY = (
    "mutation($i: IdentifyCustomerInput!) { identifyCustomer(input: $i) { customer { id } } }"
)
ANALYTICS = """
query($range: AnalyticsRangeInput!, $customer: ID, $tz: String, $g: Granularity) {
  analytics(range: $range, customerId: $customer, timeZone: $tz, granularity: $g) {
    activeCustomers sessions events averageSessionDurationSeconds conversionRate
    eventTypes { type count averageTimeSpentSeconds }
    pages(first: 1000) { page views averageTimeSpentSeconds }
    funnel { step sessions share }
    countries { key sessions share }
    devices { key sessions share }
    timeSeries { start sessions events pageViews checkouts activeCustomers }
    comparison { activeCustomers eventTypes { type customer averageCustomer }
                 pages { page customerViews averageCustomerViews overallAverageTimeSpentSeconds } }
  }
}
"""
COUNTRIES = ["DE", "FR", "US", None]
DEVICES = ["web", "ios", "android"]


def mean(values):
    return sum(values) / len(values) if values else None


async def load(api, rng, batches=6):
    for index in range(8):
        country = COUNTRIES[index % len(COUNTRIES)]
        identity = {"distinctId": f"c{index}", "name": f"Customer {index}"}
        if country:
            identity["country"] = country
        await api.data(IDENTIFY, i=identity)
    for _ in range(batches):
        batch = random_batch(rng, customers=8, size=60, days=4)
        for raw in batch:
            raw["type"] = raw["type"].upper()
            raw["device"] = rng.choice(DEVICES)
        result = await api.data(TRACK, e=batch)
        assert result["trackEvents"]["accepted"] == 60


async def reference(db, start, end, customer=None, tz=UTC, daily=True):
    """Every figure of [start, end), computed directly from the raw documents."""
    event_query = {"timestamp": {"$gte": start, "$lt": end}}
    session_query = {"startTime": {"$gte": start, "$lt": end}}
    if customer is not None:
        event_query["customerId"] = customer
        session_query["customerId"] = customer
    events = await db["events"].find(event_query).to_list()
    sessions = await db["sessions"].find(session_query).to_list()
    all_events_by_session = defaultdict(set)
    for event in await db["events"].find().to_list():
        all_events_by_session[event["sessionId"]].add(event["type"])

    def spent(event):
        value = event["metadata"].get("timeSpent")
        return value if isinstance(value, int | float) else None

    types = []
    for kind in ["SEARCH", "PAGE_VIEW", "ADD_TO_CART", "UPSELL", "CHECKOUT"]:
        own = [e for e in events if e["type"].upper() == kind]
        times = [spent(e) for e in own if spent(e) is not None]
        types.append({"type": kind, "count": len(own), "averageTimeSpentSeconds": mean(times)})
    pages = defaultdict(list)
    for event in events:
        if event["type"] == "page_view":
            pages[event["page"]].append(spent(event))
    page_rows = sorted(
        (
            {"page": page, "views": len(values),
             "averageTimeSpentSeconds": mean([v for v in values if v is not None])}
            for page, values in pages.items()
        ),
        key=lambda row: (-row["views"], row["page"]),
    )  # fmt: skip
    funnel_steps = ["page_view", "add_to_cart", "checkout"]
    funnel = []
    for depth, step in enumerate(funnel_steps):
        reached = [
            s for s in sessions
            if all(t in all_events_by_session[s["_id"]] for t in funnel_steps[: depth + 1])
        ]  # fmt: skip
        funnel.append({"step": step.upper(), "sessions": len(reached),
                       "share": len(reached) / len(sessions) if sessions else None})  # fmt: skip
    converted = [s for s in sessions if "checkout" in all_events_by_session[s["_id"]]]

    def breakdown(field):
        counts = Counter(s.get(field) or None for s in sessions)
        return sorted(
            ({"key": key, "sessions": n, "share": n / len(sessions)} for key, n in counts.items()),
            key=lambda row: (-row["sessions"], row["key"] or ""),
        )

    durations = [
        (s["endTime"] - s["startTime"]).total_seconds() for s in sessions if s.get("endTime")
    ]
    series: defaultdict[datetime, dict[str, Any]] = defaultdict(
        lambda: {"sessions": 0, "events": 0, "pageViews": 0, "checkouts": 0, "c": set()}
    )

    def bucket(moment):
        local = moment.astimezone(tz)
        if daily:
            return local.replace(hour=0, minute=0, second=0, microsecond=0)
        return local.replace(minute=0, second=0, microsecond=0)

    for event in events:
        point = series[bucket(event["timestamp"])]
        point["events"] += 1
        point["pageViews"] += event["type"] == "page_view"
        point["checkouts"] += event["type"] == "checkout"
    for session in sessions:
        point = series[bucket(session["startTime"])]
        point["sessions"] += 1
        point["c"].add(session["customerId"])
    return {
        "activeCustomers": len({s["customerId"] for s in sessions}),
        "sessions": len(sessions),
        "events": len(events),
        "averageSessionDurationSeconds": mean(durations),
        "conversionRate": len(converted) / len(sessions) if sessions else None,
        "eventTypes": types,
        "pages": page_rows,
        "funnel": funnel,
        "countries": breakdown("country"),
        "devices": breakdown("device"),
        "series": {
            key: {
                **{k: v for k, v in value.items() if k != "c"},
                "activeCustomers": len(value["c"]),
            }
            for key, value in series.items()
        },
    }


def close(got, want):
    """Equal, but floats only to 1e-9 relative (sums are added in another order)."""
    if isinstance(want, float) and isinstance(got, int | float):
        return got == pytest.approx(want, rel=1e-9)
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and got.keys() == want.keys()
            and all(close(got[key], want[key]) for key in want)
        )
    if isinstance(want, list):
        return len(got) == len(want) and all(close(a, b) for a, b in zip(got, want, strict=True))
    return got == want


def assert_matches(got, want):
    keys = ["activeCustomers", "sessions", "events", "eventTypes", "pages", "funnel",
            "countries", "devices", "averageSessionDurationSeconds", "conversionRate"]  # fmt: skip
    for key in keys:
        assert close(got[key], want[key]), (key, got[key], want[key])
    nonempty = {
        datetime.fromisoformat(point["start"]): {k: v for k, v in point.items() if k != "start"}
        for point in got["timeSeries"]
        if point["events"] or point["sessions"]
    }
    assert nonempty == want["series"]


def window(start, end):
    return {"from": start.isoformat(), "to": end.isoformat()}


@pytest.fixture
async def loaded(api, db):
    await load(api, random.Random(11))
    return api


RANGES = [
    # whole days, then ranges cutting through hours at both ends
    (NOW - timedelta(days=5), NOW + timedelta(hours=2)),
    (NOW - timedelta(days=2, minutes=17), NOW - timedelta(hours=3, minutes=41)),
    (NOW - timedelta(hours=30, seconds=5), NOW - timedelta(hours=29, minutes=59)),
]


@pytest.mark.parametrize("start,end", RANGES)
async def test_global_figures_equal_brute_force(loaded, db, start, end):
    got = (await loaded.data(ANALYTICS, range=window(start, end)))["analytics"]
    assert_matches(got, await reference(db, start, end))
    assert [row["type"] for row in got["eventTypes"]] == [
        "SEARCH", "PAGE_VIEW", "ADD_TO_CART", "UPSELL", "CHECKOUT",
    ]  # fmt: skip
    assert got["comparison"] is None


async def test_time_zone_and_hourly_buckets(loaded, db):
    start, end = NOW - timedelta(days=4), NOW
    tz = ZoneInfo("America/New_York")
    got = (await loaded.data(ANALYTICS, range=window(start, end), tz="America/New_York"))[
        "analytics"
    ]
    assert_matches(got, await reference(db, start, end, tz=tz))
    days = [datetime.fromisoformat(p["start"]) for p in got["timeSeries"]]
    assert all(d.astimezone(tz).hour == 0 for d in days) and len(days) == len(set(days))
    hourly = (await loaded.data(ANALYTICS, range=window(start, end), g="HOUR"))["analytics"]
    assert_matches(hourly, await reference(db, start, end, daily=False))
    assert len(hourly["timeSeries"]) == 4 * 24 + (1 if start.minute or start.second else 0)


async def test_customer_figures_and_comparison(loaded, db):
    customer = await db["customers"].find_one({"distinctId": "c3"})
    start, end = NOW - timedelta(days=5), NOW + timedelta(hours=1)
    got = (
        await loaded.data(
            ANALYTICS,
            range=window(start, end),
            customer=str(GlobalID("Customer", str(customer["_id"]))),
        )
    )["analytics"]
    assert_matches(got, await reference(db, start, end, customer=customer["_id"]))
    everyone = await reference(db, start, end)
    people = everyone["activeCustomers"]
    comparison = got["comparison"]
    assert comparison["activeCustomers"] == people
    for row, overall in zip(comparison["eventTypes"], everyone["eventTypes"], strict=True):
        assert row["averageCustomer"] == pytest.approx(overall["count"] / people)
    overall_pages = {row["page"]: row for row in everyone["pages"]}
    for row in comparison["pages"]:
        assert row["averageCustomerViews"] == pytest.approx(
            overall_pages[row["page"]]["views"] / people
        )


AGGREGATES = ["analytics_hours", "analytics_days", "analytics_slices"]


async def test_new_events_show_at_once_and_rebuild_agrees(loaded, db, settings):
    start, end = NOW - timedelta(days=5), NOW + timedelta(hours=2)
    before = (await loaded.data(ANALYTICS, range=window(start, end)))["analytics"]
    batch = random_batch(random.Random(99), customers=3, size=40, days=1)
    for raw in batch:
        raw["type"] = raw["type"].upper()
    await loaded.data(TRACK, e=batch)
    after = (await loaded.data(ANALYTICS, range=window(start, end)))["analytics"]
    assert after["events"] == before["events"] + 40
    assert_matches(after, await reference(db, start, end))

    # Throw every aggregate away and rebuild them from the raw events, with the
    # command an operator runs.
    for name in AGGREGATES:
        await db[name].delete_many({})
    result = await cli(settings, "analytics", "rebuild")
    assert result.returncode == 0, result.stderr
    # One hour written for every hour an event or a session starts in.
    hours = {event["hour"] for event in await db["events"].find({}, {"hour": 1}).to_list()}
    hours |= {s["startHour"] for s in await db["sessions"].find({}, {"startHour": 1}).to_list()}
    assert result.stdout.startswith(f"rebuilt {len(hours):,} hours of analytics in ")
    stored = await db["analytics_hours"].find().to_list()
    assert {doc["_id"] for doc in stored} == hours
    assert all(doc["cleanSeq"] == doc["seq"] and doc["figures"] for doc in stored)

    rebuilt = (await loaded.data(ANALYTICS, range=window(start, end)))["analytics"]
    assert_matches(rebuilt, await reference(db, start, end))
    hourly_start = NOW - timedelta(days=2, minutes=17)
    hourly = (await loaded.data(ANALYTICS, range=window(hourly_start, end), g="HOUR"))["analytics"]
    assert_matches(hourly, await reference(db, hourly_start, end, daily=False))


async def test_events_sent_while_rebuilding_are_counted(loaded, db, settings):
    """A batch stored after the rebuild read the raw events, before it writes
    the hours: those hours must stay stale, not become current without it."""
    start, end = NOW - timedelta(days=5), NOW + timedelta(hours=2)
    batch = random_batch(random.Random(7), customers=3, size=40, days=1)

    async def send_meanwhile(step):
        assert step == "scanned"
        assert (await track(batch, settings)).count("accepted") == 40

    await rebuild(after_step=send_meanwhile)
    got = (await loaded.data(ANALYTICS, range=window(start, end)))["analytics"]
    assert_matches(got, await reference(db, start, end))


@pytest.mark.parametrize(
    "variables,fragment",
    [
        ({"range": window(NOW, NOW - timedelta(hours=1))}, "range: 'to' must be after 'from'"),
        ({"range": window(NOW - timedelta(days=400), NOW)}, "range: spans more than 366 days"),
        ({"range": window(NOW - timedelta(days=1), NOW), "tz": "Mars/Olympus"}, "timeZone"),
        ({"range": window(NOW - timedelta(days=200), NOW), "g": "HOUR"}, "granularity"),
        ({"range": {"from": "yesterday", "to": "today"}}, "yesterday"),
        ({"range": window(NOW - timedelta(days=1), NOW), "customer": "nope"}, "customerId"),
    ],
)
async def test_bad_ranges_are_bad_user_input(api, variables, fragment):
    body = await api.graphql(ANALYTICS, **variables)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["message"]


async def test_whole_utc_days_are_read_as_day_documents(loaded, db):
    start, end = NOW - timedelta(days=5), NOW + timedelta(hours=2)
    got = (await loaded.data(ANALYTICS, range=window(start, end)))["analytics"]
    assert_matches(got, await reference(db, start, end))
    first_whole = (start + timedelta(days=1)).strftime("%Y-%m-%d")
    day = await db["analytics_days"].find_one({"_id": first_whole})
    assert day is not None and day["cleanSeq"] == day["seq"] and day["figures"]
    # In a zone away from UTC, days are made of hours instead, and still agree.
    tz = ZoneInfo("Asia/Tokyo")
    local = (await loaded.data(ANALYTICS, range=window(start, end), tz="Asia/Tokyo"))["analytics"]
    assert_matches(local, await reference(db, start, end, tz=tz))
