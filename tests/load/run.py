"""Load test: the staff, analysts and tracked websites of tests/load/locustfile.py
against the API as its own process, with locust (headless, in a subprocess).

    uv run python -m tests.load.run              # 1x and 10x the baseline, 1 and 2 workers
    uv run python -m tests.load.run --quick      # the same, short (about a minute)
    uv run python -m tests.load.run --soak 600   # the 1x mix for 10 minutes: memory over time
    uv run python -m tests.load.run --smoke      # a handful of users, every kind of request once

The baseline (1x) is 10 staff, 5 analysts and 30 website visitors at once
(tests/load/kinds.py). For each run: a freshly seeded database (api.demo.seed,
2,000 customers by default, then the hourly analytics), an API key per staff
member and analyst and a write key per website, the API started with uvicorn
and N workers (and its daily analytics warmed up once per database), locust
ramping up to its users and then measuring for --duration seconds (figures
from the ramp are dropped), and the API's memory
(RSS summed over all its processes) and the CPU of the API, the database,
locust and everything else sampled every few seconds.

Rate limits stay on, at 1,000,000 requests a minute per key, write key and IP:
each request still pays its counter update, none is refused.

Starts its own FerretDB in a temporary folder unless MONGODB_URI is set (then
it uses databases named load_* there and drops them). Writes
bench-output/load.json and bench-output/load.md (locust's CSV files and the
API's log under bench-output/load/), and the figures in docs/performance.md;
--quick and --smoke write load-quick.* / load-smoke.* and leave the docs alone.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import platform
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]  # no stubs in the lock
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError
from strawberry import relay

from api.auth.roles import Role
from api.auth.service import create_api_key, create_write_key
from api.db.client import init_documents, make_client
from api.settings import Settings
from infra import localdb
from tests import api_process
from tests.benchmarks.queries import broad_prefix, busiest
from tests.benchmarks.run import cpu_model, database_kind
from tests.load import kinds, report
from tests.load.sampler import Pids, Sampler, cores_busy, tree, tree_pids
from tests.load.spa import documents, last_days

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "bench-output"  # where the benchmarks write theirs
DOCS = ROOT / "docs" / "performance.md"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")

SEED = 1
LIMIT = 1_000_000  # requests a minute: on, but far above what the test sends
WEBSITES = ("Shop", "Blog", "Help centre")
TIME_ZONES = ("Europe/Berlin", "Europe/London", "America/New_York")
CUSTOMER_POOL = 300  # customers with sessions the analysts pick from


_BEGAN = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - _BEGAN:5.0f} s] {message}", file=sys.stderr, flush=True)


def now() -> datetime:
    return datetime.now(UTC)


# The database


@dataclass
class Database:
    uri: str
    storage: str | None  # None when MONGODB_URI was given
    pids: Pids  # of FerretDB and its PostgreSQL cluster, when they are ours


def _postgres_pids(data: Path) -> list[int]:
    try:
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    return [process.pid for process in tree(postmaster)]


@contextmanager
def database() -> Iterator[Database]:
    """MONGODB_URI when set, else a fresh FerretDB of our own in a temporary folder."""
    if os.environ.get("MONGODB_URI"):
        yield Database(os.environ["MONGODB_URI"], None, lambda: [])
        return
    # Not under a private temporary folder: PostgreSQL runs as its own user.
    folder = Path(tempfile.mkdtemp(prefix="tracking-load-db-"))
    folder.chmod(0o755)
    server = localdb.spawn(folder, localdb.free_port())
    try:
        cluster = server.postgres
        storage = "PostgreSQL" if cluster else "SQLite"
        if localdb.backend() == "mongod":
            storage = "WiredTiger"

        def pids() -> list[int]:
            found = [process.pid for process in tree(server.pid)]
            return found + (_postgres_pids(cluster.data) if cluster else [])

        yield Database(server.uri, storage, pids)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def settings(uri: str, name: str) -> Settings:
    return Settings(mongodb_uri=uri, mongodb_db=name, mongodb_timeout_ms=30_000)


async def prepare(uri: str, name: str, customers: int, staff: int, analysts: int) -> dict[str, Any]:
    """Seed ``name`` afresh and make the credentials; the fixture for the locustfile."""
    from api.analytics.hours import rebuild
    from api.demo.seed import load, midnight_utc

    client: AsyncMongoClient[dict[str, Any]] = make_client(settings(uri, name))
    try:
        await client.drop_database(name)
        await init_documents(client, name)
        db = client[name]
        started = time.perf_counter()
        stats = await load(
            db, customers=customers, seed=SEED, anchor=midnight_utc(), progress=False
        )
        hours = await rebuild()  # seeding bypasses ingestion: the hourly analytics
        seconds = time.perf_counter() - started
        log(
            f"  seeded {stats.customers:,} customers, {stats.sessions:,} sessions, "
            f"{stats.events:,} events, {hours:,} analytics hours in {seconds:.0f} s"
        )
        staff_keys = [
            (await create_api_key(f"load staff {n}", Role.VIEWER, "load-test"))[1]
            for n in range(staff)
        ]
        analyst_keys = [
            (await create_api_key(f"load analyst {n}", Role.ANALYST, "load-test"))[1]
            for n in range(analysts)
        ]
        write_keys = [(await create_write_key(site, "load-test")).key for site in WEBSITES]

        def gid(kind: str, ident: Any) -> str:
            return str(relay.GlobalID(kind, str(ident)))

        with_sessions = sorted(await db.sessions.distinct("customerId"))
        pool = random.Random(SEED).sample(with_sessions, min(CUSTOMER_POOL, len(with_sessions)))
        busy, _ = await busiest(db, "sessions", "customerId")
        prefix, _ = await broad_prefix(db)
        names: Counter[str] = Counter()
        countries: Counter[str] = Counter()
        async for doc in db.customers.find({}, {"name": 1, "country": 1}):
            first = (doc.get("name") or "").split(" ")[0]
            if len(first) >= 3 and first.isalpha():
                names[first] += 1
            if doc.get("country"):
                countries[doc["country"]] += 1
        return {
            "dataset": {
                "customers": stats.customers,
                "sessions": stats.sessions,
                "events": stats.events,
                "analytics_hours": hours,
                "seed_seconds": round(seconds, 1),
            },
            "staffKeys": staff_keys,
            "analystKeys": analyst_keys,
            "writeKeys": write_keys,
            "customers": [gid("Customer", ident) for ident in pool],
            "busyCustomer": gid("Customer", busy),
            "broadPrefix": prefix,
            "names": [name for name, _ in names.most_common(60)],
            "countries": [code for code, _ in countries.most_common(10)],
            "timeZones": list(TIME_ZONES),
        }
    finally:
        await client.close()


async def drop(uri: str, name: str) -> None:
    """Drop a run's database; a failure is only logged (our own server goes
    away with its folder anyway)."""
    client: AsyncMongoClient[dict[str, Any]] = make_client(settings(uri, name))
    try:
        await client.drop_database(name)
    except PyMongoError as error:
        log(f"  could not drop {name}: {error}")
    finally:
        await client.close()


async def server_kind(uri: str, storage: str | None) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = make_client(settings(uri, "admin"))
    try:
        return {**await database_kind(client), "storage": storage}
    finally:
        await client.close()


# The API


def api_environment() -> dict[str, str]:
    """Our settings over the caller's environment, without OTEL_* (nothing is
    exported anywhere: spans are still made, as in production) or RATE_LIMIT_*."""
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OTEL_", "RATE_LIMIT_", "MONGODB_"))
    }
    return {
        **keep,
        "STAGE": "prod",
        "LOG_LEVEL": "INFO",
        "RATE_LIMIT_PER_KEY": str(LIMIT),
        "RATE_LIMIT_PER_WRITE_KEY": str(LIMIT),
        "RATE_LIMIT_PER_IP": str(LIMIT),
    }


def start_api(
    uri: str, name: str, workers: int, log_path: Path
) -> tuple[subprocess.Popen[bytes], str]:
    with log_path.open("wb") as out:
        try:
            return api_process.start_api(
                uri, name, log=out, workers=workers, base=api_environment(), timeout=60
            )
        except RuntimeError:
            raise RuntimeError(f"the API did not become ready; see {log_path}") from None


def stop_api(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to uvicorn (it stops its workers); whatever is left after 5 s
    (requests still queued from a saturated run) is killed."""
    family = tree(process.pid)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for leftover in family[1:]:
        with suppress(psutil.NoSuchProcess):
            leftover.kill()


