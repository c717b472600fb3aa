"""Latency and throughput of the GraphQL API over real HTTP, beside the bare
PyMongo queries it needs (the floor), on a fixed generated dataset; ingest
throughput through POST /v1/track; analytics latency as the data grows.

    uv run python -m tests.benchmarks.run --scale 1.0   # 10,000 customers
    uv run python -m tests.benchmarks.run --scale 0.1   # quick: 1,000 customers
    uv run python -m tests.benchmarks.run --only ingest,analytics

Parts (--only, default all): reads (the GraphQL reads), ingest (batches of 1,
50 and 500 events into an empty scratch database), analytics (a 30-day range
at 1 %, 10 % and 100 % of the scale's dataset: about 10,000, 100,000 and
1,000,000 events at scale 1.0).

Starts its own FerretDB in .cache/bench unless MONGODB_URI is set, loads each
dataset once (later runs reuse it), writes bench-output/benchmark.json (parts
not run keep their last figures at the same scale) and the tables in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from api.auth.roles import Role
from api.auth.service import create_api_key
from api.db.client import init_documents, make_client
from api.server.app import create_app
from api.settings import Settings
from infra import localdb
from tests.api_process import bearer
from tests.api_process import serve as serve_app
from tests.benchmarks import analytics
from tests.benchmarks.ingest import EventStream, send
from tests.benchmarks.queries import Db, Operation, graphql, operations
from tests.benchmarks.report import markdown_table

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / ".cache" / "bench"
OUTPUT = ROOT / "bench-output" / "benchmark.json"
DOCS = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

CUSTOMERS_AT_SCALE_1 = 10_000
SEED = 42
ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
COLLECTIONS = ("customers", "sessions", "events")
MIN_SAMPLES = 3
PARTS = ("reads", "ingest", "analytics")
INGEST_DB = "bench_ingest"
BATCH_SIZES = (1, 50, 500)
# Analytics datasets, as shares of the scale's customers (about 91 events each).
ANALYTICS_SHARES = (0.01, 0.1, 1.0)
# The code that computes the hourly analytics: when it changes, they are rebuilt.
ANALYTICS_CODE = (
    "api/analytics/hours.py", "api/analytics/figures.py", "api/analytics/documents.py",
    "api/core/hourkeys.py",
)  # fmt: skip

Call = Callable[[], Awaitable[object]]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def database() -> Iterator[tuple[str, str | None]]:
    """The URI and storage of MONGODB_URI when set, else of a FerretDB of our own
    (with its PostgreSQL cluster when it has one), stopped at the end."""
    if os.environ.get("MONGODB_URI"):
        yield os.environ["MONGODB_URI"], None
        return
    server = localdb.spawn(DATA_DIR, localdb.free_port())
    try:
        local = "WiredTiger" if localdb.backend() == "mongod" else "SQLite"
        yield server.uri, "PostgreSQL" if server.postgres else local
    finally:
        server.stop()


def code_hash(*paths: str) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update((ROOT / path).read_bytes())
    return digest.hexdigest()[:12]


def dataset_db(customers: int) -> str:
    """The database of a dataset: named by the scale that has this many customers."""
    return f"bench_{customers / CUSTOMERS_AT_SCALE_1:g}".replace(".", "_")


def bench_settings(uri: str, name: str) -> Settings:
    # The longest timeouts allowed: on FerretDB one scan of a million events can
    # outlast the default 30 s socket timeout.
    # Rate limits are counted, as in production, but never reached.
    return Settings(
        mongodb_uri=uri, mongodb_db=name, mongodb_timeout_ms=60_000, rate_limit_per_key=10**9
    )


async def dataset(
    client: AsyncMongoClient[dict[str, Any]], db_name: str, customers: int, hours: bool = False
) -> Any:
    """The marker of the loaded dataset, loading it first unless it is there already;
    with ``hours``, also its hourly analytics (seeding writes raw documents and
    bypasses ingestion, so they are computed once with ``rebuild``)."""
    marker = await _load(client, db_name, customers)
    return await _hours(client, db_name, marker) if hours else marker


async def _load(client: AsyncMongoClient[dict[str, Any]], db_name: str, customers: int) -> Any:
    from api.demo.seed import load  # written separately; imported late so --help works without it

    db = client[db_name]
    # A changed generator makes other data: reload rather than measure stale data.
    seeder = code_hash("api/demo/seed.py")
    wanted = {"customers": customers, "seed": SEED, "anchor": ANCHOR, "seeder": seeder}
    marker = await db.bench_meta.find_one({"_id": "dataset"})
    if marker and all(marker.get(key) == value for key, value in wanted.items()):
        log(f"reusing the dataset in {db_name} (loaded {marker['loadedAt']:%Y-%m-%d %H:%M})")
        return marker
    # No marker means nothing or an interrupted load: start from an empty database.
    await client.drop_database(db_name)
    await init_documents(client, db_name)
    log(f"loading {customers:,} customers into {db_name}...")
    started = time.perf_counter()
    stats = await load(db, customers=customers, seed=SEED, anchor=ANCHOR, progress=True)
    seconds = time.perf_counter() - started
    counts = {name: getattr(stats, name) for name in COLLECTIONS}
    marker = {
        "_id": "dataset",
        **wanted,
        "counts": counts,
        "loadSeconds": round(seconds, 1),
        "loadedAt": datetime.now(UTC),
    }
    await db.bench_meta.insert_one(marker)
    log(f"loaded {counts} in {seconds:.0f} s")
    return marker


async def _hours(client: AsyncMongoClient[dict[str, Any]], db_name: str, marker: Any) -> Any:
    from api.analytics.hours import rebuild

    version = code_hash(*ANALYTICS_CODE)
    if marker.get("analytics") == version:
        return marker
    await init_documents(client, db_name)  # rebuild() works on the bound documents
    log(f"computing the hourly analytics of {db_name}...")
    started = time.perf_counter()
    hours = await rebuild()
    seconds = time.perf_counter() - started
    done = {"analytics": version, "analyticsHours": hours, "rebuildSeconds": round(seconds, 1)}
    await client[db_name].bench_meta.update_one({"_id": "dataset"}, {"$set": done})
    log(f"computed {hours:,} hours in {seconds:.0f} s")
    return {**marker, **done}


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app behind uvicorn in this event loop, and a keep-alive client for it."""
    async with serve_app(create_app(settings)) as url:
        # The app's start-up bound the documents to its own client.
        _, key = await create_api_key("benchmarks", Role.ADMIN, "benchmarks")
        async with httpx.AsyncClient(base_url=url, timeout=600, headers=bearer(key)) as http:
            yield http


