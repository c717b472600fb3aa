"""Compression over real HTTP: gzip for what the client accepts, the bytes as
they are for a client that accepts nothing, small answers left alone; and a
robots.txt that keeps crawlers out of the staff app."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx

from api.server import graphiql
from api.server import static as web
from tests.conftest import Api

INTROSPECTION = "{ __schema { types { name description fields { name description } } } }"


def big_files() -> dict[str, Path]:
    """URL path -> the file it serves: GraphiQL's, the snippet, and the SPA's
    largest asset when it is built."""
    files = {
        f"{graphiql.PREFIX}/graphiql.css": graphiql.MODULES / graphiql.ASSETS["graphiql.css"],
        f"{graphiql.PREFIX}/graphiql.js": graphiql.MODULES / graphiql.ASSETS["graphiql.js"],
        "/tracker.js": web.WEB / "tracker" / "tracker.js",
    }
    assets = sorted((web.DIST / "assets").glob("*.js"), key=lambda p: p.stat().st_size)
    if assets:
        files[f"/assets/{assets[-1].name}"] = assets[-1]
    return files


async def raw(http: httpx.AsyncClient, path: str, **headers: str) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent, not decoded by the client."""
    async with http.stream("GET", path, headers=headers) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, body


def plain(api: Api) -> httpx.AsyncClient:
    """A client that sends no Accept-Encoding at all (httpx sends one by default)."""
    client = httpx.AsyncClient(base_url=api.url, timeout=30)
    del client.headers["accept-encoding"]
    return client


async def test_static_files_gzipped_when_accepted(api: Api) -> None:
    async with plain(api) as http:
        for path, file in big_files().items():
            expected = file.read_bytes()
            response, body = await raw(http, path, **{"Accept-Encoding": "gzip, deflate, br"})
            assert response.status_code == 200, path
            assert response.headers["content-encoding"] == "gzip", path
            assert "accept-encoding" in response.headers["vary"].lower(), path
            assert gzip.decompress(body) == expected, path
            assert len(body) < len(expected) * 0.9, path

            response, body = await raw(http, path)
            assert response.status_code == 200, path
            assert "accept-encoding" not in response.request.headers
            assert "content-encoding" not in response.headers, path
            assert "accept-encoding" in response.headers["vary"].lower(), path
            assert body == expected, path


async def test_json_answers_gzipped_above_a_minimum(api: Api) -> None:
    async with api.http.stream(
        "POST", "/graphql", json={"query": INTROSPECTION}, headers={"Accept-Encoding": "gzip"}
    ) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert b'"__schema"' in gzip.decompress(body)

    # A few bytes gain nothing from compression.
    small, body = await raw(api.http, "/healthz", **{"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    assert body == b'{"status":"ok"}'


async def test_robots_keeps_crawlers_out(api: Api) -> None:
    response = await api.http.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /" in lines
