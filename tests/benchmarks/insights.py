"""Insights at 10^5, 10^6 and 10^7 events: trends through the API and in the
bare engine, and how long an accepted event takes to show.

    uv run python -m tests.benchmarks.insights [--sizes 100000,1000000,10000000] [--runs 15]

The store is filled straight with Parquet day files (30 days, the store's
own columns and layout, written by DuckDB from generated rows): going
through MongoDB first would measure FerretDB's inserts, not the engine, and
at 10^7 take hours. The freshness figure goes the real way: events sent to
/v1/track of a served app, the app's own background sync, a poller asking
trends until each batch shows. Against a private FerretDB (for keys and the
freshness run), or MONGODB_URI.

Writes bench-output/insights.json and bench-output/insights.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from api.analytics import hours
from api.analytics.service import report
from api.auth.service import create_write_key
from api.db.client import init_documents, make_client
from api.demo.seed import load, midnight_utc
from api.insights import trends as engine
from api.insights.customer import customer_events
from api.insights.properties import shredded_columns
from api.insights.query import Interval, Limits, Math, Property, Series, Trends, Window
from api.insights.store import EVENT_COLUMNS, Store
from tests.benchmarks.report import markdown_table
from tests.benchmarks.run import bench_settings, cpu_model, database, serve

# The tests' visitor browser; importing it sets the tests' environment defaults
# (no background sync), so every Settings here names what it needs.
from tests.conftest import AS_BROWSER

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "bench-output"
DAYS = 30
END = datetime(2030, 1, 31, tzinfo=UTC)  # any month: nothing here depends on now
START = END - timedelta(days=DAYS)

# Generated rows: eight event names, a plan, an amount on purchases, a video
# quality, browsers and countries, about one customer per fifty events.
_ROWS = """
SELECT
  printf('%024x', {offset} + i) AS id,
  ['page_view','page_view','page_view','search','signup','video.play','purchase','feature.used']
    [1 + (hash(i) % 8)::INTEGER] AS name,
  TIMESTAMPTZ '{day}' + to_microseconds(((hash(i * 7) % 86400000000)::BIGINT)) AS timestamp,
  printf('%024x', (hash(i * 11) % {customers})::BIGINT) AS customer_id,
  printf('%024x', ({offset} + i) // 6) AS session_id,
  ['/','/pricing','/docs','/blog','/signup'][1 + (hash(i * 13) % 5)::INTEGER] AS page,
  '{{}}' AS properties,
  (hash(i * 17) % 50 = 0) AS bot,
  ['plan', 'amount', 'video.quality'] AS prop_paths,
  ['string', 'number', 'string'] AS prop_kinds,
  [['free','pro','team'][1 + (hash(i * 19) % 3)::INTEGER],
   ((hash(i * 23) % 20000) / 100.0)::VARCHAR,
   ['hd','sd','4k'][1 + (hash(i * 29) % 3)::INTEGER]] AS prop_texts,
  [NULL, (hash(i * 23) % 20000) / 100.0, NULL]::DOUBLE[] AS prop_numbers,
  NULL::VARCHAR AS referrer,
  ['google.com','t.co','news.ycombinator.com',NULL][1 + (hash(i * 31) % 4)::INTEGER]
    AS referrer_domain,
  ['newsletter','google',NULL][1 + (hash(i * 37) % 3)::INTEGER] AS utm_source,
  NULL::VARCHAR AS utm_medium, NULL::VARCHAR AS utm_campaign,
  NULL::VARCHAR AS utm_term, NULL::VARCHAR AS utm_content,
  ['Chrome','Firefox','Safari','Edge','Samsung Internet'][1 + (hash(i * 41) % 5)::INTEGER]
    AS browser,
  NULL::VARCHAR AS browser_version,
  ['Windows','macOS','iOS','Android','Linux'][1 + (hash(i * 43) % 5)::INTEGER] AS os,
  NULL::VARCHAR AS os_version,
  ['desktop','mobile','tablet'][1 + (hash(i * 47) % 3)::INTEGER] AS device_type,
  ['en-US','de-DE','fr-FR','ja-JP'][1 + (hash(i * 53) % 4)::INTEGER] AS language,
  [390, 1280, 1920][1 + (hash(i * 59) % 3)::INTEGER] AS screen_width,
  [844, 800, 1080][1 + (hash(i * 59) % 3)::INTEGER] AS screen_height,
  ['DE','US','FR','JP','BR','IN'][1 + (hash(i * 61) % 6)::INTEGER] AS country,
  'web' AS device
FROM range({count}) t(i)
"""


def fill(store: Store, size: int) -> float:
    """Writes ``size`` events over DAYS day files; returns the seconds it took."""
    began = time.perf_counter()
    per_day = size // DAYS
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    names = [column for column, _ in EVENT_COLUMNS]
    for index in range(DAYS):
        day = START + timedelta(days=index)
        path = store.day_file(f"{day:%Y-%m-%d}")
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = _ROWS.format(
            offset=index * per_day, day=day.isoformat(), customers=max(1, size // 50), count=per_day
        )
        # As the store writes a day: its property paths shredded into columns.
        shredded = shredded_columns(["amount", "plan", "video.quality"])
        selected = ", ".join(names)
        con.execute(
            f"COPY (SELECT *, {shredded} FROM (SELECT {selected} FROM ({rows})) "
            f"ORDER BY timestamp) TO '{path}' "
            "(FORMAT parquet, COMPRESSION zstd, "
            """KV_METADATA {overflow: 'false', paths: '["amount", "plan", "video.quality"]'})"""
        )
    con.close()
    return time.perf_counter() - began


def queries() -> dict[str, dict[str, Any]]:
    """name -> GraphQL TrendsInput (without range) and the same as a domain query."""
    return {
        "daily count, breakdown $browser": {
            "input": {"series": [{"event": "page_view"}], "breakdown": "$browser"},
            "query": lambda w: Trends(
                (Series("page_view"),), w, breakdown=Property.of("b", "$browser")
            ),
        },
        "daily count, breakdown by property plan": {
            "input": {"series": [{"event": "page_view"}], "breakdown": "plan"},
            "query": lambda w: Trends(
                (Series("page_view"),), w, breakdown=Property.of("b", "plan")
            ),
        },
        "P90 of amount by plan, hourly": {
            "input": {
                "series": [{"event": "purchase", "math": "P90", "property": "amount"}],
                "breakdown": "plan",
                "interval": "HOUR",
            },
            "query": lambda w: Trends(
                (Series.of("s", "purchase", Math.P90, "amount", ()),),
                w,
                interval=Interval.HOUR,
                breakdown=Property.of("b", "plan"),
            ),
        },
        "weekly unique customers, 2 series, Europe/Berlin": {
            "input": {
                "series": [{"math": "UNIQUE_CUSTOMERS"}, {"event": "signup"}],
                "interval": "WEEK",
                "timeZone": "Europe/Berlin",
            },
            "query": lambda w: Trends(
                (Series(None, Math.UNIQUE_CUSTOMERS), Series("signup")),
                w,
                interval=Interval.WEEK,
                time_zone="Europe/Berlin",
            ),
        },
    }


GRAPHQL = """query Bench($input: TrendsInput!) {
  trends(input: $input) { rows series { label total points { start value } } }
}"""


def p50(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


async def measure_size(uri: str, size: int, runs: int, folder: Path) -> dict[str, Any]:
    # A limit on time well above what is measured: a benchmark reports slowness.
    settings = bench_settings(uri, f"bench_insights_{size}").model_copy(
        update={
            "insights_dir": str(folder),
            "insights_sync_seconds": 0,
            "insights_timeout_seconds": 300,
        }
    )
    store = Store(settings)
    filled = await asyncio.to_thread(fill, store, size)
    on_disk = sum(path.stat().st_size for path in store.day_files().values())
    window = Window.of("range", START, END, Limits())
    results: dict[str, Any] = {"events": size, "fill_s": round(filled, 1), "bytes": on_disk}
    rows = []
    async with serve(settings) as http:
        for name, case in queries().items():
            query = case["query"](window)
            bare: list[float] = []
            through: list[float] = []
            body = {
                "query": GRAPHQL,
                "variables": {
                    "input": {"range": {"from": START.isoformat(), "to": END.isoformat()}}
                    | case["input"]
                },
            }
            for attempt in range(runs + 2):  # two to warm up
                async with store.reader(START, END) as con:
                    began = time.perf_counter()
                    await asyncio.to_thread(engine.run, con, query)
                    spent = time.perf_counter() - began
                began = time.perf_counter()
                response = await http.post("/graphql", json=body)
                took = time.perf_counter() - began
                assert response.status_code == 200 and "errors" not in response.json(), (
                    response.text
                )
                if attempt >= 2:
                    bare.append(spent)
                    through.append(took)
            rows.append({"query": name, "engine_p50_ms": p50(bare), "api_p50_ms": p50(through)})
            print(f"  {size:>10,} {name}: engine {p50(bare)} ms, API {p50(through)} ms", flush=True)
    results["queries"] = rows
    return results


async def freshness(uri: str, folder: Path, seconds: float) -> dict[str, Any]:
    """Batches sent while events flow; each one's time from accepted to visible."""
    settings = bench_settings(uri, "bench_insights_fresh").model_copy(
        # The default sync period, whatever the environment says (the tests' is off).
        update={"insights_dir": str(folder), "insights_sync_seconds": 10}
    )
    client = make_client(settings)
    await client.drop_database(settings.mongodb_db)
    await client.close()
    latencies: list[float] = []
    accepted: dict[str, float] = {}
    async with serve(settings) as http:
        write_key = (await create_write_key("bench.example", "benchmarks")).key
        stop = time.monotonic() + seconds

        async def send() -> None:
            number = 0
            while time.monotonic() < stop:
                marker = f"b{number:04d}"
                events = [
                    {
                        "eventId": str(uuid.uuid4()),
                        "distinctId": f"v{n}",
                        "type": "page_view",
                        "page": "/",
                        "timestamp": datetime.now(UTC).isoformat(),
                        "metadata": {"batch": marker},
                    }
                    for n in range(20)
                ]
                response = await http.post(
                    "/v1/track",
                    json={"events": events},
                    # A visitor's browser: httpx's own user agent is a bot's.
                    headers={"Authorization": f"Bearer {write_key}", **AS_BROWSER},
                )
                assert response.status_code == 200, response.text
                accepted[marker] = time.monotonic()
                number += 1
                await asyncio.sleep(2)

        async def poll() -> None:
            seen: set[str] = set()
            # Until the sender is done and every batch it sent was seen (or 90 s more).
            while time.monotonic() < stop or (
                len(seen) < len(accepted) and time.monotonic() < stop + 90
            ):
                now = datetime.now(UTC)
                body = {
                    "query": GRAPHQL.replace("label total", "label breakdownValue total"),
                    "variables": {
                        "input": {
                            "range": {
                                "from": (now - timedelta(hours=1)).isoformat(),
                                "to": (now + timedelta(minutes=5)).isoformat(),
                            },
                            "series": [{"event": "page_view"}],
                            "breakdown": "batch",
                            "breakdownLimit": 50,
                            "interval": "HOUR",
                        }
                    },
                }
                answer = (await http.post("/graphql", json=body)).json()["data"]["trends"]
                for line in answer["series"]:
                    marker = line["breakdownValue"]
                    if marker in accepted and marker not in seen and line["total"] == 20:
                        seen.add(marker)
                        latencies.append(time.monotonic() - accepted[marker])
                await asyncio.sleep(0.5)

        await asyncio.gather(send(), poll())
    cuts = statistics.quantiles(latencies, n=20, method="inclusive")
    return {
        "batches": len(latencies),
        "sync_seconds": settings.insights_sync_seconds,
        "p50_s": round(statistics.median(latencies), 1),
        "p95_s": round(cuts[18], 1),
        "max_s": round(max(latencies), 1),
    }