async def timed(call: Call) -> float:
    before = time.perf_counter()
    await call()
    return time.perf_counter() - before


def figures(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "n": len(samples),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p95_ms": round(cuts[94] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
        # One client sending each request when the last is answered.
        "rps": round(len(samples) / sum(samples), 1),
    }


async def measure(
    api: Call, floor: Call, iterations: int, warmup: int, budget: float
) -> tuple[list[float], list[float]]:
    """Timings of ``api`` and ``floor``, called in turn so that drift (caches, CPU
    clock, the Go collector) weighs on both alike. Warm-up and timing stop early
    once past their share of ``budget`` seconds: a FerretDB scan can take a minute."""
    started = time.perf_counter()
    for _ in range(warmup):
        await api()
        await floor()
        if time.perf_counter() - started > budget / 4:
            break
    api_times: list[float] = []
    floor_times: list[float] = []
    started = time.perf_counter()
    while len(api_times) < iterations:
        api_times.append(await timed(api))
        floor_times.append(await timed(floor))
        if time.perf_counter() - started > budget and len(api_times) >= MIN_SAMPLES:
            break
    return api_times, floor_times


async def run_operation(
    operation: Operation, http: httpx.AsyncClient, args: argparse.Namespace
) -> dict[str, Any]:
    log(f"  {operation.name}...")
    api_times, floor_times = await measure(
        lambda: graphql(http, operation.query, operation.variables),
        operation.floor,
        args.iterations,
        args.warmup,
        args.max_seconds,
    )
    api, floor = figures(api_times), figures(floor_times)
    return {
        "operation": operation.name,
        "note": operation.note,
        "api": api,
        "floor": floor,
        "ratio": round(api["p50_ms"] / floor["p50_ms"], 2),
    }


