"""Lambda cold start: what a new container costs before and during its first
request, measured over fresh Python processes that each import the handler and
invoke it with an HTTP API (payload 2.0) event, against a private FerretDB.

    uv run python -m tests.benchmarks.lambda_cold_start [--runs 10] [--warm 5]
        [--wait-quiet 300]

Each run starts two processes: one finding the bytecode (``.pyc``) of every
module it imports, and one compiling our code and its dependencies from
source, as a container does with the Lambda zip (``infra/lambda_package.py``
leaves out ``.pyc`` files, and ``/var/task`` is read-only, so nothing compiled
is kept); the standard library keeps its bytecode, as in Lambda's runtime.
Both read bytecode only from trees of their own (``PYTHONPYCACHEPREFIX``),
compiled by one untimed run, whatever this checkout has cached.

Per process: the interpreter's start (spawn to the script's first line),
importing ``api.lambda_handler`` (settings, app, telemetry, database client),
the first request (a GraphQL query with an API key: connecting, binding the
documents and checking the indexes, the schema's first execution), of which
binding and index checking alone, and the median of the warm requests after
it. One more process, untimed, runs with ``-X importtime`` to say where the
import spends its time.

Writes bench-output/lambda-cold-start.json and bench-output/lambda-cold-start.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]  # no stubs in the lock
from pymongo import AsyncMongoClient

from api.auth.roles import Role
from api.auth.service import create_api_key
from api.db.client import init_documents
from infra import localdb
from tests.benchmarks.report import markdown_table
from tests.factories import insert_customers
from tests.integration.test_lambda import v2_event

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "bench-output" / "lambda-cold-start.json"
TABLE = ROOT / "bench-output" / "lambda-cold-start.md"
DATABASE = "bench_lambda"
MARK = "COLD-START "
CACHED, FROM_SOURCE = "cached .pyc", "no .pyc (as the Lambda zip)"
MODES = (CACHED, FROM_SOURCE)
QUERY = """{ customers(first: 20) { totalCount nodes { name email country lastSeenAt } } }"""

# The child: one cold container. Binding is timed by wrapping api.db.client's
# init_documents, which Database.ensure_ready looks up at call time.
CHILD = f"""
import json, sys, time
started = time.time()
began = time.perf_counter()
import api.lambda_handler as lambda_handler
imported = time.perf_counter() - began

import api.db.client
binding = []
init_documents = api.db.client.init_documents
async def timed(*args, **kwargs):
    began = time.perf_counter()
    try:
        return await init_documents(*args, **kwargs)
    finally:
        binding.append(time.perf_counter() - began)
api.db.client.init_documents = timed

event = json.loads(sys.stdin.read())
warm = int(sys.argv[1])
requests = []
for _ in range(1 + warm):
    began = time.perf_counter()
    response = lambda_handler.handler(event, None)
    requests.append(time.perf_counter() - began)
    body = json.loads(response["body"])
    assert response["statusCode"] == 200 and "errors" not in body, response
print({MARK!r} + json.dumps({{"started": started, "import": imported, "requests": requests,
                             "binding": sum(binding), "modules": len(sys.modules)}}))
