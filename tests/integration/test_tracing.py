"""Traces reach a real OTLP/HTTP receiver from a real server process: one trace
from the HTTP request down to the MongoDB command, with no personal data."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.customers.documents import Customer
from api.sessions.documents import Session
from infra.localdb import free_port
from tests.api_process import start_api, stop_api
from tests.factories import BASE
from tests.otlp import Receiver, receiving


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as server:
        yield server


def start(settings, endpoint: str, log_path: Path, **extra: str):
    variables = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": "300",
        "SLOW_OPERATION_MS": "1",
        "LOG_LEVEL": "INFO",
    }
    return start_api(
        settings.mongodb_uri, settings.mongodb_db, {**variables, **extra}, log_path.open("w")
    )


QUERY = """
query FindCustomers($search: String) {
  customers(search: $search, first: 5) {
    nodes { name email sessions(first: 2) { nodes { device customer { name } } } }
  }
}
"""
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


async def wait_for(condition):
    async with asyncio.timeout(15):
        while not (found := condition()):  # noqa: ASYNC110 - polling another thread's results
            await asyncio.sleep(0.1)
    return found


async def test_span_tree_from_http_to_mongodb(db, settings, receiver, tmp_path, admin_headers):
    people = [
        Customer(distinctId=f"d{n}", name=f"Annabel Secret{n}", email=f"annabel{n}@private.example")
        for n in range(3)
    ]
    await Customer.insert_many(people)
    for person in await Customer.find_all().to_list():
        await Session(customerId=person.id, startTime=BASE, device="ios").insert()
    process, url = start(settings, receiver.endpoint, tmp_path / "log")
    try:
        async with httpx.AsyncClient(base_url=url, headers=admin_headers) as http:
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
            spans = receiver.trace(TRACE_ID)
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

        keys = next(res for res, span in receiver.spans if span.trace_id.hex() == TRACE_ID)
        assert keys["service.name"] == "tracking-api"
        assert keys["deployment.environment"] == "dev"
        await wait_for(lambda: "graphql.server.operation.duration" in receiver.metrics)
    finally:
        stop_api(process)
    lines = [
        json.loads(line)
        for line in (tmp_path / "log").read_text().splitlines()
        if line.startswith("{")
    ]
    slow = [line for line in lines if line["message"] == "slow graphql operation"]
    assert slow and slow[0]["trace_id"] == TRACE_ID
    assert slow[0]["operation"] == "FindCustomers" and slow[0]["slowest_spans"]


async def test_collector_down_breaks_nothing(db, settings, tmp_path, admin_headers):
    # Give up on each export after a second, so that failures show within the test.
    dead = f"http://127.0.0.1:{free_port()}"
    process, url = start(settings, dead, tmp_path / "log", OTEL_EXPORTER_OTLP_TIMEOUT="1")
    try:
        async with httpx.AsyncClient(base_url=url, headers=admin_headers) as http:
            for _ in range(10):
                response = await http.post(
                    "/graphql", json={"query": "{ customers { totalCount } }"}
                )
                assert response.status_code == 200
                assert "errors" not in response.json()
                await asyncio.sleep(0.3)
    finally:
        stop_api(process)
    log = (tmp_path / "log").read_text()
    assert log.count("trace export failing") == 1
    assert "Traceback" not in log
