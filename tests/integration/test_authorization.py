"""Every field of the schema is covered by the authorisation table, and every
root field refuses every caller without the permission it needs.

The walk builds a valid call of each root field from the schema itself, so a
field added without an entry in schema/authz.py fails here, and so does an
entry that is not enforced."""

from __future__ import annotations

import base64

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)

from api.auth.roles import Role
from api.auth.service import create_user, create_write_key
from schema import schema
from schema.permissions import ROOT_FIELDS, TYPE_PERMISSIONS, UnknownFieldError, required
from tests.conftest import Api

GRAPHQL = schema._schema
EMAIL, PASSWORD = "walker@staff.test", "a long enough password"
MISSING_ID = base64.b64encode(b"Customer:" + b"0" * 24).decode()

# Types every caller may see, field by field: adding a field to one of them
# must be a reviewed decision, since nothing else guards it.
PUBLIC_FIELDS = {
    "Me": {"subject", "role", "kind", "permissions"},
    "SignInPayload": {"me", "expiresAt"},
    "PageInfo": {"startCursor", "endCursor", "hasNextPage", "hasPreviousPage"},
}


def fields_of(name: str) -> dict[str, GraphQLField]:
    kind = GRAPHQL.type_map[name]
    assert isinstance(kind, GraphQLObjectType)
    return kind.fields


def object_types() -> list[GraphQLObjectType]:
    return [
        kind
        for name, kind in GRAPHQL.type_map.items()
        if isinstance(kind, GraphQLObjectType) and not name.startswith("__")
    ]


def test_every_field_has_a_declared_permission() -> None:
    missing = []
    for kind in object_types():
        for field in kind.fields:
            try:
                required(kind.name, field)
            except UnknownFieldError:
                missing.append(f"{kind.name}.{field}")
    assert not missing, f"add these to schema/authz.py: {missing}"


def test_the_table_names_only_what_exists() -> None:
    for root, fields in ROOT_FIELDS.items():
        assert set(fields) == set(fields_of(root)), root
    stale = set(TYPE_PERMISSIONS) - {kind.name for kind in object_types()}
    assert not stale, f"types in schema/authz.py that the schema lacks: {stale}"


def test_public_types_expose_only_reviewed_fields() -> None:
    public = {name for name, permission in TYPE_PERMISSIONS.items() if permission is None}
    assert public == set(PUBLIC_FIELDS)
    for name, fields in PUBLIC_FIELDS.items():
        assert set(fields_of(name)) == fields, name


def literal(kind: GraphQLInputType, argument: str) -> str:
    """A value of the right type for an argument; not necessarily a sensible one."""
    if isinstance(kind, GraphQLNonNull):
        return literal(kind.of_type, argument)
    if isinstance(kind, GraphQLList):
        inner = get_named_type(kind)
        return (
            "[]"
            if isinstance(inner, GraphQLInputObjectType)
            else f"[{literal(kind.of_type, argument)}]"
        )
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        parts = [
            f"{name}: {literal(field.type, name)}"
            for name, field in kind.fields.items()
            if isinstance(field.type, GraphQLNonNull)
        ]
        return "{" + ", ".join(parts) + "}"
    assert isinstance(kind, GraphQLScalarType)
    values = {
        "ID": f'"{MISSING_ID}"',
        "DateTime": '"2026-01-01T00:00:00Z"',
        "Int": "1",
        "Boolean": "false",
        "String": {"email": f'"{EMAIL}"', "password": f'"{PASSWORD}"'}.get(argument, '"x"'),
    }
    return values[kind.name]


def call(root: str, name: str) -> str:
    field = fields_of(root)[name]
    arguments = ", ".join(
        f"{arg}: {literal(spec.type, arg)}"
        for arg, spec in field.args.items()
        if isinstance(spec.type, GraphQLNonNull)
    )
    returned = get_named_type(field.type)
    selection = (
        " { __typename }"
        if isinstance(returned, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
        else ""
    )
    operation = "mutation" if root == "Mutation" else "query"
    return f"{operation} {{ {name}{f'({arguments})' if arguments else ''}{selection} }}"


ROOT_CALLS = [(root, name) for root, fields in ROOT_FIELDS.items() for name in fields]

# What each caller may call, written out from the roles' definitions
# (docs/security.md) rather than read from the table under test.
EVERYONE = {"me", "signIn", "signOut"}
READING = {"node", "nodes", "customers", "customer", "customerByDistinctId", "session", "event"}
READING |= {"analytics", "trends", "eventNames", "propertyNames", "insightDimensions"}
ALLOWED = {
    "anonymous": EVERYONE,
    "website": EVERYONE | {"trackEvents", "identifyCustomer"},
    "viewer": EVERYONE | READING,
    "analyst": EVERYONE | READING | {"events"},
    "admin": {name for _, name in ROOT_CALLS},
}


@pytest.fixture
async def callers(api: Api) -> dict[str, dict[str, str]]:
    await create_user(EMAIL, PASSWORD, Role.VIEWER, "test")
    write_key = (await create_write_key("walk", "test")).key
    callers = {"anonymous": {}, "website": {"Authorization": f"Bearer {write_key}"}}
    for role in Role:
        callers[role.value] = {"Authorization": f"Bearer {await api.key_for(role)}"}
    return callers


async def test_every_root_field_refuses_callers_without_its_permission(
    api: Api, callers: dict[str, dict[str, str]]
) -> None:
    assert set(ALLOWED) == set(callers)
    checked = 0
    async with await api.client() as http:
        for root, name in ROOT_CALLS:
            document = call(root, name)
            for who, headers in callers.items():
                response = await http.post("/graphql", json={"query": document}, headers=headers)
                assert response.status_code == 200, (who, document, response.text)
                body = response.json()
                codes = {
                    error["extensions"]["code"]
                    for error in body.get("errors", [])
                    if error.get("path", [None])[0] == name
                }
                assert "errors" not in body or all(
                    "extensions" in error for error in body["errors"]
                ), body
                if name in ALLOWED[who]:
                    assert not codes & {"UNAUTHENTICATED", "FORBIDDEN"}, (who, document, body)
                else:
                    expected = "UNAUTHENTICATED" if who == "anonymous" else "FORBIDDEN"
                    assert codes == {expected}, (who, document, body)
                    assert not (body.get("data") or {}).get(name), (who, document, body)
                checked += 1
    assert checked == len(ROOT_CALLS) * len(callers)


async def test_a_write_key_records_an_identity_but_cannot_read_it_back(api: Api) -> None:
    write_key = (await create_write_key("shop", "test")).key
    async with await api.client(write_key) as http:
        response = await http.post(
            "/graphql",
            json={
                "query": 'mutation { identifyCustomer(input: {distinctId: "v1", '
                'name: "Ada", email: "ada@example.com"}) { customer { name email } } }'
            },
        )
    body = response.json()
    assert body["data"] is None  # customer is non-null: the refusal nulls the payload
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["identifyCustomer", "customer"]
    # The identity was recorded all the same: writing is what the key is for.
    data = await api.data('{ customerByDistinctId(distinctId: "v1") { name email } }')
    assert data["customerByDistinctId"] == {"name": "Ada", "email": "ada@example.com"}
