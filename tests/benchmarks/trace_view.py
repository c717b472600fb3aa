"""A picture of one real trace, for docs/operations.md, without Docker.

    uv run python -m tests.benchmarks.trace_view

Starts a private FerretDB in a temporary folder, loads 30 demo customers,
starts the API as a subprocess exporting OTLP/HTTP to a receiver in this
process (as tests/integration/test_tracing.py does), runs one realistic
query (a customer, their latest sessions and the events in them), collects
that trace's spans and its log records, renders them as a self-contained HTML
waterfall (what Grafana's Tempo trace view shows: the span tree, each span's
offset and duration, its key attributes) and screenshots it with headless
Chromium into docs/images/trace-view.png. Everything it started is stopped.
"""

from __future__ import annotations

import asyncio
import html
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from api.analytics import hours
from api.db.client import init_documents, make_client
from api.demo import seed
from api.settings import Settings
from infra import localdb
from tests.api_process import admin_key, bearer, start_api, stop_api
from tests.otlp import Receiver, attributes, receiving, value

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "docs" / "images" / "trace-view.png"
CHROMIUM = "/usr/bin/chromium"
ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)
WIDTH, HEIGHT = 1400, 900

# What an SRE opens after "the customer page was slow": one customer, their
# latest sessions, the events in each (and each event's session, a DataLoader).
QUERY = """
query CustomerTimeline($id: ID!) {
  customer(id: $id) {
    name
    country
    lastSeenAt
    sessions(first: 2) {
      totalCount
      nodes {
        startTime
        device
        eventCount
        events(first: 3) { nodes { type page timestamp session { device } } }
      }
    }
  }
}
"""
FIRST_CUSTOMER = """
query FirstCustomer {
  customers(first: 1, orderBy: {field: LAST_SEEN_AT, direction: DESC}) { nodes { id } }
}
"""

# Attributes worth a line under the span's name, in this order.
SHOWN = (
    "http.method",
    "http.target",
    "http.status_code",
    "graphql.operation.name",
    "graphql.operation.type",
    "graphql.document.hash",
    "graphql.document.fields",
    "graphql.errors",
    "dataloader.batch_size",
    "db.system",
    "db.query.shape",
    "db.query.sort",
)


# ---------------------------------------------------------------- rendering


@dataclass
class Row:
    span: Span
    depth: int
    attributes: dict[str, Any] = field(default_factory=dict)


def tree(spans: list[Span]) -> list[Row]:
    """Depth-first, children in start order: the order of a trace view."""
    ids = {span.span_id for span in spans}
    children: dict[bytes, list[Span]] = {}
    roots: list[Span] = []
    for span in spans:
        if span.parent_span_id in ids:
            children.setdefault(span.parent_span_id, []).append(span)
        else:
            roots.append(span)
    rows: list[Row] = []

    def walk(span: Span, depth: int) -> None:
        rows.append(Row(span, depth, attributes(span.attributes)))
        for child in sorted(children.get(span.span_id, []), key=lambda s: s.start_time_unix_nano):
            walk(child, depth + 1)

    for root in sorted(roots, key=lambda s: s.start_time_unix_nano):
        walk(root, 0)
    return rows


def category(row: Row) -> str:
    name = row.span.name
    if row.span.kind == Span.SPAN_KIND_SERVER:
        return "http"
    if row.span.kind == Span.SPAN_KIND_CLIENT or "db.system" in row.attributes:
        return "db"
    if name.startswith("dataloader "):
        return "loader"
    if name.startswith("resolve "):
        return "resolver"
    return "operation"


