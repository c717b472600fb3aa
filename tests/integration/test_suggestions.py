""" "Did you mean ..." only for callers who may introspect, over real HTTP.

GraphQL's suggestions name the schema's fields, arguments, types, enum values
and input fields: anonymous callers, websites' write keys, and everyone where
introspection is off get none, and no name of the schema their request did
not hold. Staff where introspection is on keep them.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    build_schema,
)

from api.auth.roles import Role
from api.server.app import create_app
from api.settings import Settings, Stage
from tests.api_process import serve
from tests.conftest import Api

SDL = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"
PUBLIC = {"Query", "Mutation", "Subscription", "String", "Int", "Float", "Boolean", "ID"}
QUOTED = re.compile(r"'[^'\s]+'")
WORD = re.compile(r"[_A-Za-z]\w*")

# (what is wrong, query, variables, the name an analyst is offered)
MISTAKES = [
    ("field", "{ customers { nodes { nme } } }", None, "name"),
    ("argument", "{ customers(frist: 1) { totalCount } }", None, "first"),
    (
        "fragment type",
        "{ customers { nodes { ...F } } } fragment F on Custmer { id }",
        None,
        "Customer",
    ),
    (
        "enum literal",
        "{ customers(orderBy: {field: LAST_SEEN}) { totalCount } }",
        None,
        "LAST_SEEN_AT",
    ),
    (
        "enum variable",
        "query ($o: CustomerOrder) { customers(orderBy: $o) { totalCount } }",
        {"o": {"field": "LAST_SEEN"}},
        "LAST_SEEN_AT",
    ),
    (
        "input field",
        '{ customers(filter: {contries: ["FR"]}) { totalCount } }',
        None,
        "countries",
    ),
    (
        "input field variable",
        "query ($f: CustomerFilterInput) { customers(filter: $f) { totalCount } }",
        {"f": {"contries": ["FR"]}},
        "countries",
    ),
]
IDS = [mistake[0] for mistake in MISTAKES]


def schema_names() -> set[str]:
    """Every name the schema defines: types, fields, arguments, enum values, input fields."""
    schema = build_schema(SDL.read_text())
    names: set[str] = set()
    for name, kind in schema.type_map.items():
        if name.startswith("__"):
            continue
        names.add(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in kind.fields.items():
                names.add(field_name)
                names.update(field.args)
        elif isinstance(kind, GraphQLInputObjectType):
            names.update(kind.fields)
        elif isinstance(kind, GraphQLEnumType):
            names.update(kind.values)
    return names - PUBLIC


def words_of(query: str, variables: dict[str, Any] | None) -> set[str]:
    words = set(WORD.findall(query))

    def walk(value: Any) -> None:
        if isinstance(value, str):
            words.update(WORD.findall(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                words.update(WORD.findall(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(variables)
    return words


async def messages(http: httpx.AsyncClient, query: str, variables: Any) -> list[str]:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("data") is None, body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"] * len(
        body["errors"]
    )
    return [error["message"] for error in body["errors"]]


def assert_tells_nothing(found: list[str], query: str, variables: Any, offered: str) -> None:
    text = " ".join(found)
    assert "did you mean" not in text.lower(), found
    assert offered not in WORD.findall(text), found
    sent = words_of(query, variables)
    told = {word for quoted in QUOTED.findall(text) for word in WORD.findall(quoted)}
    leaked = (told & schema_names()) - sent
    assert leaked == set(), found
    # The client's own mistake is still named.
    assert told & sent, found


@pytest.fixture
async def prod(settings: Settings, api: Api) -> AsyncIterator[httpx.AsyncClient]:
    """An analyst's client of the same database served as in prod: introspection off."""
    key = await api.key_for(Role.ANALYST)
    production = settings.model_copy(update={"stage": Stage.PROD})
    async with (
        serve(create_app(production)) as url,
        httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}) as http,
    ):
        yield http


@pytest.mark.parametrize(("kind", "query", "variables", "offered"), MISTAKES, ids=IDS)
async def test_anonymous_callers_get_no_suggestions(
    api: Api, kind: str, query: str, variables: Any, offered: str
) -> None:
    async with await api.client() as anonymous:
        found = await messages(anonymous, query, variables)
    assert_tells_nothing(found, query, variables, offered)


@pytest.mark.parametrize(("kind", "query", "variables", "offered"), MISTAKES, ids=IDS)
async def test_no_suggestions_where_introspection_is_off(
    prod: httpx.AsyncClient, kind: str, query: str, variables: Any, offered: str
) -> None:
    found = await messages(prod, query, variables)
    assert_tells_nothing(found, query, variables, offered)


@pytest.mark.parametrize(("kind", "query", "variables", "offered"), MISTAKES, ids=IDS)
async def test_an_analyst_in_dev_is_offered_the_name(
    api: Api, kind: str, query: str, variables: Any, offered: str
) -> None:
    async with await api.client(await api.key_for(Role.ANALYST)) as analyst:
        found = await messages(analyst, query, variables)
    assert any("Did you mean" in m and f"'{offered}'" in m for m in found), found


async def test_a_website_key_gets_no_suggestions(api: Api) -> None:
    """A write key is public in the website's pages: it may not learn the schema."""
    created = await api.data('mutation { createWriteKey(website: "shop") { key } }')
    secret = created["createWriteKey"]["key"]
    query, offered = "{ customers { nodes { nme } } }", "name"
    async with await api.client(secret) as website:
        found = await messages(website, query, None)
    assert_tells_nothing(found, query, None, offered)


async def test_a_missing_argument_is_not_named(api: Api) -> None:
    """ "Argument 'Query.customer(id:)' ... is required" names an argument not sent."""
    query = "{ customer { name } }"
    async with await api.client() as anonymous:
        found = await messages(anonymous, query, None)
    assert found == [
        "Argument 'Query.customer(?:)' of type 'ID!' is required, but it was not provided."
    ]
    async with await api.client(await api.key_for(Role.ANALYST)) as analyst:
        found = await messages(analyst, query, None)
    assert "'Query.customer(id:)'" in found[0]
