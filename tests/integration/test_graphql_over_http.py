"""GraphQL over HTTP: media types negotiated from Accept, over real HTTP.

With ``Accept: application/graphql-response+json`` a request the server refuses
before executing (a document that does not parse or validate, variables that do
not coerce) is a 4xx; with ``application/json`` or no Accept it stays 200, as
the GraphQL-over-HTTP specification has it. graphql-http's audit suite
(tests/protocol/) is run against the server too, and every MUST must pass.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.server.app import create_app
from api.settings import Settings
from tests.api_process import serve
from tests.conftest import Api

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
AUDIT = Path(__file__).resolve().parents[1] / "protocol"


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


async def post(api: Api, body: Any, accept: str | None, **headers: str) -> httpx.Response:
    if accept is not None:
        headers["Accept"] = accept
    return await api.http.post(
        "/graphql",
        content=json.dumps(body),
        headers={"Content-Type": "application/json", **headers},
    )


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        (JSON, JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE};q=0.9", JSON),
        (f"{JSON};q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"text/html, {GRAPHQL_RESPONSE};q=0.8, */*;q=0.1", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};charset=utf-8", GRAPHQL_RESPONSE),
    ],
)
async def test_the_answer_is_in_the_media_type_asked_for(
    api: Api, accept: str | None, expected: str
) -> None:
    response = await post(api, {"query": "{ __typename }"}, accept)
    assert response.status_code == 200, response.text
    assert media_type(response) == expected
    if expected == GRAPHQL_RESPONSE:
        assert "charset=utf-8" in response.headers["content-type"]
    assert response.json()["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    "body",
    [
        {"query": "{ __typename"},  # does not parse
        {"query": "{ nothingHere }"},  # does not validate
        {
            "query": "query ($n: Int!) { customers(first: $n) { totalCount } }",
            "variables": {"n": "many"},
        },  # variables do not coerce
    ],
    ids=["parse", "validate", "coerce"],
)
async def test_request_errors_are_400_in_graphql_response_json(api: Api, body: Any) -> None:
    response = await post(api, body, GRAPHQL_RESPONSE)
    assert response.status_code == 400, response.text
    assert media_type(response) == GRAPHQL_RESPONSE
    answer = response.json()
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    for accept in (None, JSON):
        legacy = await post(api, body, accept)
        assert legacy.status_code == 200, legacy.text
        assert media_type(legacy) == JSON
        assert legacy.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_field_error_keeps_200_with_its_data(api: Api) -> None:
    """Execution happened: 200, with ``data`` (null here: ``customers`` is non-null)
    and the field's error at its path."""
    anonymous = await api.client()
    async with anonymous:
        response = await anonymous.post(
            "/graphql",
            json={"query": "{ __typename customers { totalCount } }"},
            headers={"Accept": GRAPHQL_RESPONSE},
        )
    assert response.status_code == 200, response.text
    assert media_type(response) == GRAPHQL_RESPONSE
    answer = response.json()
    assert "data" in answer
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert answer["errors"][0]["path"] == ["customers"]


async def test_the_limits_refuse_with_413_or_400_by_media_type(api: Api) -> None:
    deep = "{ customers { nodes { sessions { nodes { events { nodes { customer { sessions { nodes { events { nodes { customer { id } } } } } } } } } } } } }"  # noqa: E501
    response = await post(api, {"query": deep}, GRAPHQL_RESPONSE)
    assert response.status_code == 400, response.text
    assert media_type(response) == GRAPHQL_RESPONSE
    assert response.json()["errors"][0]["extensions"]["limit"] == "depth"

    big = {"query": "{ __typename }", "variables": {"pad": "x" * (1024 * 1024)}}
    response = await post(api, big, GRAPHQL_RESPONSE)
    assert response.status_code == 413
    assert media_type(response) == GRAPHQL_RESPONSE
    assert response.json()["errors"][0]["extensions"]["limit"] == "bodySize"
    response = await post(api, big, None)
    assert response.status_code == 413
    assert media_type(response) == JSON


async def test_an_accept_allowing_neither_is_406(api: Api) -> None:
    for accept in ("text/html", "application/xml", f"{JSON};q=0, {GRAPHQL_RESPONSE};q=0"):
        response = await post(api, {"query": "{ __typename }"}, accept)
        assert response.status_code == 406, (accept, response.text)
        assert media_type(response) == JSON
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


async def test_guard_refusals_follow_the_media_type(settings: Settings) -> None:
    """401 for a bad credential and 429 over the rate limit, in the type asked for."""
    limited = settings.model_copy(update={"rate_limit_per_ip": 1})
    async with serve(create_app(limited)) as url, httpx.AsyncClient(base_url=url) as http:
        bad = await http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": "Bearer nope", "Accept": GRAPHQL_RESPONSE},
        )
        assert bad.status_code == 401
        assert media_type(bad) == GRAPHQL_RESPONSE
        assert bad.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

        first = await http.post("/graphql", json={"query": "{ __typename }"})
        assert first.status_code == 200
        second = await http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Accept": GRAPHQL_RESPONSE}
        )
        assert second.status_code == 429
        assert media_type(second) == GRAPHQL_RESPONSE
        third = await http.post("/graphql", json={"query": "{ __typename }"})
        assert third.status_code == 429
        assert media_type(third) == JSON


def _audit_tools() -> str:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("node and npm are needed for the GraphQL-over-HTTP audit")
    installed = AUDIT / "node_modules" / ".package-lock.json"
    lock = AUDIT / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=AUDIT,
            check=True,
            timeout=300,
        )
    return node


async def test_graphql_http_audit_passes_every_must(api: Api) -> None:
    node = _audit_tools()
    # Not subprocess.run: the server answers in this event loop.
    run = await asyncio.create_subprocess_exec(
        node,
        "audit.mjs",
        f"{api.url}/graphql",
        api.admin_key,
        cwd=AUDIT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(run.communicate(), timeout=120)
    assert run.returncode == 0, stderr.decode()
    results = [json.loads(line) for line in stdout.decode().splitlines()]
    assert len(results) > 40  # the suite ran
    failed = [r for r in results if r["name"].startswith("MUST") and r["status"] != "ok"]
    assert failed == []
    # The SHOULDs on media types and status codes, which this server implements too.
    should = [r for r in results if r["name"].startswith("SHOULD") and r["status"] != "ok"]
    assert should == []
