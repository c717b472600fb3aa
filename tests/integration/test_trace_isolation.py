"""Every request gets its own trace, even on a keep-alive connection that just
carried a large body: asyncio can hand a request's context to the next one on
the same connection (CPython issue 140947), which merged unrelated callers'
traces and logs under one trace id."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.auth.service import create_write_key
from tests.api_process import start_api, stop_api
from tests.ingest_helpers import NOW, event
from tests.otlp import Receiver, receiving

SIZES = [70_000, 1_000_000]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as server:
        yield server


def one_connection(url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=url,
        timeout=30,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )


def big_graphql(size: int) -> dict[str, Any]:
    # Variables the operation does not declare are ignored: a large body that
    # stays under the query's own length limit.
    return {"query": "{ __typename }", "variables": {"pad": "x" * size}}


def big_track(size: int, write_key: str) -> dict[str, Any]:
    per_event = 7000
    events = [event(f"big{n}", NOW, note="x" * per_event) for n in range(max(1, size // per_event))]
    return {"writeKey": write_key, "events": events}


def small_track(write_key: str) -> dict[str, Any]:
    return {"writeKey": write_key, "events": [event("small", NOW)]}


def parent() -> tuple[str, str, str]:
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return trace_id, span_id, f"00-{trace_id}-{span_id}-01"


def peer(response: httpx.Response) -> object:
    stream = response.extensions["network_stream"]
    return stream.get_extra_info("client_addr")


async def exercise(url: str, write_key: str) -> list[tuple[str, str | None]]:
    """Big bodies, each followed by small requests on the same connection; the
    trace id and sent parent span of each small request (checked here), and of
    each big one."""
    seen: list[tuple[str, str | None]] = []
    async with one_connection(url) as http:
        connection = None
        for route in ("/graphql", "/v1/track"):
            for size in SIZES:
                body = big_graphql(size) if route == "/graphql" else big_track(size, write_key)
                big = await http.post(route, json=body)
                assert big.status_code in (200, 202), (route, size, big.text[:200])
                assert len(big.request.content) >= size
                big_id = big.headers["x-trace-id"]
                seen.append((big_id, None))
                connection = connection or peer(big)
                for small_route in ("/graphql", "/v1/track"):
                    small = (
                        {"query": "{ __typename }"}
                        if small_route == "/graphql"
                        else small_track(write_key)
                    )
                    alone = await http.post(small_route, json=small)
                    trace_id, span_id, traceparent = parent()
                    child = await http.post(
                        small_route, json=small, headers={"traceparent": traceparent}
                    )
                    for response in (alone, child):
                        assert response.status_code in (200, 202), response.text[:200]
                        assert peer(response) == connection  # one keep-alive connection
                    assert alone.headers["x-trace-id"] != big_id, (route, size, small_route)
                    assert child.headers["x-trace-id"] == trace_id, (route, size, small_route)
                    if small_route == "/graphql":
                        assert alone.json()["extensions"]["traceId"] == alone.headers["x-trace-id"]
                        assert child.json()["extensions"]["traceId"] == trace_id
                    seen.append((alone.headers["x-trace-id"], None))
                    seen.append((trace_id, span_id))
    ids = [trace_id for trace_id, _ in seen]
    assert len(set(ids)) == len(ids)
    return seen


async def test_in_process_server_keeps_traces_apart(api):
    key = await create_write_key("Trace isolation", "test")
    await exercise(api.url, key.key)


async def spans_are_roots_or_children_of_their_parent(
    receiver: Receiver, seen: list[tuple[str, str | None]]
) -> None:
    def servers(trace_id: str) -> list[Any]:
        return [span for span in receiver.trace(trace_id) if span.kind == span.SPAN_KIND_SERVER]

    async with asyncio.timeout(20):
        while not all(servers(trace_id) for trace_id, _ in seen):  # noqa: ASYNC110 - another thread's results
            await asyncio.sleep(0.1)
    for trace_id, sent_parent in seen:
        (server,) = servers(trace_id)
        assert server.parent_span_id.hex() == (sent_parent or ""), trace_id
    # No request's spans hang under another request's trace.
    for trace_id, _ in seen:
        tops = [
            span
            for span in receiver.trace(trace_id)
            if span.name in ("POST /graphql", "POST /v1/track")
        ]
        assert len(tops) == 1, (trace_id, [span.name for span in tops])


@pytest.mark.parametrize(
    ("workers", "by_hand"), [(1, False), (2, False), (1, True)], ids=["serve", "workers", "uvicorn"]
)
async def test_served_process_keeps_traces_apart(
    db, settings, receiver, tmp_path: Path, workers, by_hand
):
    key = await create_write_key("Trace isolation", "test")
    variables = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    process, url = start_api(
        settings.mongodb_uri,
        settings.mongodb_db,
        variables,
        (tmp_path / "log").open("w"),
        workers=workers,
        by_hand=by_hand,
    )
    try:
        seen = await exercise(url, key.key)
        await spans_are_roots_or_children_of_their_parent(receiver, seen)
    finally:
        stop_api(process)
