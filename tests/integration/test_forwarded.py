"""Whose address a request is counted against, as served by ``python -m api
serve`` (and by a hand-started uvicorn): X-Forwarded-For counts only from the
proxies TRUST_FORWARDED_FOR names, so a client cannot pick a fresh per-address
budget by writing the header itself. And no ``server`` header names uvicorn."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from api.ratelimit.documents import RateCounter
from api.settings import Settings
from infra.localdb import free_port
from tests.api_process import ROOT, start_api, stop_api
from tests.ratelimits import a_fresh_window

LIMIT = 3


@contextmanager
def served(settings: Settings, log: Path, by_hand: bool = False, **env: str) -> Iterator[str]:
    process, url = start_api(
        settings.mongodb_uri,
        settings.mongodb_db,
        {"RATE_LIMIT_PER_IP": str(LIMIT), **env},
        log.open("w"),
        by_hand=by_hand,
    )
    try:
        yield url
    finally:
        stop_api(process)


async def statuses(url: str, forwarded: list[str]) -> list[int]:
    await a_fresh_window(15)
    found = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for value in forwarded:
            response = await http.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"X-Forwarded-For": value}
            )
            found.append(response.status_code)
            if response.status_code == 429:
                assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    return found


async def counted() -> set[str]:
    """Who the per-address counters are for."""
    return {counter.id.split(":")[1] for counter in await RateCounter.find_all().to_list()}


SPOOFED = [f"198.51.100.{n}" for n in range(1, 7)]


async def test_forwarded_for_from_a_client_is_ignored(db, settings, tmp_path):
    with served(settings, tmp_path / "log") as url:
        assert await statuses(url, SPOOFED) == [200] * LIMIT + [429] * (len(SPOOFED) - LIMIT)
    assert await counted() == {"127.0.0.1"}


async def test_no_server_header(db, settings, tmp_path):
    with served(settings, tmp_path / "log") as url:
        async with httpx.AsyncClient(base_url=url) as http:
            for response in (
                await http.get("/healthz"),
                await http.post("/graphql", json={"query": "{ __typename }"}),
                await http.post("/v1/track", json={"events": []}),
            ):
                assert "server" not in response.headers, response.headers


async def test_forwarded_for_counts_from_the_proxies_named(db, settings, tmp_path):
    with served(settings, tmp_path / "log", TRUST_FORWARDED_FOR="10.0.0.0/8, 127.0.0.1") as url:
        # Each forwarded address has its own budget, whatever its port; what
        # the client wrote before the proxies' entries does not matter, nor do
        # trusted proxies on the way (10.1.2.3).
        one = [f"203.0.113.{n}, 198.51.100.1:{40000 + n}" for n in range(LIMIT)]
        one.append("198.51.100.1")
        assert await statuses(url, one) == [200] * LIMIT + [429]
        assert await statuses(url, ["198.51.100.2, 10.1.2.3"]) == [200]
    assert await counted() == {"198.51.100.1", "198.51.100.2"}


async def test_forwarded_for_from_another_peer_is_ignored(db, settings, tmp_path):
    with served(settings, tmp_path / "log", TRUST_FORWARDED_FOR="10.0.0.0/8") as url:
        assert await statuses(url, SPOOFED) == [200] * LIMIT + [429] * (len(SPOOFED) - LIMIT)
    assert await counted() == {"127.0.0.1"}


async def test_a_hand_started_uvicorn_cannot_be_spoofed_either(db, settings, tmp_path):
    # uvicorn's defaults believe X-Forwarded-For from 127.0.0.1 and put its
    # entry in place of the peer; the app notices and counts them together.
    with served(settings, tmp_path / "log", by_hand=True) as url:
        assert await statuses(url, SPOOFED) == [200] * LIMIT + [429] * (len(SPOOFED) - LIMIT)
    assert await counted() == {"forwarded"}
    assert "--no-proxy-headers" in (tmp_path / "log").read_text()


def test_a_bad_proxy_list_stops_the_server(settings):
    result = subprocess.run(
        [sys.executable, "-m", "api", "serve", "--port", str(free_port())],
        cwd=ROOT,
        env={**os.environ, "TRUST_FORWARDED_FOR": "10.0.0.0/8, proxy.internal"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "TRUST_FORWARDED_FOR" in result.stderr and "proxy.internal" in result.stderr
    assert "Traceback" not in result.stderr
