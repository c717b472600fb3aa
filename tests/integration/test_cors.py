"""CORS over real HTTP: an allowed origin gets the policy, with the headers its
scripts may read; a refused origin, and a request with no cross origin, get no
Access-Control-* header at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from api.server.app import create_app
from api.settings import Settings
from tests.api_process import serve

STAFF = "https://staff.example"
SHOP = "https://shop.example"
STRANGER = "https://evil.example"
ME = "{ me { kind } }"
PREFLIGHT = {"Access-Control-Request-Method": "POST"}


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


def exposed(response: httpx.Response) -> set[str]:
    value = response.headers.get("access-control-expose-headers", "")
    return {name.strip().lower() for name in value.split(",") if name.strip()}


@pytest.fixture
async def http(
    settings: Settings, db: AsyncDatabase[dict[str, Any]]
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app served with a staff SPA origin and a tracked shop."""
    configured = settings.model_copy(update={"cors_origins": STAFF, "track_origins": SHOP})
    async with serve(create_app(configured)) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def test_graphql_cors_for_the_staff_origin_only(http: httpx.AsyncClient) -> None:
    preflight = await http.options(
        "/graphql",
        headers={
            "Origin": STAFF,
            **PREFLIGHT,
            "Access-Control-Request-Headers": "content-type, traceparent",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == STAFF
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "traceparent" in preflight.headers["access-control-allow-headers"].lower()

    allowed = await http.post("/graphql", json={"query": ME}, headers={"Origin": STAFF})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == STAFF
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert exposed(allowed) == {"x-trace-id", "traceresponse", "retry-after"}
    assert len(allowed.headers["x-trace-id"]) == 32
    assert "origin" in allowed.headers["vary"].lower()

    refused_preflight = await http.options("/graphql", headers={"Origin": STRANGER, **PREFLIGHT})
    assert refused_preflight.status_code == 400
    assert cors_headers(refused_preflight) == {}
    # An allowed origin asking for a method we do not allow: refused alike.
    wrong_method = await http.options(
        "/graphql", headers={"Origin": STAFF, "Access-Control-Request-Method": "DELETE"}
    )
    assert wrong_method.status_code == 400
    assert cors_headers(wrong_method) == {}

    refused = await http.post("/graphql", json={"query": ME}, headers={"Origin": STRANGER})
    assert refused.status_code == 200
    assert cors_headers(refused) == {}
    assert "origin" in refused.headers["vary"].lower()


async def test_same_origin_and_originless_answers_carry_no_cors(http: httpx.AsyncClient) -> None:
    for origin in (None, str(http.base_url).rstrip("/")):
        headers = {"Origin": origin} if origin else {}
        answers = [
            await http.post("/graphql", json={"query": ME}, headers=headers),
            await http.post("/v1/track", json={"events": []}, headers=headers),
            await http.get("/healthz", headers=headers),
            await http.get("/tracker.js", headers=headers),
            await http.get("/", headers=headers),
        ]
        for answer in answers:
            assert "x-trace-id" in answer.headers or answer.url.path == "/healthz"
            assert cors_headers(answer) == {}, (answer.url.path, origin)


async def test_track_cors_for_tracked_websites_only(http: httpx.AsyncClient) -> None:
    preflight = await http.options(
        "/v1/track",
        headers={"Origin": SHOP, **PREFLIGHT, "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == SHOP
    assert "POST" in preflight.headers["access-control-allow-methods"]

    # No write key: 401, readable by the website's script, with its trace id.
    allowed = await http.post("/v1/track", json={"events": []}, headers={"Origin": SHOP})
    assert allowed.status_code == 401
    assert allowed.headers["access-control-allow-origin"] == SHOP
    assert exposed(allowed) == {"x-trace-id", "traceresponse", "retry-after"}
    # Websites authenticate with their write key, never with a cookie.
    assert "access-control-allow-credentials" not in allowed.headers

    for origin in (STRANGER, STAFF):
        refused_preflight = await http.options("/v1/track", headers={"Origin": origin, **PREFLIGHT})
        assert cors_headers(refused_preflight) == {}, origin
        refused = await http.post("/v1/track", json={"events": []}, headers={"Origin": origin})
        assert refused.status_code == 401
        assert cors_headers(refused) == {}, origin
        assert refused.headers["vary"] == "Origin"