async def comparison(uri: str, folder: Path, customers: int, runs: int) -> dict[str, Any]:
    """The customer page's 90-day comparison on the demo data: the customer's
    own events read from MongoDB, and from the store (api/insights/customer.py)."""
    settings = bench_settings(uri, "bench_insights_compare").model_copy(
        update={"insights_dir": str(folder), "insights_sync_seconds": 0}
    )
    client = make_client(settings)
    await client.drop_database(settings.mongodb_db)
    await init_documents(client, settings.mongodb_db)
    anchor = midnight_utc()
    seeded = await load(client[settings.mongodb_db], customers, 1, anchor, progress=False)
    await hours.rebuild()
    store = Store(settings)
    await store.sync(rebuild=True)
    # The customer with the most events of one session's worth of a sample.
    sample = await client[settings.mongodb_db]["events"].find({}, {"customerId": 1}).to_list(5000)
    busiest = max(
        {doc["customerId"] for doc in sample},
        key=lambda c: sum(doc["customerId"] == c for doc in sample),
    )
    timings: dict[str, dict[str, list[float]]] = {}
    from_store = partial(customer_events, store)
    for label, (start, end, zone) in comparison_ranges(datetime.now(UTC)).items():
        times = timings[label] = {"mongodb": [], "store": []}
        for attempt in range(runs + 1):
            began = time.perf_counter()
            await report(start, end, 400, customer_id=busiest, time_zone=zone)
            middle = time.perf_counter()
            await report(
                start, end, 400, customer_id=busiest, time_zone=zone, customer_events=from_store
            )
            if attempt:  # the first is a warm-up
                times["mongodb"].append(middle - began)
                times["store"].append(time.perf_counter() - middle)
    await client.close()
    return {
        "events": seeded.events,
        "customers": seeded.customers,
        "ranges": {
            label: {"mongodb_p50_ms": p50(times["mongodb"]), "store_p50_ms": p50(times["store"])}
            for label, times in timings.items()
        },
    }


