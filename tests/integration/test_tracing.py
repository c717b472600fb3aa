"""Traces reach a real OTLP/HTTP receiver from a real server process: one trace
from the HTTP request down to the MongoDB command, with no personal data."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from api.customers.documents import Customer
from api.sessions.documents import Session
from infra.localdb import free_port
from tests.factories import BASE

ROOT = Path(__file__).resolve().parents[2]


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.spans: list = []
        self.metrics: list[str] = []
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/v1/traces":
            request = ExportTraceServiceRequest.FromString(body)
            with self.server.lock:
                for resource in request.resource_spans:
                    for scope in resource.scope_spans:
                        self.server.spans.extend((resource.resource, span) for span in scope.spans)
        elif self.path == "/v1/metrics":
            request = ExportMetricsServiceRequest.FromString(body)
            with self.server.lock:
                for resource in request.resource_metrics:
                    for scope in resource.scope_metrics:
                        self.server.metrics.extend(metric.name for metric in scope.metrics)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def start_api(
    settings, otlp_endpoint: str, log_path: Path, **extra: str
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DB": settings.mongodb_db,
        "OTEL_EXPORTER_OTLP_ENDPOINT": otlp_endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": "300",
        "SLOW_OPERATION_MS": "1",
        "LOG_LEVEL": "INFO",
        **extra,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError(log_path.read_text())


QUERY = """
query FindCustomers($search: String) {
  customers(search: $search, first: 5) {
    nodes { name email sessions(first: 2) { nodes { device customer { name } } } }
  }
}
"""
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=15)


async def wait_for(condition):
    async with asyncio.timeout(15):
        while not (found := condition()):  # noqa: ASYNC110 - polling another thread's results
            await asyncio.sleep(0.1)
    return found


async def test_span_tree_from_http_to_mongodb(db, settings, receiver, tmp_path):
    people = [
        Customer(distinctId=f"d{n}", name=f"Annabel Secret{n}", email=f"annabel{n}@private.example")
        for n in range(3)
    ]
    await Customer.insert_many(people)
    for person in await Customer.find_all().to_list():
        await Session(customerId=person.id, startTime=BASE, device="ios").insert()
    process, url = start_api(settings, f"http://127.0.0.1:{receiver.server_port}", tmp_path / "log")
    try:
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.post(
                "/graphql",
                json={"query": QUERY, "variables": {"search": "annabel"}},
                headers={"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"},
            )
        body = response.json()
        assert len(body["data"]["customers"]["nodes"]) == 3
        # The id goes back to the client three ways.
        assert body["extensions"]["traceId"] == TRACE_ID
        assert response.headers["x-trace-id"] == TRACE_ID
        assert response.headers["traceresponse"].split("-")[1] == TRACE_ID

        def ours():
            # The request span ends last: once it is here, the whole trace is.
            with receiver.lock:
                spans = [span for _, span in receiver.spans if span.trace_id.hex() == TRACE_ID]
            done = any(span.kind == span.SPAN_KIND_SERVER for span in spans)
            return spans if done else None

        spans = await wait_for(ours)
        by_id = {span.span_id: span for span in spans}
        names = {span.name for span in spans}
        server = next(s for s in spans if s.kind == s.SPAN_KIND_SERVER)
        assert server.parent_span_id.hex() == "00f067aa0ba902b7"  # the browser's span
        operation = next(s for s in spans if s.name == "query FindCustomers")
        assert by_id[operation.parent_span_id] is server
        resolver = next(s for s in spans if s.name == "resolve Query.customers")
        assert by_id[resolver.parent_span_id] is operation
        finds = [
            s for s in spans if s.name.endswith(".find") and s.parent_span_id == resolver.span_id
        ]
        assert finds, names
        assert any(s.name.startswith("dataloader ") for s in spans), names
        attributes = {a.key: a.value for a in operation.attributes}
        assert attributes["graphql.operation.type"].string_value == "query"
        assert len(attributes["graphql.document.hash"].string_value) == 16
        shapes = [
            a.value.string_value for s in finds for a in s.attributes if a.key == "db.query.shape"
        ]
        assert any('"searchTerms"' in shape for shape in shapes)

        # No personal data in any attribute of any span.
        text = json.dumps(
            [[str(a.value) for a in s.attributes] for s in spans] + [s.name for s in spans]
        ).lower()
        for person in people:
            assert (person.email or "").lower() not in text
            assert person.name.lower().split()[1] not in text
        assert "annabel" not in text

        resource = next(res for res, span in receiver.spans if span.trace_id.hex() == TRACE_ID)
        keys = {a.key: a.value.string_value for a in resource.attributes}
        assert keys["service.name"] == "tracking-api"
        assert keys["deployment.environment"] == "dev"
        await wait_for(lambda: "graphql.server.operation.duration" in receiver.metrics)
    finally:
        stop(process)
    lines = [
        json.loads(line)
        for line in (tmp_path / "log").read_text().splitlines()
        if line.startswith("{")
    ]
    slow = [line for line in lines if line["message"] == "slow graphql operation"]
    assert slow and slow[0]["trace_id"] == TRACE_ID
    assert slow[0]["operation"] == "FindCustomers" and slow[0]["slowest_spans"]


async def test_collector_down_breaks_nothing(db, settings, tmp_path):
    # Give up on each export after a second, so that failures show within the test.
    dead = f"http://127.0.0.1:{free_port()}"
    process, url = start_api(settings, dead, tmp_path / "log", OTEL_EXPORTER_OTLP_TIMEOUT="1")
    try:
        async with httpx.AsyncClient(base_url=url) as http:
            for _ in range(10):
                response = await http.post(
                    "/graphql", json={"query": "{ customers { totalCount } }"}
                )
                assert response.status_code == 200
                assert "errors" not in response.json()
                await asyncio.sleep(0.3)
    finally:
        stop(process)
    log = (tmp_path / "log").read_text()
    assert log.count("trace export failing") == 1
    assert "Traceback" not in log
