"""Recomputing stale hours under load: readers share one recomputation, and an
hour's raw events are summed as they stream in, never held in memory at once.

Both keep the API's memory flat while websites send events and analysts read
the hours those events keep changing (docs/performance.md, "Memory over time")."""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.monitoring import CommandListener, CommandStartedEvent, CommandSucceededEvent

from api.analytics import hours
from api.analytics.documents import AnalyticsHour
from api.analytics.figures import EVENT_FIELDS, Figures, unpack
from api.analytics.hours import compute_hour, hour_figures, mark_dirty, rebuild
from api.core.hourkeys import HOUR, floor_hour, hour_key, hour_start
from api.db.client import init_documents, make_client
from api.ingestion.service import track
from api.settings import Settings
from tests.ingest_helpers import NOW, event

KEY = "2026-03-04T10"
START = datetime(2026, 3, 4, 10, tzinfo=UTC)


class Gate:
    """A recomputation that waits until released, counting how often it runs."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = asyncio.Event()

    async def __call__(self, key: str) -> Figures:
        self.calls += 1
        await self.release.wait()
        return Figures(events=42)


async def stale_hour() -> int:
    await mark_dirty([KEY])
    doc = await AnalyticsHour.get_pymongo_collection().find_one({"_id": KEY})
    assert doc is not None and doc["cleanSeq"] != doc["seq"]
    seq: int = doc["seq"]
    return seq


async def until_calls(gate: Gate, calls: int) -> None:
    for _ in range(200):
        if gate.calls >= calls:
            return
        await asyncio.sleep(0.01)


def readers(count: int, seq: int, gate: Gate) -> list[asyncio.Task[Figures]]:
    return [
        asyncio.ensure_future(hours._recomputed(AnalyticsHour, KEY, seq, gate))
        for _ in range(count)
    ]


async def test_readers_of_a_stale_hour_share_one_recomputation(db: AsyncDatabase[Any]) -> None:
    seq = await stale_hour()
    gate = Gate()
    waiting = readers(5, seq, gate)
    await until_calls(gate, 1)
    await asyncio.sleep(0.05)  # the others have joined by now
    gate.release.set()
    results = await asyncio.gather(*waiting)
    assert gate.calls == 1
    assert all(result is results[0] for result in results) and results[0].events == 42
    # Stored once for that seq, and nothing is left behind in the process.
    doc = await db["analytics_hours"].find_one({"_id": KEY})
    assert doc is not None and doc["cleanSeq"] == seq and unpack(doc["figures"]).events == 42
    assert not hours._running


async def test_a_newer_seq_is_recomputed_again(db: AsyncDatabase[Any]) -> None:
    """Events that arrive during a recomputation make the hour stale again: a
    reader after that must not be given the older figures."""
    seq = await stale_hour()
    gate = Gate()
    first = readers(1, seq, gate)
    await until_calls(gate, 1)
    newer = await stale_hour()
    second = readers(1, newer, gate)
    await until_calls(gate, 2)
    gate.release.set()
    await asyncio.gather(*first, *second)
    assert gate.calls == 2
    doc = await db["analytics_hours"].find_one({"_id": KEY})
    assert doc is not None and doc["cleanSeq"] == newer


async def test_one_reader_giving_up_does_not_cancel_the_others(db: AsyncDatabase[Any]) -> None:
    seq = await stale_hour()
    gate = Gate()
    first, second = readers(2, seq, gate)
    await until_calls(gate, 1)
    await asyncio.sleep(0.05)
    first.cancel()  # a request that timed out or whose client went away
    await asyncio.sleep(0)
    gate.release.set()
    assert (await second).events == 42
    assert first.cancelled() and gate.calls == 1


async def test_a_failed_recomputation_reaches_every_reader_and_is_retried(
    db: AsyncDatabase[Any],
) -> None:
    seq = await stale_hour()
    calls = 0

    async def failing(key: str) -> Figures:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        raise ConnectionError("the database went away")

    outcomes = await asyncio.gather(
        *(hours._recomputed(AnalyticsHour, KEY, seq, failing) for _ in range(3)),
        return_exceptions=True,
    )
    assert calls == 1 and all(isinstance(o, ConnectionError) for o in outcomes)
    assert not hours._running
    # The next read tries again (and this time succeeds).
    gate = Gate()
    gate.release.set()
    assert (await hours._recomputed(AnalyticsHour, KEY, seq, gate)).events == 42


async def test_hour_figures_agree_with_the_raw_events(db: AsyncDatabase[Any]) -> None:
    await insert_events(db, 1_200)
    await mark_dirty([KEY])
    figures = (await hour_figures([KEY]))[KEY]
    assert figures.events == 1_200
    assert figures.types["page_view"][0] == 1_200
    assert figures.types["page_view"][1] == sum(n % 7 * 1000 for n in range(1_200))
    # A part of the hour counts only its events.
    part = await compute_hour(KEY, START + timedelta(minutes=30), START + timedelta(minutes=45))
    assert part.events == sum(1 for n in range(1_200) if 30 * 60 <= n * 3 % 3600 < 45 * 60)


async def test_an_hour_is_summed_without_holding_its_events(db: AsyncDatabase[Any]) -> None:
    """The most memory a recomputation takes stays a fraction of what holding
    the hour's events would take, so it does not grow with a busy hour."""
    await insert_events(db, 8_000)
    collection = db["events"]

    async def holding() -> Any:
        return await collection.find({"hour": KEY}, EVENT_FIELDS).to_list()

    held = await peak_of(holding)
    streamed = await peak_of(lambda: compute_hour(KEY))
    assert streamed < held / 4, (streamed, held)