async def reads(
    args: argparse.Namespace, client: AsyncMongoClient[dict[str, Any]], uri: str
) -> dict[str, Any]:
    customers = round(CUSTOMERS_AT_SCALE_1 * args.scale)
    name = dataset_db(customers)
    settings = bench_settings(uri, name)
    await init_documents(client, name)
    marker = await dataset(client, name, customers)
    db: Db = client[name]
    async with serve(settings) as http:
        log("reads: choosing the data to query...")
        chosen = await operations(http, db)
        log(f"reads: measuring {args.iterations} iterations after {args.warmup} warm-up...")
        results = [await run_operation(operation, http, args) for operation in chosen]
    return {
        "date": now(),
        "iterations": args.iterations,
        "warmup": args.warmup,
        "dataset": {
            "database": name,
            "customers": customers,
            "seed": SEED,
            "anchor": ANCHOR.isoformat(),
            "counts": marker["counts"],
            "load_seconds": marker["loadSeconds"],
        },
        "results": results,
    }


async def ingest_batches(
    http: httpx.AsyncClient, size: int, args: argparse.Namespace
) -> dict[str, Any]:
    """Sequential requests of ``size`` new events each; the batches are made
    before the clock starts."""
    log(f"  batches of {size}...")
    stream = EventStream(seed=SEED + size)
    started = time.perf_counter()
    for _ in range(args.warmup):
        await send(http, stream.batch(size))
        if time.perf_counter() - started > args.max_seconds / 4:
            break
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < args.iterations:
        samples.append(await timed(partial(send, http, stream.batch(size))))
        if time.perf_counter() - started > args.max_seconds and len(samples) >= MIN_SAMPLES:
            break
    return {
        "batch": size,
        "events": size * len(samples),
        "latency": figures(samples),
        "events_per_second": round(size * len(samples) / sum(samples), 1),
    }


async def ingest(
    args: argparse.Namespace, client: AsyncMongoClient[dict[str, Any]], uri: str
) -> dict[str, Any]:
    """POST /v1/track throughput, one client, into a scratch database that every
    batch size starts empty (and that is dropped at the end)."""
    log(f"ingest: {args.iterations} requests per batch size after {args.warmup} warm-up...")
    results = []
    async with serve(bench_settings(uri, INGEST_DB)) as http:
        for size in BATCH_SIZES:
            await client.drop_database(INGEST_DB)
            await init_documents(client, INGEST_DB)
            # The dropped database took the key with it.
            _, key = await create_api_key("benchmarks", Role.ADMIN, "benchmarks")
            http.headers.update(bearer(key))
            results.append(await ingest_batches(http, size, args))
    await client.drop_database(INGEST_DB)
    return {"date": now(), "iterations": args.iterations, "warmup": args.warmup, "results": results}


def analytics_sizes(scale: float) -> list[int]:
    return [max(1, round(CUSTOMERS_AT_SCALE_1 * scale * share)) for share in ANALYTICS_SHARES]


async def analytics_size(
    args: argparse.Namespace, client: AsyncMongoClient[dict[str, Any]], uri: str, customers: int
) -> dict[str, Any]:
    name = dataset_db(customers)
    marker = await dataset(client, name, customers, hours=True)
    db: Db = client[name]
    async with serve(bench_settings(uri, name)) as http:
        ours = partial(analytics.api, http, ANCHOR)
        raw = partial(analytics.raw, db, ANCHOR)
        checked = time.perf_counter()
        events = analytics.check(await ours(), await raw())
        log(f"  {marker['counts']['events']:,} events, {events:,} of them in the range...")
        # The check was a first warm-up call of each; a slow one is warm-up enough.
        slow = time.perf_counter() - checked > args.max_seconds / 4
        warmup = 0 if slow else args.warmup - 1
        api_times, raw_times = await measure(ours, raw, args.iterations, warmup, args.max_seconds)
    api, floor = figures(api_times), figures(raw_times)
    return {
        "database": name,
        "customers": customers,
        "events": marker["counts"]["events"],
        "events_in_range": events,
        "hours": marker["analyticsHours"],
        "api": api,
        "raw": floor,
        "ratio": round(api["p50_ms"] / floor["p50_ms"], 3),
    }


