"""Errors echo a bounded part of what the client sent, over real HTTP.

GraphQL's messages quote names and values whole ("Cannot query field 'xxxx'
on type 'Query'."); ours cut each at 100 characters with an ellipsis, and
``operationName`` counts into the request's ``documentSize`` limit.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.conftest import Api

SMALL = 2048  # bytes: what any of these answers may weigh
LONG_NAME = "x" * 19_000


async def post(http: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await http.post(
        "/graphql", content=json.dumps(body), headers={"Content-Type": "application/json"}
    )


async def test_a_long_operation_name_counts_into_the_document_size(api: Api) -> None:
    name = "Op" * 25_000  # 50,000 characters
    response = await post(api.http, {"query": "{ __typename }", "operationName": name})
    assert response.status_code == 200
    assert len(response.content) < SMALL, len(response.content)
    body = response.json()
    assert body.get("data") is None
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "documentSize",
        "maximum": 20_000,
        "actual": 50_014,
        **({"traceId": error["extensions"]["traceId"]} if "traceId" in error["extensions"] else {}),
    }
    assert error["message"] == (
        "query text and operation name of 50,014 characters exceeds the limit of 20,000 by 30,014"
    )


async def test_an_unknown_operation_name_is_cut(api: Api) -> None:
    """Under the limit but matching no operation: the name comes back cut."""
    name = "B" * 15_000
    response = await post(api.http, {"query": "query A { __typename }", "operationName": name})
    assert response.status_code == 400
    assert len(response.content) < SMALL, len(response.content)
    assert response.text == f'Unknown operation named "{"B" * 99}…".'


async def test_a_long_field_name_is_cut(api: Api) -> None:
    for http in (api.http, await api.client()):
        response = await post(http, {"query": f"{{ {LONG_NAME} }}"})
        assert response.status_code == 200
        assert len(response.content) < SMALL, len(response.content)
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["message"].startswith(f"Cannot query field '{'x' * 99}…' on type ")


async def test_long_names_and_values_are_cut_everywhere(api: Api) -> None:
    """A variable's name, a string where a number goes, a parse error's token."""
    queries = [
        f"query (${LONG_NAME}: Int) {{ __typename }}",
        f'{{ customers(first: "{LONG_NAME}") {{ totalCount }} }}',
        f"{{ __typename }} {LONG_NAME}",
    ]
    for query in queries:
        response = await post(api.http, {"query": query})
        assert len(response.content) < SMALL, (query[:40], response.text[:300])
        errors = response.json()["errors"]
        assert errors, query[:40]
        for error in errors:
            assert "…" in error["message"], error
            assert len(error["message"]) < 300, error


async def test_long_variable_values_are_cut(api: Api) -> None:
    response = await post(
        api.http,
        {
            "query": "query ($n: Int) { customers(first: $n) { totalCount } }",
            "variables": {"n": LONG_NAME},
        },
    )
    assert len(response.content) < SMALL, response.text[:300]
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_number_of_19000_digits_is_the_clients_mistake(api: Api) -> None:
    """Python parses at most 4,300 digits: refused as BAD_USER_INPUT, not an internal error."""
    query = f"{{ customers(first: {'9' * 19_000}) {{ totalCount }} }}"
    response = await post(api.http, {"query": query})
    assert response.status_code == 200
    assert len(response.content) < SMALL, response.text[:300]
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
