"""The GraphQL limits over real HTTP: QUERY_TOO_COMPLEX with the numbers, and nothing run."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from api.server.app import create_app
from api.settings import Settings
from tests.api_process import serve
from tests.conftest import Api


def refusals(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The QUERY_TOO_COMPLEX errors by limit; the answer must have no data."""
    assert body.get("data") is None, body
    found = {}
    for error in body["errors"]:
        extensions = error["extensions"]
        assert extensions["code"] == "QUERY_TOO_COMPLEX", error
        found[extensions["limit"]] = {**extensions, "message": error["message"]}
    return found


async def test_a_normal_query_runs(api: Api) -> None:
    data = await api.data(
        """query ($first: Int!) {
          customers(first: $first) { totalCount nodes { id sessions(first: 5) { totalCount } } }
        }""",
        first=100,
    )
    assert data["customers"] == {"totalCount": 0, "nodes": []}


async def test_graphiql_introspection_passes(api: Api) -> None:
    query = get_introspection_query(
        descriptions=True, input_value_deprecation=True, schema_description=True
    )
    data = await api.data(query)
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_cost(api: Api) -> None:
    body = await api.graphql(
        """{ customers(first: 100) { edges { node {
             sessions(first: 100) { edges { node {
               events(first: 100) { nodes { id } } } } } } } } }"""
    )
    assert refusals(body) == {
        "cost": {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "cost",
            "maximum": 50_000,
            "actual": 1_010_100,
            "message": "query cost 1,010,100 exceeds the limit of 50,000 by 960,100",
        }
    }
    assert api.commands.total() == 0


@pytest.mark.parametrize("size,refused", [(30, False), (40, True)])
async def test_cost_follows_the_variables(api: Api, size: int, refused: bool) -> None:
    query = """query ($n: Int!) {
      customers(first: $n) { nodes { sessions(first: $n) { nodes {
        events(first: $n) { totalCount } } } } }
    }"""
    body = await api.graphql(query, n=size)
    cost = size + size**2 + size**3
    if refused:
        assert refusals(body)["cost"]["actual"] == cost
    else:
        assert cost <= 50_000
        assert "errors" not in body, body
        assert body["data"] == {"customers": {"nodes": []}}


async def test_depth(api: Api) -> None:
    body = await api.graphql(
        """{ customers(first: 1) { nodes { sessions(first: 1) { nodes {
             events(first: 1) { nodes { session { customer { sessions(first: 1) { nodes {
               events(first: 1) { nodes { id } } } } } } } } } } } } }"""
    )
    assert refusals(body) == {
        "depth": {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "depth",
            "maximum": 12,
            "actual": 13,
            "message": "query depth 13 exceeds the limit of 12 by 1",
        }
    }


async def test_aliases(api: Api) -> None:
    aliases = " ".join(f"a{index}: id" for index in range(35))
    body = await api.graphql(f"{{ customers(first: 1) {{ nodes {{ {aliases} }} }} }}")
    assert refusals(body) == {
        "aliases": {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "aliases",
            "maximum": 30,
            "actual": 35,
            "message": "alias count 35 exceeds the limit of 30 by 5",
        }
    }


async def test_root_fields(api: Api) -> None:
    body = await api.graphql("{ " + "__typename " * 21 + "}")
    assert refusals(body) == {
        "rootFields": {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "rootFields",
            "maximum": 20,
            "actual": 21,
            "message": "root field count 21 exceeds the limit of 20 by 1",
        }
    }


async def test_every_exceeded_limit_is_reported(api: Api) -> None:
    page = "customers(first: 100) { nodes { sessions(first: 100) { totalCount } } }"
    aliases = " ".join(f"a{index}: {page}" for index in range(31))
    body = await api.graphql(f"{{ {aliases} }}")
    found = refusals(body)
    assert {limit: found[limit]["actual"] for limit in found} == {
        "aliases": 31,
        "rootFields": 31,
        "cost": 31 * (100 + 100 * 100),
    }


async def test_document_size(api: Api) -> None:
    query = "query Named { customers { totalCount } }\n"
    query += "#" * (20_001 - len(query))
    response = await api.http.post("/graphql", json={"query": query, "operationName": "Named"})
    assert response.status_code == 200
    assert refusals(response.json()) == {
        "documentSize": {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "documentSize",
            "maximum": 20_000,
            "actual": 20_006,  # the operation's name counts too
            "message": (
                "query text and operation name of 20,006 characters"
                " exceeds the limit of 20,000 by 6"
            ),
        }
    }
    assert api.commands.total() == 0


async def test_a_document_at_the_size_limit_runs(api: Api) -> None:
    query = "{ customers { totalCount } }\n"
    query += "#" * (20_000 - len(query))
    data = await api.data(query)
    assert data == {"customers": {"totalCount": 0}}


# The body limit: the app's own, set low with GRAPHQL_MAX_BODY_BYTES on a server
# of its own, with api.http's credentials.

BODY_LIMIT = 16 * 1024


@pytest.fixture
async def limited(api: Api, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    low = settings.model_copy(update={"graphql_max_body_bytes": BODY_LIMIT})
    async with (
        serve(create_app(low)) as url,
        httpx.AsyncClient(base_url=url, timeout=30, headers=api.http.headers) as http,
    ):
        yield http


def padded(size: int) -> bytes:
    """A GraphQL request body of exactly ``size`` bytes (JSON allows trailing spaces)."""
    body = json.dumps({"query": "{ customers { totalCount } }"}).encode()
    return body + b" " * (size - len(body))


async def test_a_body_at_the_limit_passes(limited: httpx.AsyncClient) -> None:
    response = await limited.post(
        "/graphql", content=padded(BODY_LIMIT), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"customers": {"totalCount": 0}}


async def test_a_declared_body_over_the_limit_is_413(limited: httpx.AsyncClient) -> None:
    response = await limited.post(
        "/graphql", content=padded(BODY_LIMIT + 1), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "message": "request body of 16,385 bytes exceeds the limit of 16,384 by 1",
                "extensions": {
                    "code": "QUERY_TOO_COMPLEX",
                    "limit": "bodySize",
                    "maximum": BODY_LIMIT,
                    "actual": BODY_LIMIT + 1,
                },
            }
        ]
    }


async def chunks(body: bytes, size: int = 4096) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def test_a_streamed_body_is_counted(limited: httpx.AsyncClient) -> None:
    # Without a length, httpx sends the body chunked.
    small = await limited.post(
        "/graphql", content=chunks(padded(BODY_LIMIT)), headers={"Content-Type": "application/json"}
    )
    assert small.status_code == 200, small.text
    assert small.json()["data"] == {"customers": {"totalCount": 0}}

    large = await limited.post(
        "/graphql",
        content=chunks(padded(10 * BODY_LIMIT)),
        headers={"Content-Type": "application/json"},
    )
    assert large.status_code == 413
    error = large.json()["errors"][0]
    extensions = error["extensions"]
    assert extensions["code"] == "QUERY_TOO_COMPLEX"
    assert extensions["limit"] == "bodySize"
    assert extensions["maximum"] == BODY_LIMIT
    # Reading stops at the first chunk past the limit.
    assert BODY_LIMIT < extensions["actual"] <= BODY_LIMIT + 4096
    assert error["message"].startswith("request body of at least ")


async def test_the_default_limit_is_a_mebibyte(api: Api) -> None:
    response = await api.http.post(
        "/graphql", content=padded(1024 * 1024 + 1), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    extensions = response.json()["errors"][0]["extensions"]
    assert (extensions["limit"], extensions["maximum"]) == ("bodySize", 1024 * 1024)
    assert api.commands.total() == 0