async def peak_of(work: Callable[[], Awaitable[Any]]) -> int:
    tracemalloc.start()
    try:
        result = await work()
        peak = tracemalloc.get_traced_memory()[1]
        del result
        return peak
    finally:
        tracemalloc.stop()


async def insert_events(db: AsyncDatabase[Any], count: int) -> None:
    # Page views spread over the hour, every few seconds; written directly:
    # what is tested here is reading them back.
    docs = [
        {
            "_id": f"event-{n}",
            "hour": KEY,
            "type": "page_view",
            "page": f"/product/{n % 50}",
            "timestamp": START + timedelta(seconds=n * 3 % 3600),
            "metadata": {"timeSpent": n % 7},
            "sessionId": "s",
            "customerId": "c",
        }
        for n in range(count)
    ]
    for index in range(0, count, 1000):
        await db["events"].insert_many(docs[index : index + 1000])


class EventReads(CommandListener):
    """The filters of the finds the app sends to the events collection."""

    def __init__(self) -> None:
        self.filters: list[dict[str, Any]] = []

    def started(self, event: CommandStartedEvent) -> None:
        if event.command_name == "find" and event.command.get("find") == "events":
            self.filters.append(event.command.get("filter", {}))

    def succeeded(self, event: CommandSucceededEvent) -> None:
        pass

    def failed(self, event: Any) -> None:
        pass


async def raw_hour(key: str) -> dict[str, Any]:
    """The hour computed from all of its raw documents (the partial-hour path
    reads them directly, never the slices)."""
    start = hour_start(key)
    return (await compute_hour(key, start, start + HOUR)).to_doc()


async def test_a_stale_hour_reads_only_its_stale_slices(
    db: AsyncDatabase[Any], settings: Settings
) -> None:
    hour = floor_hour(NOW - timedelta(days=1))
    key = hour_key(hour)
    early = [event("a", hour + timedelta(minutes=m, seconds=10)) for m in (2, 17, 33, 48)]
    assert (await track(early, settings)).count("accepted") == 4
    await hour_figures([key])  # every slice read and stored
    later = [
        event("b", hour + timedelta(minutes=21)),
        event("b", hour + timedelta(minutes=24, seconds=59)),
    ]
    assert (await track(later, settings)).count("accepted") == 2

    reads = EventReads()
    client = make_client(settings, [reads])
    try:
        await init_documents(client, settings.mongodb_db)
        figures = (await hour_figures([key]))[key]
    finally:
        await init_documents(db.client, settings.mongodb_db)  # the fixture's again
        await client.close()

    # One read, of the one slice the later batch touched: 10:20 to 10:25.
    assert len(reads.filters) == 1, reads.filters
    within = reads.filters[0]["timestamp"]
    assert within["$gte"] == hour + timedelta(minutes=20)
    assert within["$lt"] == hour + timedelta(minutes=25)
    assert figures.events == 6
    assert figures.to_doc() == await raw_hour(key)


async def test_rebuild_forgets_slices_that_no_longer_match_the_events(
    db: AsyncDatabase[Any], settings: Settings
) -> None:
    """What rebuild is for: raw events changed outside ingestion. A slice kept
    from before would bring the old figures back into the next recomputation."""
    hour = floor_hour(NOW - timedelta(days=2))
    key = hour_key(hour)
    batch = [event("a", hour + timedelta(minutes=m)) for m in (1, 2, 3, 40)]
    await track(batch, settings)
    await hour_figures([key])
    await db["events"].delete_one({"eventId": batch[0]["eventId"]})  # by hand
    await rebuild(hour, hour + HOUR)
    # Ingestion touches another slice of the hour; the hour is read again.
    await track([event("b", hour + timedelta(minutes=50))], settings)
    figures = (await hour_figures([key]))[key]
    assert figures.events == 4
    assert figures.to_doc() == await raw_hour(key)