async def analytics_growth(
    args: argparse.Namespace, client: AsyncMongoClient[dict[str, Any]], uri: str
) -> dict[str, Any]:
    """The analytics query over the same 30 days of datasets growing tenfold,
    beside a raw aggregation of the same event figures."""
    log("analytics: 30 days, three dataset sizes...")
    if args.scale != 1.0:
        log(f"  at scale {args.scale:g}, not 1.0: sizes are {args.scale:g} x 10k/100k/1M events")
    results = [await analytics_size(args, client, uri, n) for n in analytics_sizes(args.scale)]

    def growth(kind: str) -> float:
        p50 = [row[kind]["p50_ms"] for row in results]
        return round(max(p50) / min(p50), 2)

    return {
        "date": now(),
        "iterations": args.iterations,
        "warmup": args.warmup,
        "range": analytics.window(ANCHOR),
        "results": results,
        "growth": {"api": growth("api"), "raw": growth("raw")},
    }


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else "unknown"


async def database_kind(client: AsyncMongoClient[dict[str, Any]]) -> dict[str, str]:
    info = await client.admin.command("buildInfo")
    if "ferretdbVersion" in info:
        return {
            "kind": "FerretDB",
            "version": str(info["ferretdbVersion"]),
            "reports": f"MongoDB {info['version']}",
        }
    return {"kind": "MongoDB", "version": str(info["version"])}


def now() -> datetime:
    return datetime.now(UTC)


def when(value: datetime | str) -> str:
    """A part's date; parts carried over from the last run come back as text."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def table(results: list[dict[str, Any]]) -> str:
    columns = ["operation", "p50 ms", "p95 ms", "p99 ms", "req/s", "floor p50 ms", "ratio"]
    return markdown_table(
        columns,
        (
            [
                row["operation"],
                f"{row['api']['p50_ms']:.1f}",
                f"{row['api']['p95_ms']:.1f}",
                f"{row['api']['p99_ms']:.1f}",
                f"{row['api']['rps']:.1f}",
                f"{row['floor']['p50_ms']:.1f}",
                f"{row['ratio']:.2f}x",
            ]
            for row in results
        ),
    )


def ingest_table(results: list[dict[str, Any]]) -> str:
    columns = ["batch size", "requests", "events", "p50 ms", "p95 ms", "events/s"]
    return markdown_table(
        columns,
        (
            [
                str(row["batch"]),
                str(row["latency"]["n"]),
                f"{row['events']:,}",
                f"{row['latency']['p50_ms']:.1f}",
                f"{row['latency']['p95_ms']:.1f}",
                f"{row['events_per_second']:,.1f}",
            ]
            for row in results
        ),
        label_column=False,
    )


def analytics_table(results: list[dict[str, Any]]) -> str:
    columns = ["events", "in range", "customers", "p50 ms", "p95 ms", "raw p50 ms", "raw p95 ms",
               "ratio"]  # fmt: skip
    return markdown_table(
        columns,
        (
            [
                f"{row['events']:,}",
                f"{row['events_in_range']:,}",
                f"{row['customers']:,}",
                f"{row['api']['p50_ms']:.1f}",
                f"{row['api']['p95_ms']:.1f}",
                f"{row['raw']['p50_ms']:.1f}",
                f"{row['raw']['p95_ms']:.1f}",
                f"{row['ratio']:.2f}x",
            ]
            for row in results
        ),
        label_column=False,
    )


def note(row: dict[str, Any]) -> str:
    calls = f"{row['api']['n']} timed calls"
    return f"- {row['operation']}: " + (f"{row['note']}; {calls}" if row["note"] else calls)


def calls(part: dict[str, Any], what: str) -> str:
    return (
        f"Up to {part['iterations']} timed {what} after {part['warmup']} warm-up calls;\n"
        "  fewer when one ran out of its time budget."
    )


def reads_section(part: dict[str, Any]) -> str:
    data = part["dataset"]
    counts = ", ".join(f"{count:,} {name}" for name, count in data["counts"].items())
    notes = "\n".join(note(row) for row in part["results"])
    return f"""## Reads

- Run {when(part["date"])}: {counts}
  (loaded in {data["load_seconds"]:.0f} s).
