"""What tracing costs: throughput and p95 of a realistic read mix with tracing
off, on at full sampling, and on at 10 %, each against the same server code
exporting to a real OTLP/HTTP receiver on 127.0.0.1.

    uv run python -m tests.benchmarks.tracing [--requests 300]

Writes bench-output/tracing.json and the marked section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from strawberry.relay import GlobalID

from api.analytics.hours import rebuild
from api.db.client import init_documents
from api.demo.seed import load
from infra import localdb
from tests.api_process import admin_key, bearer, start_api, stop_api
from tests.benchmarks.report import markdown_table
from tests.otlp import receiving

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "bench-output" / "tracing.json"
DOCS = ROOT / "docs" / "performance.md"
START, END = "<!-- tracing:start -->", "<!-- tracing:end -->"
RATIO = "parentbased_traceidratio"
MODES = {
    "tracing off": {"OTEL_SDK_DISABLED": "true"},
    "on, sampling 1.0": {"OTEL_TRACES_SAMPLER": RATIO, "OTEL_TRACES_SAMPLER_ARG": "1.0"},
    "on, sampling 0.1": {"OTEL_TRACES_SAMPLER": RATIO, "OTEL_TRACES_SAMPLER_ARG": "0.1"},
}
CUSTOMERS = """query Customers { customers(first: 20) { nodes { id name email country lastSeenAt
  sessions(first: 3) { nodes { startTime device eventCount customer { name } } } } } }"""
EVENTS = """query Events($id: ID!) { session(id: $id) { events(first: 50) {
  nodes { type page timestamp metadata } } } }"""


async def measure(url: str, key: str, session_id: str, requests: int) -> dict[str, float]:
    latencies = []
    async with httpx.AsyncClient(base_url=url, timeout=60, headers=bearer(key)) as http:
        for index in range(requests + 10):
            body: dict[str, Any] = (
                {"query": CUSTOMERS}
                if index % 2
                else {"query": EVENTS, "variables": {"id": session_id}}
            )
            began = time.perf_counter()
            response = await http.post("/graphql", json=body)
            elapsed = time.perf_counter() - began
            assert response.status_code == 200 and "errors" not in response.json(), response.text
            if index >= 10:  # warm-up
                latencies.append(elapsed * 1000)
    return {
        "requests": len(latencies),
        "throughput": len(latencies) / (sum(latencies) / 1000),
        "p50": statistics.median(latencies),
        "p95": statistics.quantiles(latencies, n=20)[18],
    }


async def run(requests: int, rounds: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="tracking-bench-tracing-"))
    folder.chmod(0o755)  # noqa: ASYNC240 - PostgreSQL runs as its own user
    server = localdb.spawn(folder, localdb.free_port())
    try:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(server.uri, tz_aware=True)
        await init_documents(client, "bench_tracing")
        await load(
            client["bench_tracing"],
            300,
            seed=7,
            anchor=datetime(2026, 11, 1, tzinfo=UTC),
            progress=False,
        )
        await rebuild()
        session = await client["bench_tracing"]["sessions"].find_one({"eventCount": {"$gte": 20}})
        assert session is not None
        session_id = str(GlobalID("Session", str(session["_id"])))
        await client.close()
        key = await admin_key(server.uri, "bench_tracing")
        results: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
        with receiving() as sink:
            # Modes interleaved over rounds, so drift on a shared machine hits all alike.
            for _ in range(rounds):
                for mode, env in MODES.items():
                    variables = {
                        "LOG_LEVEL": "WARNING",
                        "RATE_LIMIT_PER_KEY": str(10**9),
                        "OTEL_EXPORTER_OTLP_ENDPOINT": sink.endpoint,
                    }
                    process, url = start_api(server.uri, "bench_tracing", {**variables, **env})
                    try:
                        results[mode].append(await measure(url, key, session_id, requests))
                    finally:
                        stop_api(process)
            exported = sink.received_bytes
        summary = {
            mode: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            for mode, runs in results.items()
        }
        base = summary["tracing off"]["throughput"]
        for figures in summary.values():
            figures["overhead"] = 1 - figures["throughput"] / base
        return {"date": datetime.now(UTC).isoformat(timespec="minutes"), "rounds": rounds,
                "otlp_bytes": exported, "modes": summary}  # fmt: skip
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def table(report: dict[str, Any]) -> str:
    intro = (
        f"Run {report['date']} UTC: {report['rounds']} rounds per mode, each after 10 warm-up\n"
        "requests, alternating a customers page (with sessions and their customers) and a\n"
        "session's 50 events; the API exports to an OTLP/HTTP receiver on 127.0.0.1.\n\n"
    )
    rows = (
        [
            mode,
            f"{figures['throughput']:.1f}",
            f"{figures['p50']:.1f}",
            f"{figures['p95']:.1f}",
            f"{figures['overhead'] * 100:.1f} %",
        ]
        for mode, figures in report["modes"].items()
    )
    columns = ["mode", "req/s", "p50 ms", "p95 ms", "throughput lost"]
    return intro + markdown_table(columns, rows)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.tracing")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    report = asyncio.run(run(args.requests, args.rounds))
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(report, indent=2))
    text = DOCS.read_text()
    section = f"{START}\n{table(report)}\n{END}"
    if START in text:
        text = re.sub(
            re.escape(START) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S
        )
    else:
        text += f"\n## What tracing costs\n\n`make bench-tracing`\n\n{section}\n"
    DOCS.write_text(text)
    print(table(report))


if __name__ == "__main__":
    main()