def warm_up(url: str, fixture: dict[str, Any]) -> float:
    """Ask each time zone's 90-day analytics and one customer's comparison once.

    Seeding computes the hourly aggregates; the daily ones are made from them
    on first use (a first 90-day range took 17 s here), as a deployment that has
    been running has long done. Seconds taken."""
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {fixture['analystKeys'][0]}"}
    with httpx.Client(base_url=url, headers=headers, timeout=600) as http:
        for zone in fixture["timeZones"]:
            calls = [
                ("Analytics", {"range": last_days(90, zone), "timeZone": zone,
                               "granularity": "DAY"}),
                ("CustomerComparison", {"id": fixture["customers"][0],
                                        "range": last_days(90, zone), "timeZone": zone}),
            ]  # fmt: skip
            for operation, variables in calls:
                body = {"query": documents()[operation], "variables": variables}
                answer = http.post("/graphql", json=body)
                if answer.status_code != 200 or "errors" in answer.json():
                    raise RuntimeError(f"warm-up {operation} failed: {answer.text[:300]}")
    return round(time.perf_counter() - started, 1)


def settle(db: Database, limit: float = 120.0) -> float:
    """Wait until the database is idle: FerretDB goes on with the queries of
    an API that is gone, which would weigh on the next run. Seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        busy = cores_busy(db.pids)
        if busy < 0.1:
            break
        log(f"  the database is still busy ({busy:.2f} cores)...")
    return round(time.monotonic() - started, 1)


def log_levels(path: Path) -> dict[str, int]:
    """The API's log lines above INFO, counted by level and message (up to its
    first colon, where the details start), e.g. "WARNING slow graphql operation"."""
    counts: Counter[str] = Counter()
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
            level, message = record.get("level", ""), str(record.get("message", ""))
        except (ValueError, AttributeError):
            level, message = ("(not JSON)", line[:60]) if line.strip() else ("", "")
        if level and level not in ("INFO", "DEBUG"):
            counts[f"{level} {message.split(':')[0]}"] += 1
    return dict(counts.most_common())


# Locust


@dataclass
class Plan:
    name: str  # e.g. "1x-2w"
    load: float  # multiple of the baseline (users)
    users: int
    workers: int
    ramp: float  # seconds to start all users
    duration: float  # seconds measured after the ramp


def locust(
    plan: Plan, url: str, fixture: Path, out: Path, args: argparse.Namespace, pids: list[int]
) -> Path:
    """Run locust headless against ``url`` (its pid goes into ``pids``, for the
    sampler); the prefix of its CSV files."""
    prefix = out / plan.name
    env = {
        **os.environ,
        "LOAD_FIXTURE": str(fixture),
        "LOAD_THINK_SCALE": str(args.think_scale),
        "LOAD_TOUR": "1" if args.tour else "0",
    }
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    command += ["--host", url, "--users", str(plan.users)]
    if len(args.classes) < len(kinds.BASELINE):
        command += args.classes  # locust runs only the classes named
    command += ["--spawn-rate", f"{max(plan.users / plan.ramp, 1):.2f}"]
    command += ["--run-time", f"{round(plan.ramp + plan.duration)}s"]
    command += ["--csv", str(prefix), "--only-summary", "--exit-code-on-error", "0"]
    command += ["--loglevel", "WARNING", "--logfile", str(out / f"{plan.name}-locust.log")]
    if args.tour:
        # Every request counts, the tour's too, and each user finishes its tour.
        command += ["--stop-timeout", "120"]
    else:
        command += ["--reset-stats"]  # figures from when all users run: the ramp warms up
    started = time.monotonic()
    with (out / f"{plan.name}-locust.out").open("wb") as console:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=console, stderr=subprocess.STDOUT
        )
        pids.append(process.pid)
        code = process.wait()
    if code != 0 or not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError(f"locust failed (exit {code}); see {prefix}-locust.out")
    log(f"  locust ran {time.monotonic() - started:.0f} s")
    return prefix


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def read_stats(prefix: Path) -> dict[str, Any]:
    """Per kind and in all: requests, failures, p50/p95/p99 (ms), req/s; the failures."""
    rows: dict[str, dict[str, Any]] = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
                "max_ms": _number(row["Max Response Time"]),
                "rps": round(float(row["Requests/s"]), 2),
            }
    total = rows.pop("Aggregated")
    failures = []
    with open(f"{prefix}_failures.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            failures.append(
                {"kind": row["Name"], "error": row["Error"], "count": int(row["Occurrences"])}
            )
    exceptions = []
    path = Path(f"{prefix}_exceptions.csv")
    if path.exists():
        with path.open(newline="") as handle:
            exceptions = [
                {"count": int(row["Count"]), "message": row["Message"]}
                for row in csv.DictReader(handle)
            ]
    return {"kinds": rows, "total": total, "failures": failures, "exceptions": exceptions}


# One run


def wait_quiet(limit: float, threshold: float = 0.5) -> float:
    """Wait up to ``limit`` seconds for the machine to be nearly idle (under
    ``threshold`` cores busy over 5 s): on a shared machine, other work would
    weigh on the figures. The cores busy when we went on."""
    deadline = time.monotonic() + limit
    while True:
        busy = psutil.cpu_percent(interval=5) / 100 * (os.cpu_count() or 1)
        if busy < threshold or time.monotonic() >= deadline:
            if busy >= threshold:
                log(f"  the machine is still busy ({busy:.2f} cores); going on")
            return round(busy, 2)
        log(f"  waiting for a quieter machine ({busy:.2f} cores busy)...")


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 3) if values else None


def resources(samples: list[dict[str, Any]], start: float) -> dict[str, Any]:
    """CPU (mean cores busy per group) and API memory over the measured window."""
    measured = [point for point in samples if point["t"] >= start] or samples
    groups = sorted({name for point in measured for name in point["cpu"]})
    rss = [point["rss_mb"] for point in measured]
    return {
        "cpu_cores": {name: _mean([p["cpu"].get(name, 0.0) for p in measured]) for name in groups},
        "system_cpu_cores": _mean([point["system_cpu"] for point in measured]),
        "rss_mb": {
            "first": rss[0] if rss else None,
            "last": rss[-1] if rss else None,
            "max": max(rss) if rss else None,
        },
        "api_processes": measured[-1]["processes"] if measured else None,
    }


def run_plan(
    plan: Plan,
    db: Database,
    fixture: dict[str, Any],
    name: str,
    out: Path,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Start the API on database ``name``, run locust against it, sample, stop."""
    log(
        f"{plan.name}: {plan.users} users, {plan.workers} worker(s), "
        f"{plan.ramp:.0f} s ramp + {plan.duration:.0f} s measured"
    )
    busy_before = wait_quiet(args.wait_quiet) if args.wait_quiet else None
    secret_dir = Path(tempfile.mkdtemp(prefix="tracking-load-"))
    fixture_path = secret_dir / "fixture.json"  # API keys: not in the output folder
    fixture_path.write_text(json.dumps(fixture))
    api_log = out / f"{plan.name}-api.log"
    process, url = start_api(db.uri, name, plan.workers, api_log)
    log(f"  API ready on {url}")
    locust_pid: list[int] = []
    sampler = Sampler(
        {
            "api": tree_pids(process.pid),
            "database": db.pids,
            "locust": lambda: [p.pid for pid in locust_pid for p in tree(pid)],
        },
        every=args.sample_every,
    )
    idle = round(sampler.start().rss()[0], 1)  # the API started, before any load
    # Once per database: what it builds stays there.
    warmed = None
    if not fixture.get("warm"):
        warmed = warm_up(url, fixture)
        fixture["warm"] = True
        log(f"  warm-up took {warmed} s")
    started = now()
    locust_started = sampler.elapsed()  # samples from here + the ramp are measured
    try:
        prefix = locust(plan, url, fixture_path, out, args, locust_pid)
        alive = process.poll() is None
    finally:
        samples = sampler.stop()
        stop_api(process)
        shutil.rmtree(secret_dir, ignore_errors=True)
    # Between runs on one server (--reuse), the next must not meet this one's queries.
    settled = settle(db) if args.reuse and not args.quick else None
    stats = read_stats(prefix)
    result = {
        "name": plan.name,
        "date": started,
        "load": plan.load,
        "users": plan.users,
        "classes": args.classes,
        "workers": plan.workers,
        "ramp_s": plan.ramp,
        "duration_s": plan.duration,
        "think_scale": args.think_scale,
        "dataset": fixture["dataset"],
        **stats,
        "idle_rss_mb": idle,
        "cores_busy_before": busy_before,
        "warm_up_s": warmed,
        "database_busy_after_s": settled,
        "locust_started_s": locust_started,
        "resources": resources(samples, locust_started + plan.ramp),
        "samples": samples,
        "api_survived": alive,
        "api_log": log_levels(api_log),
        "files": str(prefix.relative_to(ROOT)) if prefix.is_relative_to(ROOT) else str(prefix),
    }
    total = stats["total"]
    log(
        f"  {total['requests']:,} requests, {total['rps']:.1f}/s, {total['failures']} failed, "
        f"p50 {total['p50_ms']} / p95 {total['p95_ms']} / p99 {total['p99_ms']} ms"
    )
    return result