- {calls(part, "calls per operation")}

{table(part["results"])}

{notes}"""


def ingest_section(part: dict[str, Any]) -> str:
    return f"""## Ingest

- Run {when(part["date"])}: `POST /v1/track`, one client, requests one after
  another, new events only, into a scratch database emptied before each batch size.
- {calls(part, "requests per batch size")}

{ingest_table(part["results"])}"""


def analytics_section(part: dict[str, Any], scale: float) -> str:
    start, end = (datetime.fromisoformat(part["range"][key]) for key in ("from", "to"))
    growth = part["growth"]
    sizes = "" if scale == 1.0 else (
        f"\n- At scale {scale:g} the datasets are {scale:g} times those of scale 1.0\n"
        "  (about 10,000, 100,000 and 1,000,000 events); `make bench` runs those."
    )  # fmt: skip
    return f"""## Analytics

- Run {when(part["date"])}: `analytics` for [{start:%Y-%m-%d}, {end:%Y-%m-%d}) UTC
  (30 days, daily series), beside the raw aggregation of the same events.{sizes}
- {calls(part, "calls of each per size")} The first call of each
  is the check below.

{analytics_table(part["results"])}

- p50, largest over smallest across the three sizes: the API {growth["api"]:.2f}x,
  the raw aggregation {growth["raw"]:.2f}x.
- ratio is the API's p50 over the raw aggregation's. The raw aggregation gives
  only the event counts by type and the views of the 10 most viewed pages (one
  `$sum` per `$group`: FerretDB 1.24 answers 0 for any further accumulator);
  the API also the time spent, sessions, customers, conversion, the funnel and
  the daily series.
- Before timing, the API's event counts by type and its top pages are checked
  against the raw aggregation's."""


def section(report: dict[str, Any]) -> str:
    machine, db = report["machine"], report["database"]
    server = f"{db['kind']} {db['version']}" + (f" on {db['storage']}" if db["storage"] else "")
    parts = [
        f"""- Scale {report["scale"]}. Database: {server}. Machine: {machine["cpu"]},
  {machine["cores"]} cores, {machine["platform"]}, Python {machine["python"]}."""
    ]
    if "reads" in report:
        parts.append(reads_section(report["reads"]))
    if "ingest" in report:
        parts.append(ingest_section(report["ingest"]))
    if "analytics" in report:
        parts.append(analytics_section(report["analytics"], report["scale"]))
    body = "\n\n".join(parts)
    return f"{START}\n{body}\n{END}"


DOCS_HEADER = """# Performance

What is measured: the latency (p50/p95/p99) and sequential throughput (one
client, keep-alive, requests one after another) of the main GraphQL reads,
served by the real app under uvicorn over HTTP on 127.0.0.1, on a fixed
generated dataset (seed 42; scale 1.0 = 10,000 customers, about 100,000
sessions and 1,000,000 events). Each is set beside its *floor*: the same
find (filter, sort, limit) sent directly with PyMongo, so the ratio is what
GraphQL, Beanie, Pydantic and HTTP add on top of the database.

Two more parts. *Ingest*: events per second and request latency (p50/p95)
of `POST /v1/track` with batches of 1, 50 and 500 new events (a few
customers in visits with client session ids: page views with their time
spent, searches, carts, checkouts), one client sending one request after
another, into an empty scratch database (`bench_ingest`, dropped afterwards)
so the read datasets stay as generated. *Analytics*: latency (p50/p95) of the
`analytics` query for a 30-day range on datasets of about 10,000, 100,000 and
1,000,000 events (1 %, 10 % and 100 % of the scale's customers; smaller at
smaller scales, as the section says), whose hourly aggregates are built once
with `rebuild()` after seeding, beside a raw aggregation of the same range
(`$match` on the timestamp, `$group` by type and by page with `$sum`). For
both, the largest p50 over the smallest across the three sizes shows how each
grows with the data: the hourly aggregates should keep ours about flat, the
raw aggregation grows with the events. `--only reads,ingest,analytics`
runs a subset; the figures of the parts not run are kept from the last run
at the same scale.

How to run: `make bench` (scale 1.0) or `make bench SCALE=0.1` for a quick
run; both call `uv run python -m tests.benchmarks.run`. The first run at a
scale loads the dataset into `.cache/bench`; later runs reuse it. Set
`MONGODB_URI` to measure against a real MongoDB instead. Full figures and the
machine are written to `bench-output/benchmark.json`.

**FerretDB figures are not MongoDB figures.** Locally the database is
FerretDB 1.24 (`infra/localdb.py`), storing its data in a private PostgreSQL
cluster when PostgreSQL is installed and in SQLite files otherwise
(`FERRETDB_BACKEND=sqlite` forces SQLite). Neither uses our indexes as
MongoDB does. On SQLite only an exact `_id` equality reaches the storage:
every other filter and every sort runs in FerretDB over all documents of the
collection. On PostgreSQL, equality on top-level fields (`sessionId`,
`customerId`) is filtered in PostgreSQL, but ranges, `$or`, regular
expressions (our search) and sorts still run in FerretDB over every document
that passed. So a customer list costs O(all customers) on FerretDB, while on
MongoDB the same query is an index range scan reading about 21 documents.
Read the table for the app's overhead over its floor, not for production
latency.

Reading the figures: the app and the measuring client share one process and
event loop (as in the integration tests), and each API call is followed by its
floor, so drift weighs on both alike. Where FerretDB scans a large collection
the scan dominates and the ratio tends to 1; the app's own cost is then better
read as p50 minus floor p50. The first run at a scale also loads the data;
`bench-output/benchmark.json` keeps every figure with the machine.

"""