STYLE = """
body { font: 13px/1.35 -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif;
       margin: 0; background: #111217; color: #ccccdc; }
header { padding: 14px 20px 10px; border-bottom: 1px solid #2c3235; }
h1 { font-size: 17px; margin: 0 0 4px; color: #fff; font-weight: 600; }
.meta { color: #8e8e9e; }
.meta b { color: #ccccdc; font-weight: 600; }
code { font-family: 'DejaVu Sans Mono', Menlo, monospace; font-size: 11.5px; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th { text-align: left; color: #8e8e9e; font-weight: 500; padding: 6px 8px;
     border-bottom: 1px solid #2c3235; }
td { padding: 3px 8px; border-bottom: 1px solid #1e2126; vertical-align: top; }
td.name { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
td.ms { text-align: right; color: #d8d9da; font-variant-numeric: tabular-nums; }
.attrs { color: #8e8e9e; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.attrs code { color: #a4c8ff; }
.lane { position: relative; height: 16px; margin-top: 2px; }
.bar { position: absolute; top: 2px; height: 12px; border-radius: 2px; min-width: 2px; }
.ticks { position: relative; height: 14px; color: #6e6e7e; font-size: 11px; }
.ticks span { position: absolute; transform: translateX(-50%); }
.http .bar { background: #5794f2; } .operation .bar { background: #b877d9; }
.resolver .bar { background: #73bf69; } .loader .bar { background: #ff9830; }
.db .bar { background: #f2495c; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin: 0 5px 0 0; }
.legend { margin-top: 6px; color: #8e8e9e; }
.legend span { margin-right: 14px; }
.log { margin: 10px 20px; padding: 8px 10px; background: #181b1f; border-left: 3px solid #ff9830;
       color: #d8d9da; white-space: pre-wrap; }
"""


def attribute_text(row: Row) -> str:
    parts = []
    for key in SHOWN:
        if key in row.attributes and key != "db.system":
            shown = str(row.attributes[key])
            parts.append(f"{html.escape(key)}=<code>{html.escape(shown)}</code>")
    return " &nbsp; ".join(parts)


def render(rows: list[Row], resource: dict[str, str], logs: list[dict[str, Any]]) -> str:
    start = min(row.span.start_time_unix_nano for row in rows)
    end = max(row.span.end_time_unix_nano for row in rows)
    total = max(end - start, 1)
    trace_id = rows[0].span.trace_id.hex()
    title = " \u2192 ".join(row.span.name for row in rows[:2])
    lines = []
    for row in rows:
        span = row.span
        offset = (span.start_time_unix_nano - start) / total * 100
        width = (span.end_time_unix_nano - span.start_time_unix_nano) / total * 100
        ms = (span.end_time_unix_nano - span.start_time_unix_nano) / 1e6
        indent = 6 + row.depth * 18
        shown = attribute_text(row)
        lines.append(
            f'<tr class="{category(row)}">'
            f'<td class="name" style="padding-left:{indent}px">'
            f'<span class="dot"></span>{html.escape(span.name)}'
            + (f'<div class="attrs" style="padding-left:14px">{shown}</div>' if shown else "")
            + "</td>"
            f'<td class="ms">{ms:.1f} ms</td>'
            f'<td><div class="lane"><div class="bar" style="left:{offset:.2f}%;'
            f'width:{width:.2f}%"></div></div></td></tr>'
        )
    ticks = "".join(
        f'<span style="left:{p}%">{total / 1e6 * p / 100:.0f} ms</span>' for p in (0, 25, 50, 75)
    )
    log_html = "".join(
        f'<div class="log">{html.escape(log["severity"])} {html.escape(log["body"])}'
        f"  {html.escape(log['details'])}</div>"
        for log in logs
    )
    colours = (
        ("http", "#5794f2", "HTTP server"),
        ("operation", "#b877d9", "GraphQL operation"),
        ("resolver", "#73bf69", "resolver"),
        ("loader", "#ff9830", "DataLoader"),
        ("db", "#f2495c", "MongoDB command"),
    )
    legend = "".join(
        f'<span><span class="dot" style="background:{colour}"></span>{label}</span>'
        for _, colour, label in colours
    )
    dots = "".join(
        f".{name} .dot {{ background: {colour} !important; }}" for name, colour, _ in colours
    )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Trace {trace_id}</title>
