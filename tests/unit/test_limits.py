"""Measuring operations for the GraphQL limits (schema/limits.py), on parsed documents."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    get_introspection_query,
    get_named_type,
    parse,
)

from api.settings import Settings
from schema import schema as app_schema
from schema.context import Context
from schema.limits import CONNECTION_SUFFIX, Limits, Measure, check, check_length, measure
from tests.benchmarks import queries as benchmark

ROOT = Path(__file__).resolve().parents[2]
SCHEMA: GraphQLSchema = app_schema._schema
DEFAULTS = Limits.of(Settings())
# What GraphiQL sends when it opens (graphiql 3, graphql-js 16: nine levels of ofType).
GRAPHIQL_INTROSPECTION = get_introspection_query(
    descriptions=True, input_value_deprecation=True, schema_description=True
)


def measured(query: str, variables: dict[str, Any] | None = None, name: str | None = None):
    return measure(SCHEMA, parse(query), name, variables)


CONNECTIONS_3 = """{
  customers(first: 100) { edges { node {
    sessions(first: 100) { edges { node {
      events(first: 100) { nodes { id } }
    } } }
  } } }
}"""

CASES = [
    pytest.param("{ customers { totalCount } }", None, (2, 20, 0, 1), id="default page size"),
    pytest.param(
        "{ customers(first: 100) { edges { node { sessions(first: 100) { nodes { id } } } } } }",
        None,
        (6, 10_100, 0, 1),
        id="nested connections",
    ),
    pytest.param(CONNECTIONS_3, None, (9, 1_010_100, 0, 1), id="three connections"),
    pytest.param("{ customers(last: 5) { nodes { id } } }", None, (3, 5, 0, 1), id="last"),
    pytest.param(
        "{ customers(first: 500) { nodes { id } } }", None, (3, 100, 0, 1), id="clamped to 100"
    ),
    pytest.param(
        "{ customers(first: 0) { nodes { sessions(first: 100) { totalCount } } } }",
        None,
        (4, 0, 0, 1),
        id="first 0 multiplies by 0",
    ),
    pytest.param(
        "query ($n: Int) { customers(first: $n) { nodes { id } } }",
        {"n": 7},
        (3, 7, 0, 1),
        id="variable",
    ),
    pytest.param(
        "query ($n: Int = 30) { customers(first: $n) { nodes { id } } }",
        {},
        (3, 30, 0, 1),
        id="variable's default",
    ),
    pytest.param(
        "query ($n: Int = 30) { customers(first: $n) { nodes { id } } }",
        {"n": None},
        (3, 20, 0, 1),
        id="variable given as null",
    ),
    pytest.param(
        "query ($n: Int) { customers(first: $n) { nodes { id } } }",
        {},
        (3, 20, 0, 1),
        id="variable not given",
    ),
    pytest.param(
        "query ($n: Int) { customers(first: $n) { nodes { id } } }",
        {"n": "many"},
        (3, 20, 0, 1),
        id="variable of another type",
    ),
    pytest.param(
        "query ($n: Int!) "
        "{ customers(first: $n) { nodes { sessions(first: $n) { totalCount } } } }",
        {"n": 40},
        (4, 40 + 40 * 40, 0, 1),
        id="one variable, two connections",
    ),
    pytest.param(
        """query { customers(first: 10) { ...Page } }
        fragment Page on CustomerConnection { nodes { ...Sessions } }
        fragment Sessions on Customer { sessions(first: 10) { nodes { id } } }""",
        None,
        (5, 10 + 10 * 10, 0, 1),
        id="fragments",
    ),
    pytest.param(
        """{ nodes(ids: ["a", "b", "c"]) {
          id
          ... on Customer { sessions(first: 5) { nodes { id } } }
          ... on Session { events(first: 2) { totalCount } }
        } }""",
        None,
        (4, 3 + 3 * (5 + 2), 0, 1),
        id="nodes(ids) and inline fragments",
    ),
    pytest.param(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": ["a", "b", "c", "d"]},
        (2, 4, 0, 1),
        id="ids as a variable",
    ),
    pytest.param('{ nodes(ids: "a") { id } }', None, (2, 1, 0, 1), id="one id for a list"),
    pytest.param(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": ["x"] * 500},
        (2, 100, 0, 1),
        id="ids clamped to 100",
    ),
    pytest.param(
        """{ a: customers(first: 1) { nodes { id } }
             b: customers(first: 2) { nodes { myId: id } } }""",
        None,
        (3, 3, 3, 2),
        id="aliases",
    ),
    pytest.param(
        """{ customers(first: 1) { nodes { ...Names } } customer(id: "x") { ...Names } }
        fragment Names on Customer { a: name b: name }""",
        None,
        (3, 1, 4, 2),
        id="aliases count for each spread",
    ),
    pytest.param(
        """{ __typename ...Roots ... on Query { analytics: __typename } }
        fragment Roots on Query { customers { totalCount } me { __typename } }""",
        None,
        (2, 20, 1, 4),
        id="root fields through fragments",
    ),
    pytest.param(
        "{ __schema { types { ofType { ofType { ofType { name } } } } } }",
        None,
        (4, 0, 0, 1),
        id="ofType chain is one level",
    ),
    pytest.param(
        '{ __type(name: "Query") { fields { type { ofType { name } } } } }',
        None,
        (5, 0, 0, 1),
        id="introspection",
    ),
    pytest.param(GRAPHIQL_INTROSPECTION, None, (7, 0, 0, 1), id="GraphiQL introspection"),
    pytest.param(
        "{ unknown { deeper { deepest } } customers { nope { id } } }",
        None,
        (3, 20, 0, 2),
        id="unknown fields",
    ),
]


@pytest.mark.parametrize("query,variables,expected", CASES)
def test_measure(query: str, variables: dict[str, Any] | None, expected: tuple[int, ...]) -> None:
    found = measured(query, variables)
    assert (found.depth, found.cost, found.aliases, found.fields) == expected


def test_the_named_operation_is_measured() -> None:
    document = """
      query Small { customers(first: 1) { totalCount } }
      query Large { customers(first: 100) { nodes { sessions(first: 100) { totalCount } } } }
    """
    assert measured(document).cost == 1
    assert measured(document, name="Small").cost == 1
    assert measured(document, name="Large").cost == 10_100
    assert measured(document, name="Missing") == Measure()


def test_fragment_cycles_end() -> None:
    found = measured(
        """{ ...A }
        fragment A on Query { customers { totalCount } ...B }
        fragment B on Query { ...A }"""
    )
    assert found.depth <= 2


def test_fragments_spread_exponentially_are_measured_once() -> None:
    levels = 60
    fragments = "\n".join(
        f"fragment F{level} on Query {{ ...F{level + 1} ...F{level + 1} }}"
        for level in range(levels)
    )
    document = (
        f"{{ ...F0 }}\n{fragments}\nfragment F{levels} on Query {{ customers {{ totalCount }} }}"
    )
    started = time.perf_counter()
    found = measured(document)
    assert time.perf_counter() - started < 1
    assert found.fields == 2**levels
    assert found.cost == 20 * 2**levels


def test_a_long_chain_of_fragments_needs_no_deep_recursion() -> None:
    links = 1500  # beyond Python's recursion limit
    fragments = "\n".join(
        f"fragment F{i} on Event {{ session {{ events(first: 1) {{ nodes {{ ...F{i + 1} }} }} }} }}"
        for i in range(links)
    )
    document = f'{{ event(id: "x") {{ ...F0 }} }}\n{fragments}\nfragment F{links} on Event {{ id }}'
    found = measured(document)
    assert found.depth == 1 + 3 * links + 1
    assert found.cost == links


def test_check_names_each_exceeded_limit_and_by_how_much() -> None:
    limits = Limits(depth=12, cost=50_000, aliases=30, root_fields=20, query_chars=20_000)
    assert check(Measure(depth=12, cost=50_000, aliases=30, fields=20), limits) == []
    errors = check(Measure(depth=13, cost=1_010_100, aliases=31, fields=25), limits)
    assert [error.message for error in errors] == [
        "query depth 13 exceeds the limit of 12 by 1",
        "alias count 31 exceeds the limit of 30 by 1",
        "root field count 25 exceeds the limit of 20 by 5",
        "query cost 1,010,100 exceeds the limit of 50,000 by 960,100",
    ]
    assert [error.extensions for error in errors] == [
        {"code": "QUERY_TOO_COMPLEX", "limit": limit, "maximum": maximum, "actual": actual}
        for limit, maximum, actual in [
            ("depth", 12, 13),
            ("aliases", 30, 31),
            ("rootFields", 20, 25),
            ("cost", 50_000, 1_010_100),
        ]
    ]


def test_check_length() -> None:
    limits = Limits(depth=12, cost=50_000, aliases=30, root_fields=20, query_chars=100)
    assert check_length("x" * 100, limits) is None
    error = check_length("x" * 1234, limits)
    assert error is not None
    assert error.message == "query text of 1,234 characters exceeds the limit of 100 by 1,134"
    assert error.extensions == {
        "code": "QUERY_TOO_COMPLEX",
        "limit": "documentSize",
        "maximum": 100,
        "actual": 1234,
    }


def test_defaults() -> None:
    expected = Limits(depth=12, cost=50_000, aliases=30, root_fields=20, query_chars=20_000)
    assert expected == DEFAULTS


def _spa_documents() -> list[str]:
    """The operations the SPA sends, from the code generator's map of them."""
    text = (ROOT / "web" / "src" / "gql" / "gql.ts").read_text()
    block = text[text.index("const documents") :]
    found = [
        json.loads(literal) for literal in re.findall(r'^\s+("(?:[^"\\]|\\.)*"):', block, re.M)
    ]
    assert found, "no documents found in web/src/gql/gql.ts"
    return found


