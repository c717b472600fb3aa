"""The current hour: what an analytics read pays while websites send events.

    uv run python -m tests.benchmarks.current_hour [--events 20000] [--others 100000]

The hour that is receiving events is stale on nearly every read, so each read
recomputes it. This measures one recomputation of an hour holding ``--events``
events (in a collection holding ``--others`` more, in other hours), three ways:
the whole hour from its raw events (what every read paid before the hour was
cut into slices), one stale five-minute slice of twelve (the steady state while
events arrive), and all twelve stale (the first read after the hour was marked
as a whole, as an erasure does). Against a private FerretDB, or MONGODB_URI.

Writes bench-output/current-hour.json and bench-output/current-hour.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from api.analytics import hours
from api.db.client import init_documents, make_client
from tests.benchmarks.report import markdown_table
from tests.benchmarks.run import bench_settings, cpu_model, database, database_kind

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "bench-output"
NAME = "bench_current_hour"
HOUR_START = datetime(2030, 1, 1, 10, tzinfo=UTC)  # any hour: nothing here depends on now
KEY = "2030-01-01T10"


def documents(count: int, start: datetime, spread: timedelta, prefix: str) -> list[dict[str, Any]]:
    step = spread / count
    return [
        {
            "_id": f"{prefix}{n}",
            "hour": f"{(start + step * n):%Y-%m-%dT%H}",
            "type": "page_view" if n % 3 else "add_to_cart",
            "page": f"/product/{n % 200}",
            "timestamp": start + step * n,
            "metadata": {"timeSpent": n % 40},
            "sessionId": f"s{n % 500}",
            "customerId": f"c{n % 300}",
        }
        for n in range(count)
    ]


async def median_of(
    runs: int, prepare: Callable[[], Awaitable[None]], work: Callable[[], Awaitable[Any]]
) -> float:
    samples = []
    for _ in range(runs):
        await prepare()
        started = time.perf_counter()
        await work()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1000, 1)


async def measure(uri: str, events: int, others: int, runs: int) -> dict[str, Any]:
    client = make_client(bench_settings(uri, NAME))
    try:
        await client.drop_database(NAME)
        await init_documents(client, NAME)
        collection = client[NAME]["events"]
        batches = [
            *documents(events, HOUR_START, timedelta(hours=1), "h"),
            *documents(others, HOUR_START - timedelta(days=30), timedelta(days=29), "o"),
        ]
        for index in range(0, len(batches), 1000):
            await collection.insert_many(batches[index : index + 1000])
        server = await database_kind(client)

        async def nothing() -> None:
            pass

        async def one_slice() -> None:
            await hours.mark_dirty([KEY], {KEY: {55}})

        async def all_slices() -> None:
            await hours.mark_dirty([KEY])

        await all_slices()
        await hours.compute_hour(KEY)  # every slice stored once
        end = HOUR_START + timedelta(hours=1)
        return {
            "server": server,
            "whole_hour_ms": await median_of(
                runs, nothing, lambda: hours.compute_hour(KEY, HOUR_START, end)
            ),
            "one_slice_ms": await median_of(runs, one_slice, lambda: hours.compute_hour(KEY)),
            "all_slices_ms": await median_of(runs, all_slices, lambda: hours.compute_hour(KEY)),
        }
    finally:
        await client.drop_database(NAME)
        await client.close()


def report(result: dict[str, Any]) -> str:
    server = result["server"]
    rows = [
        ["the whole hour from raw events (before slices)", f"{result['whole_hour_ms']:,}"],
        ["one stale slice of twelve (events arriving)", f"{result['one_slice_ms']:,}"],
        ["all twelve slices stale (one read of the hour)", f"{result['all_slices_ms']:,}"],
    ]
    return f"""- Run {result["date"]}: {result["events"]:,} events in the hour, {result["others"]:,}
  in other hours; median of {result["runs"]} recomputations each. {result["machine"]},
  {server["kind"]} {server["version"]}.

{markdown_table(["recomputing the current hour", "ms"], rows)}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.current_hour")
    parser.add_argument("--events", type=int, default=20_000, help="in the hour (default 20000)")
    parser.add_argument("--others", type=int, default=100_000, help="elsewhere (default 100000)")
    parser.add_argument("--runs", type=int, default=7, help="recomputations per way (default 7)")
    args = parser.parse_args(argv)
    with database() as (uri, _storage):
        result = asyncio.run(measure(uri, args.events, args.others, args.runs))
    result.update(
        date=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        events=args.events,
        others=args.others,
        runs=args.runs,
        machine=f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    )
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "current-hour.json").write_text(json.dumps(result, indent=2) + "\n")
    text = report(result)
    (OUTPUT / "current-hour.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