<style>{STYLE}{dots}</style></head><body>
<header>
<h1>{html.escape(title)}</h1>
<div class="meta">Trace ID <b><code>{trace_id}</code></b> &nbsp;·&nbsp;
service <b>{html.escape(resource.get("service.name", "?"))}</b> &nbsp;·&nbsp;
deployment.environment <b>{html.escape(resource.get("deployment.environment", "?"))}</b>
&nbsp;·&nbsp; duration <b>{total / 1e6:.1f} ms</b> &nbsp;·&nbsp; <b>{len(rows)}</b> spans
&nbsp;·&nbsp; received over OTLP/HTTP from the API process</div>
<div class="legend">{legend}</div>
</header>
<table>
<colgroup><col style="width:50%"><col style="width:80px"><col></colgroup>
<tr><th>Span</th><th style="text-align:right">Duration</th>
<th><div class="ticks">{ticks}</div></th></tr>
{"".join(lines)}
</table>
{log_html}
</body></html>
"""


def log_lines(records: list[LogRecord], trace_id: str) -> list[dict[str, Any]]:
    found = []
    for record in records:
        if record.trace_id.hex() != trace_id:
            continue
        fields = attributes(record.attributes)
        details = {
            key: fields[key] for key in ("operation", "duration_ms", "trace_id") if key in fields
        }
        found.append(
            {
                "severity": record.severity_text,
                "body": str(value(record.body)),
                "details": " ".join(f"{key}={val}" for key, val in details.items()),
            }
        )
    return found


# ---------------------------------------------------------------- the run


async def load_demo_data(uri: str, database: str) -> None:
    settings = Settings(mongodb_uri=uri, mongodb_db=database)
    client = make_client(settings)
    try:
        await init_documents(client, database)
        await seed.load(client[database], 30, seed=1, anchor=ANCHOR, progress=False)
        await hours.rebuild()
    finally:
        await client.close()


def wait_for_trace(receiver: Receiver, trace_id: str) -> tuple[dict[str, str], list[Span]]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with receiver.lock:
            found = [(res, s) for res, s in receiver.spans if s.trace_id.hex() == trace_id]
        # The request span ends last: once it is here, the whole trace is.
        if any(span.kind == Span.SPAN_KIND_SERVER for _, span in found):
            return found[0][0], [span for _, span in found]
        time.sleep(0.1)
    raise SystemExit(f"trace {trace_id} did not arrive")


def screenshot(page: Path, output: Path, profile: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={output}",
            f"--window-size={WIDTH},{HEIGHT}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


EXPORT_NOW = {
    "OTEL_BSP_SCHEDULE_DELAY": "100",
    "OTEL_BLRP_SCHEDULE_DELAY": "100",
    "OTEL_METRIC_EXPORT_INTERVAL": "60000",
    "SLOW_OPERATION_MS": "1",  # so that the slow-operation log line shows too
    "LOG_LEVEL": "INFO",
}


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="tracking-trace-view-"))
    folder.chmod(0o755)  # PostgreSQL (FerretDB's storage) runs as its own user
    server = localdb.spawn(folder, localdb.free_port())
    process = None
    database = "trace_view"
    try:
        asyncio.run(load_demo_data(server.uri, database))
        key = asyncio.run(admin_key(server.uri, database))
        with receiving() as receiver:
            env = {**EXPORT_NOW, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint}
            process, url = start_api(server.uri, database, env, (folder / "api.log").open("w"))
            picture(url, key, receiver, folder)
    finally:
        if process is not None:
            stop_api(process)
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def picture(url: str, key: str, receiver: Receiver, folder: Path) -> None:
    """One traced request, drawn as a waterfall and screenshotted."""
    with httpx.Client(base_url=url, timeout=30, headers=bearer(key)) as http:
        first = http.post("/graphql", json={"query": FIRST_CUSTOMER}).json()
        customer_id = first["data"]["customers"]["nodes"][0]["id"]
        trace_id = uuid.uuid4().hex
        response = http.post(
            "/graphql",
            json={"query": QUERY, "variables": {"id": customer_id}},
            headers={"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"},
        )
    body = response.json()
    assert "errors" not in body, body
    assert response.headers["x-trace-id"] == trace_id
    resource, spans = wait_for_trace(receiver, trace_id)
    time.sleep(0.5)  # the log record of the same request
    with receiver.lock:
        logs = log_lines(receiver.logs, trace_id)
    rows = tree(spans)
    page = folder / "trace-view.html"
    page.write_text(render(rows, resource, logs))
    screenshot(page, OUTPUT, folder / "chromium")
    print(f"trace {trace_id}: {len(rows)} spans -> {OUTPUT.relative_to(ROOT)}")
    for row in rows:
        ms = (row.span.end_time_unix_nano - row.span.start_time_unix_nano) / 1e6
        shape = row.attributes.get("db.query.shape", "")
        print(f"  {'  ' * row.depth}{row.span.name} {ms:.1f} ms {shape}")


if __name__ == "__main__":
    sys.exit(main())