SHIPPED = [
    *_spa_documents(),
    benchmark.FIRST_PAGE,
    benchmark.SEARCH,
    benchmark.CUSTOMER_SESSIONS,
    benchmark.SESSION_EVENTS,
    GRAPHIQL_INTROSPECTION,
]


@pytest.mark.parametrize("query", SHIPPED)
def test_what_we_ship_fits_the_default_limits_even_at_full_pages(query: str) -> None:
    # Every page-size variable at the most the API allows.
    found = measured(query, {"first": 100, "last": 100})
    assert check(found, DEFAULTS) == []
    assert check_length(query, DEFAULTS) is None


def _leads_to_connection(kind: Any, seen: set[str]) -> bool:
    if not isinstance(kind, GraphQLObjectType | GraphQLInterfaceType) or kind.name in seen:
        return False
    seen.add(kind.name)
    if kind.name.endswith(CONNECTION_SUFFIX):
        return True
    implementations = (
        SCHEMA.get_possible_types(kind) if isinstance(kind, GraphQLInterfaceType) else []
    )
    return any(
        _leads_to_connection(get_named_type(field.type), seen) for field in kind.fields.values()
    ) or any(_leads_to_connection(implementation, seen) for implementation in implementations)


def _is_list(kind: Any) -> bool:
    return isinstance(kind.of_type if isinstance(kind, GraphQLNonNull) else kind, GraphQLList)


