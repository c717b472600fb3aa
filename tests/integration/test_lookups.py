"""Lookups by id and the errors a client gets for bad input."""

from __future__ import annotations

import httpx
import pytest
from bson import ObjectId
from strawberry.relay import GlobalID

from api.server.app import create_app
from tests.conftest import serve, unreachable
from tests.factories import insert_customers, insert_sessions


def gid(type_name, ident):
    return str(GlobalID(type_name, str(ident)))


CUSTOMER = "query($id: ID!) { customer(id: $id) { id databaseId name distinctId } }"


async def test_customer_by_id_node_and_distinct_id(api):
    customer = (await insert_customers(3))[1]
    global_id = gid("Customer", customer.id)
    data = await api.data(CUSTOMER, id=global_id)
    assert data["customer"] == {
        "id": global_id,
        "databaseId": str(customer.id),
        "name": customer.name,
        "distinctId": customer.distinct_id,
    }
    node = await api.data(
        "query($id: ID!) { node(id: $id) { id ... on Customer { name } } }", id=global_id
    )
    assert node["node"] == {"id": global_id, "name": customer.name}
    by_distinct = await api.data(
        "query($d: String!) { customerByDistinctId(distinctId: $d) { databaseId } }",
        d=customer.distinct_id,
    )
    assert by_distinct["customerByDistinctId"]["databaseId"] == str(customer.id)
    missing = await api.data('query { customerByDistinctId(distinctId: "nobody") { databaseId } }')
    assert missing["customerByDistinctId"] is None


async def test_session_event_and_nodes_in_order(api):
    customer = (await insert_customers(1))[0]
    session = (await insert_sessions(customer, 1, events_each=2))[0]
    events = await api.data(
        "query($id: ID!) { session(id: $id) { id events { nodes { id } } } }",
        id=gid("Session", session.id),
    )
    event_id = events["session"]["events"]["nodes"][0]["id"]
    event = await api.data(
        "query($id: ID!) { event(id: $id) { id type session { id } } }", id=event_id
    )
    assert event["event"]["session"]["id"] == gid("Session", session.id)
    ids = [event_id, gid("Customer", ObjectId()), gid("Session", session.id)]
    nodes = await api.data("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=ids)
    assert nodes["nodes"] == [{"id": ids[0]}, None, {"id": ids[2]}]


@pytest.mark.parametrize("field", ["customer", "session", "event", "node"])
async def test_unknown_id_is_null(api, field):
    type_name = "Customer" if field == "node" else field.capitalize()
    data = await api.data(
        f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}", id=gid(type_name, ObjectId())
    )
    assert data[field] is None


@pytest.mark.parametrize(
    "value,fragment",
    [
        ("not-base64!", "is not a valid id"),
        (gid("Customer", "123"), "is not a valid id"),
        (gid("Nope", ObjectId()), "is a Nope id, expected a Customer id"),
        (gid("Session", ObjectId()), "is a Session id, expected a Customer id"),
    ],
)
async def test_malformed_id_is_bad_user_input(api, value, fragment):
    body = await api.graphql(CUSTOMER, id=value)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("id:")
    assert fragment in error["message"]


async def test_node_of_unknown_type_is_bad_user_input(api):
    body = await api.graphql("query($id: ID!) { node(id: $id) { id } }", id=gid("Nope", ObjectId()))
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "is not a valid id" in body["errors"][0]["message"]


async def test_nodes_limit_and_position_in_message(api):
    body = await api.graphql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=["x"] * 101)
    assert "at most 100" in body["errors"][0]["message"]
    body = await api.graphql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=[gid("Customer", ObjectId()), "bad"]
    )
    assert body["errors"][0]["message"].startswith("ids[1]:")


@pytest.mark.parametrize(
    "query,fragment",
    [
        ("{ customers(orderBy: {field: AGE}) { totalCount } }", "AGE"),
        ('{ customers(first: "ten") { totalCount } }', "ten"),
        ("{ customers { nope } }", "nope"),
        ('{ customers(filter: {countries: ["XX"]}) { totalCount } }', "filter.countries"),
        ('{ customers(filter: {languages: ["not a tag"]}) { totalCount } }', "filter.languages"),
        (
            '{ customers(filter: {created: {from: "2026-02-01T00:00:00Z",'
            ' to: "2026-01-01T00:00:00Z"}}) { totalCount } }',
            "filter.created: 'to' must be after 'from'",
        ),
        ('{ customers(filter: {lastSeen: {from: "yesterday"}}) { totalCount } }', "yesterday"),
    ],
)
async def test_bad_arguments_are_bad_user_input(api, query, fragment):
    body = await api.graphql(query)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", body
    assert fragment in error["message"]
    assert "Traceback" not in str(body)


async def test_filters_on_country_language_and_ranges(api):
    customers = await insert_customers(30)
    data = await api.data(
        """{ customers(first: 100, filter: {countries: ["de"], languages: ["de-DE"],
               created: {from: "2026-06-01T03:00:00Z"}, lastSeen: {to: "2026-06-01T12:00:00Z"}})
             { totalCount nodes { databaseId } } }"""
    )
    from datetime import UTC, datetime

    low = datetime(2026, 6, 1, 3, tzinfo=UTC)
    high = datetime(2026, 6, 1, 12, tzinfo=UTC)
    want = {
        str(c.id)
        for c in customers
        if c.country == "DE"
        and c.language == "de-DE"
        and c.created_at >= low
        and c.last_seen_at < high
    }
    assert {n["databaseId"] for n in data["customers"]["nodes"]} == want
    assert data["customers"]["totalCount"] == len(want)


async def test_database_outage_is_service_unavailable(settings):
    async with (
        serve(create_app(unreachable(settings))) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        response = await http.post("/graphql", json={"query": "{ customers { totalCount } }"})
    assert response.status_code == 503
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "Traceback" not in response.text