def write_docs(path: Path, text: str) -> None:
    current = path.read_text() if path.exists() else DOCS_HEADER + START + "\n" + END + "\n"
    head, _, rest = current.partition(START)
    _, _, tail = rest.partition(END)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + text + tail)


def previous(scale: float) -> dict[str, Any]:
    """The parts of the last run at this scale, to keep beside the parts run now."""
    try:
        last = json.loads(OUTPUT.read_text())
    except (OSError, ValueError):
        return {}
    if last.get("scale") != scale:
        return {}
    return {part: last[part] for part in PARTS if part in last}


async def benchmark(args: argparse.Namespace, uri: str, storage: str | None) -> dict[str, Any]:
    report: dict[str, Any] = {
        "date": now(),
        "scale": args.scale,
        "parts": args.only,
        "machine": {
            "platform": platform.platform(),
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
        },
    }
    client: AsyncMongoClient[dict[str, Any]] = make_client(bench_settings(uri, INGEST_DB))
    try:
        if "reads" in args.only:
            report["reads"] = await reads(args, client, uri)
        if "ingest" in args.only:
            report["ingest"] = await ingest(args, client, uri)
        if "analytics" in args.only:
            report["analytics"] = await analytics_growth(args, client, uri)
        report["database"] = {**await database_kind(client), "storage": storage}
    finally:
        await client.close()
    return report


def parts(value: str) -> list[str]:
    chosen = [part.strip() for part in value.split(",") if part.strip()]
    if not chosen or set(chosen) - set(PARTS):
        raise argparse.ArgumentTypeError(f"a comma-separated list of {', '.join(PARTS)}")
    return [part for part in PARTS if part in chosen]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="dataset size; 1.0 = 10,000 customers (default 1.0)",
    )
    parser.add_argument(
        "--only",
        type=parts,
        default=list(PARTS),
        help="parts to run, comma-separated: reads,ingest,analytics (default all)",
    )
    parser.add_argument("--iterations", type=int, default=50, help="timed calls (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed calls first (default 5)")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=60.0,
        help="time budget of one operation; at least 3 calls (default 60)",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/performance.md")
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.iterations < 2:
        parser.error("--scale must be positive and --iterations at least 2")

    started = time.perf_counter()
    with database() as (uri, storage):
        report = asyncio.run(benchmark(args, uri, storage))
    report["seconds"] = round(time.perf_counter() - started, 1)
    report = {**previous(args.scale), **report}

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(report, indent=2, default=str) + "\n")
    text = section(report)
    if not args.no_docs:
        write_docs(DOCS, text)
    print(text.removeprefix(START + "\n").removesuffix("\n" + END))
    log(f"done in {report['seconds']:.0f} s; figures in {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