def test_every_list_above_a_connection_is_costed() -> None:
    """A plain list (no id list argument) costs nothing and multiplies nothing: were
    one to lead to a connection, that connection would be costed once, not once per
    item, and the cost would be too low."""
    uncosted = []
    for kind in SCHEMA.type_map.values():
        if kind.name.startswith("__") or not isinstance(kind, GraphQLObjectType):
            continue
        if kind.name.endswith(CONNECTION_SUFFIX):
            continue  # edges and nodes: the connection's size multiplies them
        for name, field in kind.fields.items():
            if not _is_list(field.type) or any(_is_list(arg.type) for arg in field.args.values()):
                continue
            if _leads_to_connection(get_named_type(field.type), set()):
                uncosted.append(f"{kind.name}.{name}")
    assert uncosted == []


# The extension itself, run by the schema without HTTP: refused operations never
# reach a resolver, so no database is needed.


async def test_extension_refuses_with_the_limits_of_the_settings() -> None:
    settings = Settings(graphql_max_depth=7, graphql_max_cost=100, graphql_max_root_fields=1)
    result = await app_schema.execute(
        """{ __typename customers(first: 10) { nodes { sessions(first: 10) { nodes {
             events { nodes { session { customer { id } } } } } } } } }""",
        context_value=Context(settings=settings),
    )
    assert result.data is None
    assert result.errors is not None
    assert {error.extensions["limit"]: error.extensions["actual"] for error in result.errors} == {  # type: ignore[index]
        "depth": 9,
        "rootFields": 2,
        "cost": 10 + 100 + 2000,
    }


async def test_extension_refuses_a_long_text_before_parsing() -> None:
    settings = Settings(graphql_max_query_chars=4096)
    query = "query Named { __typename }" + " " * 4096 + "this is not GraphQL"
    result = await app_schema.execute(
        query, context_value=Context(settings=settings), operation_name="Named"
    )
    assert result.data is None
    assert result.errors is not None
    assert [error.extensions for error in result.errors] == [
        {
            "code": "QUERY_TOO_COMPLEX",
            "limit": "documentSize",
            "maximum": 4096,
            "actual": len(query) + len("Named"),  # the operation name counts too
        }
    ]


async def test_extension_lets_a_small_operation_run() -> None:
    result = await app_schema.execute("{ __typename }", context_value=Context(settings=Settings()))
    assert result.errors is None
    assert result.data == {"__typename": "Query"}
