"""Latency and throughput of the GraphQL API over real HTTP, beside the bare
PyMongo queries it needs (the floor), on a fixed generated dataset.

    uv run python -m tests.benchmarks.run --scale 1.0   # 10,000 customers
    uv run python -m tests.benchmarks.run --scale 0.1   # quick: 1,000 customers

Starts its own FerretDB in .cache/bench unless MONGODB_URI is set, loads the
dataset once per scale (later runs reuse it), writes bench-output/benchmark.json
and the table in docs/performance.md.
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
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from pymongo import AsyncMongoClient

from api.app import create_app
from api.db import init_documents, make_client
from api.settings import Settings
from infra import localdb
from tests.benchmarks.queries import Db, Operation, graphql, operations

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


async def dataset(client: AsyncMongoClient[dict[str, Any]], db_name: str, customers: int) -> Any:
    """The marker of the loaded dataset, loading it first unless it is there already."""
    from api.seed import load  # written separately; imported late so --help works without it

    db = client[db_name]
    # A changed generator makes other data: reload rather than measure stale data.
    seeder = hashlib.sha256((ROOT / "api" / "seed.py").read_bytes()).hexdigest()[:12]
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


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app behind uvicorn in this event loop, and a keep-alive client for it."""
    port = localdb.free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=600) as http:
            yield http
    finally:
        server.should_exit = True
        await task


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


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| operation | p50 ms | p95 ms | p99 ms | req/s | floor p50 ms | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results:
        api, floor = row["api"], row["floor"]
        lines.append(
            f"| {row['operation']} | {api['p50_ms']:.1f} | {api['p95_ms']:.1f} "
            f"| {api['p99_ms']:.1f} | {api['rps']:.1f} | {floor['p50_ms']:.1f} "
            f"| {row['ratio']:.2f}x |"
        )
    return "\n".join(lines)


def note(row: dict[str, Any]) -> str:
    calls = f"{row['api']['n']} timed calls"
    return f"- {row['operation']}: " + (f"{row['note']}; {calls}" if row["note"] else calls)


def section(report: dict[str, Any]) -> str:
    machine, db, data = report["machine"], report["database"], report["dataset"]
    counts = ", ".join(f"{count:,} {name}" for name, count in data["counts"].items())
    notes = "\n".join(note(row) for row in report["results"])
    server = f"{db['kind']} {db['version']}" + (f" on {db['storage']}" if db["storage"] else "")
    return f"""{START}
- Run {report["date"]:%Y-%m-%d %H:%M} UTC at scale {report["scale"]}: {counts}
  (loaded in {data["load_seconds"]:.0f} s).
- Database: {server}. Machine: {machine["cpu"]}, {machine["cores"]} cores,
  {machine["platform"]}, Python {machine["python"]}.
- Up to {report["iterations"]} timed calls per operation after {report["warmup"]} warm-up calls;
  fewer when an operation ran out of its time budget.

{table(report["results"])}

{notes}
{END}"""


DOCS_HEADER = """# Performance

What is measured: the latency (p50/p95/p99) and sequential throughput (one
client, keep-alive, requests one after another) of the main GraphQL reads,
served by the real app under uvicorn over HTTP on 127.0.0.1, on a fixed
generated dataset (seed 42; scale 1.0 = 10,000 customers, about 100,000
sessions and 1,000,000 events). Each is set beside its *floor*: the same
find (filter, sort, limit) sent directly with PyMongo, so the ratio is what
GraphQL, Beanie, Pydantic and HTTP add on top of the database.

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


async def benchmark(args: argparse.Namespace, uri: str, storage: str | None) -> dict[str, Any]:
    customers = round(CUSTOMERS_AT_SCALE_1 * args.scale)
    db_name = f"bench_{args.scale:g}".replace(".", "_")
    # The longest timeouts allowed: on FerretDB one scan of a million events can
    # outlast the default 30 s socket timeout.
    settings = Settings(mongodb_uri=uri, mongodb_db=db_name, mongodb_timeout_ms=60_000)
    client: AsyncMongoClient[dict[str, Any]] = make_client(settings)
    try:
        await init_documents(client, db_name)
        marker = await dataset(client, db_name, customers)
        db: Db = client[db_name]
        async with serve(settings) as http:
            log("choosing the data to query...")
            chosen = await operations(http, db)
            log(f"measuring {args.iterations} iterations after {args.warmup} warm-up...")
            results = [await run_operation(operation, http, args) for operation in chosen]
        kind = await database_kind(client)
    finally:
        await client.close()
    return {
        "date": datetime.now(UTC),
        "scale": args.scale,
        "iterations": args.iterations,
        "warmup": args.warmup,
        "machine": {
            "platform": platform.platform(),
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
        },
        "database": {**kind, "storage": storage},
        "dataset": {
            "database": db_name,
            "customers": customers,
            "seed": SEED,
            "anchor": ANCHOR.isoformat(),
            "counts": marker["counts"],
            "load_seconds": marker["loadSeconds"],
        },
        "results": results,
    }


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

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(report, indent=2, default=str) + "\n")
    if not args.no_docs:
        write_docs(DOCS, section(report))
    print(table(report["results"]))
    print("\n".join(note(row) for row in report["results"]))
    log(f"done in {report['seconds']:.0f} s; figures in {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