def soak_summary(run: dict[str, Any]) -> dict[str, Any]:
    """Memory over the soak: first vs last minute, slope (least squares), flat or not."""
    measured = run["locust_started_s"] + run["ramp_s"]
    points = [(p["t"], p["rss_mb"]) for p in run["samples"] if p["t"] >= measured]
    start, end = points[0][0], points[-1][0]
    first = [rss for t, rss in points if t < start + 60]
    last = [rss for t, rss in points if t > end - 60]

    def slope(part: list[tuple[float, float]]) -> float:
        """MB per minute."""
        if len(part) < 3:
            return 0.0
        return statistics.linear_regression([t for t, _ in part], [r for _, r in part])[0] * 60

    middle = (start + end) / 2
    half = [point for point in points if point[0] >= middle]
    nearest = min(points, key=lambda point: abs(point[0] - middle))
    settled = [rss for t, rss in points if middle - 30 <= t < middle + 30] or [nearest[1]]
    first_mb, last_mb = statistics.fmean(first), statistics.fmean(last)
    settled_mb = statistics.fmean(settled)
    growth = last_mb - first_mb
    minutes = []
    for minute in range(int((end - start) // 60) + 1):
        values = [r for t, r in points if start + 60 * minute <= t < start + 60 * (minute + 1)]
        if values:
            minutes.append(round(statistics.fmean(values), 1))
    # Flat: once warmed up, no growth left. The first minutes fill what a
    # process keeps (connection pool, parsed queries, imports on first use), so
    # the reference is the minute at the middle of the run: the last minute
    # within 5 % of it and under 0.5 MB a minute (30 MB an hour) of growth over
    # the second half. A leak keeps growing there; warming up does not.
    flat = last_mb - settled_mb <= 0.05 * settled_mb and slope(half) < 0.5
    return {
        "first_minute_mb": round(first_mb, 1),
        "middle_minute_mb": round(settled_mb, 1),
        "last_minute_mb": round(last_mb, 1),
        "growth_mb": round(growth, 1),
        "growth_pct": round(100 * growth / first_mb, 1),
        "slope_mb_per_min": round(slope(points), 3),
        "second_half_slope_mb_per_min": round(slope(half), 3),
        "max_mb": max(r for _, r in points),
        "per_minute_mb": minutes,
        "flat": flat,
    }


# The command


def machine() -> dict[str, Any]:
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def plans(args: argparse.Namespace) -> list[Plan]:
    # The users of 1x: the baseline, or only its classes given by --classes.
    base = sum(kinds.BASELINE[name] for name in args.classes)
    only = "" if len(args.classes) == len(kinds.BASELINE) else "-" + "+".join(args.classes)
    if args.soak:
        return [Plan(f"soak{only}", 1, base, args.workers[0], args.ramp, args.soak)]
    if args.users:
        return [
            Plan(f"{args.users}u{only}-{w}w", args.users / base, args.users, w, args.ramp,
                 args.duration)
            for w in args.workers
        ]  # fmt: skip
    return [
        Plan(f"{load:g}x{only}-{w}w", load, round(load * base), w, args.ramp, args.duration)
        for load in args.loads
        for w in args.workers
    ]


def numbers(kind: type) -> Any:
    def parse(value: str) -> list[Any]:
        try:
            found = [kind(part) for part in value.split(",") if part.strip()]
        except ValueError:
            found = []
        if not found or min(found) <= 0:
            raise argparse.ArgumentTypeError("a comma-separated list of positive numbers")
        return found

    return parse


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.load.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--customers", type=int, default=2000, help="seeded (default 2000)")
    parser.add_argument(
        "--loads",
        type=numbers(float),
        default=[1.0, 10.0],
        help="multiples of the baseline users (default 1,10)",
    )
    parser.add_argument(
        "--workers",
        type=numbers(int),
        default=[1, 2],
        help="uvicorn workers, each load runs with each (default 1,2)",
    )
    parser.add_argument("--users", type=int, help="exactly this many users instead of --loads")
    parser.add_argument(
        "--classes",
        type=lambda value: [name for name in value.split(",") if name],
        default=list(kinds.BASELINE),
        help="only these user classes, e.g. Visitor or Staff,Analyst (default all)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=75.0,
        help="seconds measured per run, after the ramp (default 75)",
    )
    parser.add_argument(
        "--ramp",
        type=float,
        default=20.0,
        help="seconds to start the users; not measured (default 20)",
    )
    parser.add_argument(
        "--soak",
        type=float,
        metavar="SECONDS",
        help="only a soak: the 1x mix this long, on the first of --workers",
    )
    parser.add_argument(
        "--sample-every",
        type=float,
        default=5.0,
        help="seconds between memory and CPU samples (default 5)",
    )
    parser.add_argument(
        "--think-scale",
        type=float,
        default=1.0,
        help="multiplies every pause of the users (default 1)",
    )
    parser.add_argument(
        "--tour",
        action="store_true",
        help="each user first sends each kind of request of its class",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="seed once for all runs instead of once per run"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short everything: 100 customers, 5 s runs, one seeding",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="9 users, 15 s, 1 worker, short pauses, --tour"
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each run, wait up to this long for the machine to be idle (default 0)",
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="default bench-output/")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/performance.md alone")
    args = parser.parse_args(argv)
    args.label = "load"
    if args.quick:
        args.customers, args.duration, args.ramp, args.reuse = 100, 5.0, 2.0, True
        args.label = "load-quick"
    if args.smoke:
        args.customers, args.users, args.workers, args.duration, args.ramp = 150, 9, [1], 15.0, 2.0
        args.think_scale, args.tour, args.label = 0.1, True, "load-smoke"
    if args.soak:
        args.sample_every = min(args.sample_every, 5.0)
    if not args.classes or set(args.classes) - set(kinds.BASELINE):
        parser.error(f"--classes: a comma-separated list of {', '.join(kinds.BASELINE)}")
    partial = args.users or len(args.classes) < len(kinds.BASELINE)
    args.docs = not (args.no_docs or args.quick or args.smoke or partial)
    if args.customers < 50 or args.duration <= 0 or args.ramp <= 0:
        parser.error("--customers must be at least 50, --duration and --ramp positive")
    return args


def previous(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    # Stopped with SIGTERM: unwind, so our database server and API stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    chosen = plans(args)
    out = args.output / args.label
    out.mkdir(parents=True, exist_ok=True)
    results_path = args.output / f"{args.label}.json"
    # A key for each staff member and analyst of the largest run.
    staff = max(round(p.load * kinds.BASELINE["Staff"]) for p in chosen)
    analysts = max(round(p.load * kinds.BASELINE["Analyst"]) for p in chosen)
    token = secrets.token_hex(3)
    runs: dict[str, Any] = {}
    started = time.perf_counter()
    # A database server of its own for each run: a saturated run leaves FerretDB
    # working through the queries of an API that is gone, for minutes.
    batches = [chosen] if args.reuse else [[plan] for plan in chosen]
    for batch in batches:
        log("starting the database...")
        with database() as db:
            server = asyncio.run(server_kind(db.uri, db.storage))
            plain = "".join(ch if ch.isalnum() else "_" for ch in batch[0].name)
            name = f"load_{plain}_{token}"
            log(f"seeding {args.customers:,} customers into {name}...")
            fixture = asyncio.run(
                prepare(db.uri, name, args.customers, max(staff, 1), max(analysts, 1))
            )
            try:
                for plan in batch:
                    runs[plan.name] = run_plan(plan, db, fixture, name, out, args)
                    # Kept after every run: a later one that fails loses nothing.
                    result = save(results_path, runs, server, args, time.perf_counter() - started)
            finally:
                if db.storage is None:  # somebody else's server: leave it clean
                    settle(db)
                    asyncio.run(drop(db.uri, name))

    text = report.markdown(result)
    (args.output / f"{args.label}.md").write_text(report.markdown(result, full=True) + "\n")
    if args.docs:
        report.write_docs(DOCS, text)
    print(text)
    log(f"done in {result['seconds']:.0f} s; figures in {results_path}")
    return 0


def code_version() -> dict[str, Any]:
    """The commit measured, and the files of the app that differ from it."""

    def git(*command: str) -> str:
        done = subprocess.run(
            ["git", *command], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "api", "schema", "infra")
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted": [line[3:] for line in changed.splitlines()],
    }


def save(
    path: Path, runs: dict[str, Any], server: dict[str, Any], args: argparse.Namespace,
    seconds: float,
) -> dict[str, Any]:  # fmt: skip
    """The runs so far over the last file's (runs not run now, or the soak, are kept)."""
    last = previous(path)
    result: dict[str, Any] = {
        **last,
        "date": now(),
        "machine": machine(),
        "database": server,
        "baseline": kinds.BASELINE,
        "rate_limit_per_minute": LIMIT,
        "seconds": round(seconds, 1),
    }
    # Each part names the commit it measured: a soak run later leaves the
    # runs' commit as it was, and the other way round.
    if args.soak:
        (soak,) = runs.values()
        result["soak"] = {**soak, "memory": soak_summary(soak), "code": code_version()}
    else:
        result["runs"] = {**last.get("runs", {}), **runs}
        result["code"] = code_version()
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


if __name__ == "__main__":
    sys.exit(main())