def comparison_ranges(now: datetime) -> dict[str, tuple[datetime, datetime, str]]:
    """The customer page's range (the 90 local days up to tomorrow's midnight,
    web/src/ui/dates.ts) in a zone at UTC and in one that is not, and a
    rolling 90 days ending now, whose ends cut through two hours."""
    ranges: dict[str, tuple[datetime, datetime, str]] = {}
    for zone in ("UTC", "Europe/Berlin"):
        local = now.astimezone(ZoneInfo(zone)).replace(hour=0, minute=0, second=0, microsecond=0)
        # Wall-clock arithmetic (ZoneInfo's), so a DST change in the range moves no midnight.
        start, end = local - timedelta(days=89), local + timedelta(days=1)
        ranges[f"page, {zone}"] = (start.astimezone(UTC), end.astimezone(UTC), zone)
    ranges["rolling, UTC"] = (now - timedelta(days=90), now, "UTC")
    return ranges


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Measured {report['date']} on {report['machine']} ({report['cores']} cores), "
        f"commit {report['commit']}, DuckDB {report['duckdb']}. p50 of {report['runs']} runs, "
        "30-day range; the API figure is the whole GraphQL request over HTTP.",
        "",
    ]
    rows = []
    for size in report["sizes"]:
        for row in size["queries"]:
            ratio = row["api_p50_ms"] / row["engine_p50_ms"] if row["engine_p50_ms"] else 0
            rows.append(
                [
                    f"{size['events']:,}",
                    row["query"],
                    f"{row['engine_p50_ms']}",
                    f"{row['api_p50_ms']}",
                    f"{ratio:.2f}x",
                ]
            )
    lines.append(
        markdown_table(["events", "query", "engine p50 ms", "API p50 ms", "API / engine"], rows)
    )
    lines.append("")
    sizes = [
        [f"{s['events']:,}", f"{s['bytes'] / 1e6:.1f} MB", f"{s['fill_s']} s"]
        for s in report["sizes"]
    ]
    lines.append(markdown_table(["events", "Parquet on disk", "generated in"], sizes))
    compared = report.get("comparison")
    if compared:
        lines += [
            "",
            f"The customer page's 90-day comparison on the demo data ({compared['customers']:,} "
            f"customers, {compared['events']:,} events), report() for its busiest customer, "
            "p50 ms with their events read from MongoDB and from the store:",
            "",
            markdown_table(
                ["range", "from MongoDB", "from the store"],
                [
                    [label, f"{row['mongodb_p50_ms']}", f"{row['store_p50_ms']}"]
                    for label, row in compared["ranges"].items()
                ],
            ),
        ]
    fresh = report.get("freshness")
    if fresh:
        lines += [
            "",
            f"Accepted to visible while events flow ({fresh['batches']} batches of 20, one every "
            f"2 s, sync every {fresh['sync_seconds']} s): p50 {fresh['p50_s']} s, "
            f"p95 {fresh['p95_s']} s, max {fresh['max_s']} s.",
        ]
    return "\n".join(lines) + "\n"


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    with database() as (uri, _), tempfile.TemporaryDirectory(prefix="insights-bench-") as tmp:
        report: dict[str, Any] = {
            "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "machine": cpu_model(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "commit": commit(),
            "runs": args.runs,
            "sizes": [],
        }
        for size in args.sizes:
            folder = Path(tmp) / str(size)
            report["sizes"].append(await measure_size(uri, size, args.runs, folder))
            await asyncio.to_thread(shutil.rmtree, folder, True)
        if args.compare_customers:
            print("  comparison...", flush=True)
            report["comparison"] = await comparison(
                uri, Path(tmp) / "compare", args.compare_customers, args.runs
            )
        if args.fresh_seconds:
            print("  freshness...", flush=True)
            report["freshness"] = await freshness(uri, Path(tmp) / "fresh", args.fresh_seconds)
        return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        type=lambda v: [int(x) for x in v.split(",") if x],
        default=[10**5, 10**6, 10**7],
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--fresh-seconds", type=float, default=60)
    parser.add_argument("--compare-customers", type=int, default=1000)
    args = parser.parse_args()
    report = asyncio.run(main_async(args))
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "insights.json").write_text(json.dumps(report, indent=2))
    (OUTPUT / "insights.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