"""


def child_env(uri: str) -> dict[str, str]:
    env = {**os.environ, "MONGODB_URI": uri, "MONGODB_DB": DATABASE, "STAGE": "prod"}
    env["LOG_LEVEL"] = "WARNING"
    # Spans are made (every response carries a trace id) but not exported: a
    # collector's round trip would be timed with the request.
    for name in list(env):
        if name.startswith("OTEL_EXPORTER_OTLP") or name == "OTEL_SDK_DISABLED":
            del env[name]
    return env


def cold_start(uri: str, event: dict[str, Any], warm: int, pycache: Path) -> dict[str, float]:
    """One cold container, reading bytecode only from ``pycache``, writing none."""
    env = child_env(uri) | {"PYTHONPYCACHEPREFIX": str(pycache), "PYTHONDONTWRITEBYTECODE": "1"}
    spawned = time.time()
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(warm)],
        input=json.dumps(event),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    ended = time.perf_counter()
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    line = next(line for line in result.stdout.splitlines() if line.startswith(MARK))
    child = json.loads(line.removeprefix(MARK))
    first, *warm_requests = child["requests"]
    start = child["started"] - spawned
    return {
        "interpreter_ms": start * 1000,
        "import_ms": child["import"] * 1000,
        "first_request_ms": first * 1000,
        "binding_ms": child["binding"] * 1000,
        "warm_request_ms": statistics.median(warm_requests) * 1000,
        "init_and_first_ms": (start + child["import"] + first) * 1000,
        "process_ms": (ended - began) * 1000,
        "modules": child["modules"],
    }


def bytecode_trees(uri: str, event: dict[str, Any], folder: Path) -> dict[str, Path]:
    """For each mode, its bytecode tree: one untimed run compiles all it uses
    into the first; the second is a copy of its standard library's part."""
    compiled = folder / "pycache-all"
    env = child_env(uri) | {"PYTHONPYCACHEPREFIX": str(compiled)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [sys.executable, "-c", CHILD, "0"],
        input=json.dumps(event),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    stdlib = Path(sysconfig.get_paths()["stdlib"]).relative_to("/")
    stdlib_only = folder / "pycache-stdlib"
    shutil.copytree(compiled / stdlib, stdlib_only / stdlib)
    # The venv's site-packages lies outside the standard library's tree.
    site_packages = Path(sysconfig.get_paths()["purelib"]).relative_to("/")
    assert (compiled / site_packages).is_dir()
    assert not (stdlib_only / site_packages).exists()
    return {CACHED: compiled, FROM_SOURCE: stdlib_only}


def import_profile(uri: str, pycache: Path) -> dict[str, Any]:
    """Where the import spends its time, from one untimed ``-X importtime`` run:
    ms of own (self) time summed by top-level package, our own modules as
    ``api.<part>`` and ``schema`` so that a slow one of ours shows, and the
    slowest single modules."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import api.lambda_handler"],
        cwd=ROOT,
        env=child_env(uri) | {"PYTHONPYCACHEPREFIX": str(pycache), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    packages: Counter[str] = Counter()  # microseconds, as -X importtime prints them
    modules: Counter[str] = Counter()
    for line in result.stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s+(\S+)", line.strip())
        if found:
            module, own = found[2], int(found[1])
            parts = module.split(".")
            packages[".".join(parts[:2]) if parts[0] == "api" else parts[0]] += own
            modules[module] += own
    return {
        "total": sum(packages.values()) / 1000,
        "packages": {name: us / 1000 for name, us in packages.most_common(10)},
        "modules": {name: us / 1000 for name, us in modules.most_common(5)},
    }


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text()
    memory = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model[1].strip() if model else platform.processor(),
        "memory_gib": round(int(memory[1]) / 1024 / 1024, 1) if memory else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "database": f"FerretDB {localdb.FERRETDB_VERSION} ({localdb.backend()})",
    }


async def prepare(uri: str) -> str:
    """The database as a deployed function finds it: documents and indexes exist,
    some customers, and an API key to ask with."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri, tz_aware=True)
    try:
        await init_documents(client, DATABASE)
        await insert_customers(50)
        _, secret = await create_api_key("cold start", Role.VIEWER, "test")
        return secret
    finally:
        await client.close()


def summarise(runs: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    summary = {}
    for name in runs[0]:
        values = sorted(run[name] for run in runs)
        summary[name] = {
            "median": statistics.median(values),
            "p90": statistics.quantiles(values, n=10, method="inclusive")[8],
            "min": values[0],
            "max": values[-1],
        }
    return summary


def wait_quiet(limit: float, threshold: float = 0.3, interval: float = 3) -> float:
    """Cores busy with other work, after waiting up to ``limit`` seconds for
    fewer than ``threshold``: on a shared machine, other work weighs on every
    figure here, so the report says how much there was."""
    deadline = time.monotonic() + limit
    while True:
        busy: float = psutil.cpu_percent(interval=interval) / 100 * (os.cpu_count() or 1)
        if busy < threshold or time.monotonic() > deadline:
            return busy
        print(f"waiting for a quieter machine ({busy:.2f} cores busy)", flush=True)


def run(runs: int, warm: int, wait: float) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="tracking-bench-lambda-"))
    folder.chmod(0o755)  # PostgreSQL runs as its own user
    server = localdb.spawn(folder, localdb.free_port())
    try:
        key = asyncio.run(prepare(server.uri))
        event = v2_event("POST", "/graphql", {"query": QUERY}, token=key)
        pycache = bytecode_trees(server.uri, event, folder)
        measured: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
        busy = []
        # Modes alternate, so that drift on a shared machine weighs on both alike.
        for index in range(runs):
            # Others' tests come and go: each run waits for a quiet moment.
            busy.append(wait_quiet(wait, interval=1))
            for mode in MODES:
                measured[mode].append(cold_start(server.uri, event, warm, pycache[mode]))
            figures = ", ".join(
                f"{found[-1]['init_and_first_ms']:.0f} ms" for found in measured.values()
            )
            print(f"run {index + 1}/{runs}: {figures}", flush=True)
        busy_after = wait_quiet(0)  # other work that started meanwhile shows here
        return {
            "date": datetime.now(UTC).isoformat(timespec="minutes"),
            "machine": machine(),
            "cores_busy_before": round(max(busy), 2),
            "cores_busy_after": round(busy_after, 2),
            "runs": runs,
            "warm_requests_per_run": warm,
            "summary": {mode: summarise(found) for mode, found in measured.items()},
            "import_profile_ms": import_profile(server.uri, pycache[CACHED]),
            "measured": measured,
        }
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


PHASES = {
    "interpreter_ms": "interpreter start",
    "import_ms": "import `api.lambda_handler`",
    "first_request_ms": "first request",
    "binding_ms": "of which binding documents, checking indexes",
    "init_and_first_ms": "cold start to first response",
    "warm_request_ms": "warm request (median of the process's)",
}


def table(report: dict[str, Any]) -> str:
    host = report["machine"]
    intro = (
        f"Run {report['date']} UTC, {report['runs']} fresh processes, "
        f"{report['warm_requests_per_run']} warm requests each; {host['cpus']} x "
        f"{host['cpu_model']}, {host['memory_gib']} GiB, Python {host['python']}, "
        f"{host['database']}; cores busy with other work before a run (the most) and "
        f"after the last: {report['cores_busy_before']}, {report['cores_busy_after']}.\n\n"
    )
    rows = (
        [
            label,
            *(
                f"{report['summary'][mode][name][stat]:.1f}"
                for mode in MODES
                for stat in ("median", "p90")
            ),
        ]
        for name, label in PHASES.items()
    )
    columns = ["phase", *(f"{mode}: {stat} ms" for mode in MODES for stat in ("median", "p90"))]
    profile = report["import_profile_ms"]
    packages = ", ".join(f"{name} {ms:.0f}" for name, ms in profile["packages"].items())
    modules = ", ".join(f"`{name}` {ms:.0f}" for name, ms in profile["modules"].items())
    return (
        intro
        + markdown_table(columns, rows)
        + f"\n\nImport profile (one `-X importtime` run, {profile['total']:.0f} ms in all), "
        f"ms of own time by package: {packages}; slowest modules: {modules}.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.lambda_cold_start")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--wait-quiet", type=float, default=300, metavar="SECONDS")
    args = parser.parse_args()
    report = run(args.runs, args.warm, args.wait_quiet)
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(report, indent=2))
    TABLE.write_text(table(report))
    print(table(report))


if __name__ == "__main__":
    main()
