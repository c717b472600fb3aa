"""The root ``events`` connection (analysts and admins) against a brute-force
filter and sort of the raw events that were ingested."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from strawberry.relay import GlobalID

from api.auth.roles import Role
from tests.ingest_helpers import NOW, PAGES, random_batch

TRACK = "mutation($e: [TrackEventInput!]!) { trackEvents(events: $e) { accepted } }"
EVENTS = """
query($filter: EventFilterInput, $oldest: Boolean! = false,
      $first: Int, $after: String, $last: Int, $before: String) {
  events(filter: $filter, oldestFirst: $oldest,
         first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { databaseId type page timestamp customer { databaseId } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
CUSTOMERS = 4


def gid(type_name: str, ident: Any) -> str:
    return str(GlobalID(type_name, str(ident)))


def iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
async def stored(api, db) -> list[dict[str, Any]]:
    """Events of a few customers over two days, a tenth of them sharing a
    timestamp with another (ties are broken by id); the raw documents."""
    rng = random.Random(21)
    batch = random_batch(rng, customers=CUSTOMERS, size=100, days=2)
    for index, raw in enumerate(batch):
        raw["type"] = raw["type"].upper()
        if index % 10 == 9:
            raw["timestamp"] = batch[index - 1]["timestamp"]
    assert (await api.data(TRACK, e=batch))["trackEvents"]["accepted"] == 100
    docs: list[dict[str, Any]] = await db["events"].find().to_list()
    assert len(docs) == 100
    return docs


def brute_force(
    docs: list[dict[str, Any]],
    types: list[str] | None = None,
    pages: list[str] | None = None,
    customer: ObjectId | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    oldest_first: bool = False,
) -> list[str]:
    """Ids of the matching events in the documented order: timestamp, then id."""
    kept = [
        doc
        for doc in docs
        if (not types or doc["type"].upper() in types)
        and (not pages or doc["page"] in pages)
        and (customer is None or doc["customerId"] == customer)
        and (start is None or doc["timestamp"] >= start)
        and (end is None or doc["timestamp"] < end)
    ]
    kept.sort(key=lambda doc: (doc["timestamp"], doc["_id"]), reverse=not oldest_first)
    return [str(doc["_id"]) for doc in kept]


async def walk(api, size: int, **variables: Any) -> tuple[list[str], int]:
    """Every page forwards with ``first``; the ids in order and the total count.
    Checks each page's size, cursors and hasNextPage/hasPreviousPage."""
    ids: list[str] = []
    after = None
    total = None
    while True:
        page = (await api.data(EVENTS, first=size, after=after, **variables))["events"]
        edges = page["edges"]
        info = page["pageInfo"]
        total = page["totalCount"] if total is None else total
        assert page["totalCount"] == total
        assert len(edges) <= size
        ids += [edge["node"]["databaseId"] for edge in edges]
        assert info["hasPreviousPage"] == (after is not None and bool(ids))
        if edges:
            assert (info["startCursor"], info["endCursor"]) == (
                edges[0]["cursor"],
                edges[-1]["cursor"],
            )
        assert info["hasNextPage"] == (len(ids) < total), (len(ids), total)
        if not info["hasNextPage"]:
            return ids, total
        assert len(edges) == size
        after = info["endCursor"]


async def walk_back(api, size: int, **variables: Any) -> list[str]:
    """Every page backwards from the end with ``last``/``before``; ids in list order."""
    ids: list[str] = []
    before = None
    while True:
        page = (await api.data(EVENTS, last=size, before=before, **variables))["events"]
        ids = [edge["node"]["databaseId"] for edge in page["edges"]] + ids
        if not page["pageInfo"]["hasPreviousPage"]:
            return ids
        before = page["pageInfo"]["startCursor"]


async def test_all_events_newest_first_then_oldest_first(api, stored):
    assert len({doc["timestamp"] for doc in stored}) < len(stored)  # there are ties
    newest, total = await walk(api, 13)
    assert total == len(stored)
    assert len(set(newest)) == len(newest)
    assert newest == brute_force(stored)
    oldest, _ = await walk(api, 19, oldest=True)
    assert oldest == brute_force(stored, oldest_first=True) == newest[::-1]
    # Backwards through the same list meets the same order.
    assert await walk_back(api, 17) == newest
    assert await walk_back(api, 23, oldest=True) == oldest


async def test_nodes_carry_their_stored_fields_and_cursors_their_query(api, stored):
    by_id = {str(doc["_id"]): doc for doc in stored}
    page = (await api.data(EVENTS, first=100))["events"]
    assert len(page["edges"]) == 100
    for edge in page["edges"]:
        node = edge["node"]
        doc = by_id[node["databaseId"]]
        assert node["type"] == doc["type"].upper()
        assert node["page"] == doc["page"]
        assert datetime.fromisoformat(node["timestamp"]) == doc["timestamp"]
        assert node["customer"]["databaseId"] == str(doc["customerId"])
    # A cursor continues only the query it came from.
    cursor = page["pageInfo"]["endCursor"]
    for variables in ({"oldest": True}, {"filter": {"types": ["SEARCH"]}}):
        body = await api.graphql(EVENTS, first=5, after=cursor, **variables)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", variables
        assert "after" in body["errors"][0]["message"]


def filter_cases(stored: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(GraphQL filter, brute-force arguments) pairs. Time bounds sit exactly on
    stored timestamps, so inclusive from and exclusive to are both tested."""
    moments = sorted({doc["timestamp"] for doc in stored})
    low, high = moments[len(moments) // 4], moments[3 * len(moments) // 4]
    customer = stored[0]["customerId"]
    return [
        ({"types": ["PAGE_VIEW", "CHECKOUT"]}, {"types": ["PAGE_VIEW", "CHECKOUT"]}),
        ({"types": ["UPSELL"]}, {"types": ["UPSELL"]}),
        ({"pages": ["/cart", "/home"]}, {"pages": ["/cart", "/home"]}),
        ({"pages": ["/nowhere"]}, {"pages": ["/nowhere"]}),
        ({"customerId": gid("Customer", customer)}, {"customer": customer}),
        ({"customerId": gid("Customer", ObjectId())}, {"customer": ObjectId()}),
        ({"time": {"from": iso(low)}}, {"start": low}),
        ({"time": {"to": iso(high)}}, {"end": high}),
        ({"time": {"from": iso(low), "to": iso(high)}}, {"start": low, "end": high}),
        (
            {
                "types": ["PAGE_VIEW", "SEARCH", "ADD_TO_CART"],
                "pages": PAGES[:4],
                "customerId": gid("Customer", customer),
                "time": {"from": iso(low), "to": iso(NOW + timedelta(hours=1))},
            },
            {
                "types": ["PAGE_VIEW", "SEARCH", "ADD_TO_CART"],
                "pages": PAGES[:4],
                "customer": customer,
                "start": low,
                "end": NOW + timedelta(hours=1),
            },
        ),
    ]


async def test_filters_match_brute_force(api, stored):
    results = []
    cases = filter_cases(stored)
    for index, (given, reference) in enumerate(cases):
        # Both orders for every other case, the newest first for the rest.
        for oldest in (False, True) if index % 2 else (False,):
            want = brute_force(stored, oldest_first=oldest, **reference)
            got, total = await walk(api, 15, filter=given, oldest=oldest)
            results.append((given, oldest, got == want, total == len(want)))
    assert [case for case in results if not all(case[2:])] == []
    # The cases are not trivial: most select some, but not all, events.
    sizes = [len(brute_force(stored, **reference)) for _, reference in filter_cases(stored)]
    assert sum(0 < size < len(stored) for size in sizes) >= 7
    # Fifty pages are allowed (51 are not, below).
    pages = [*PAGES, *(f"/p/{n}" for n in range(50 - len(PAGES)))]
    assert len(pages) == 50
    got, total = await walk(api, 100, filter={"pages": pages})
    assert got == brute_force(stored, pages=pages)
    assert total == len(stored)


BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"filter": {"customerId": "nope"}}, "filter.customerId"),
    ({"filter": {"customerId": gid("Session", ObjectId())}}, "expected a Customer id"),
    ({"filter": {"customerId": gid("Customer", "not-an-object-id")}}, "filter.customerId"),
    ({"filter": {"pages": [f"/p/{n}" for n in range(51)]}}, "filter.pages"),
    ({"filter": {"time": {"from": iso(NOW), "to": iso(NOW)}}}, "'to' must be after 'from'"),
    (
        {"filter": {"time": {"from": iso(NOW), "to": iso(NOW - timedelta(hours=1))}}},
        "'to' must be after 'from'",
    ),
    ({"filter": {"time": {"from": "yesterday"}}}, "yesterday"),
    ({"filter": {"types": ["LOGIN"]}}, "LOGIN"),
    ({"first": 101}, "first"),
    ({"first": -1}, "first"),
    ({"first": 5, "last": 5}, "either first or last"),
    ({"after": "garbage"}, "after"),
]


async def test_bad_input_is_bad_user_input(api):
    answers = []
    for variables, fragment in BAD_INPUT:
        body = await api.graphql(EVENTS, **variables)
        error = body["errors"][0]
        answers.append(
            (variables, body.get("data"), error["extensions"]["code"], fragment in error["message"])
        )
    assert answers == [(variables, None, "BAD_USER_INPUT", True) for variables, _ in BAD_INPUT]


async def test_analysts_may_query_events_viewers_may_not(api, stored):
    outcomes = {}
    for role in Role:
        async with await api.client(await api.key_for(role)) as client:
            response = await client.post("/graphql", json={"query": EVENTS})
        body = response.json()
        outcomes[role.value] = (
            body["errors"][0]["extensions"]["code"]
            if "errors" in body
            else body["data"]["events"]["totalCount"]
        )
    async with await api.client() as anonymous:
        body = (await anonymous.post("/graphql", json={"query": EVENTS})).json()
    outcomes["anonymous"] = body["errors"][0]["extensions"]["code"]
    assert outcomes == {
        "viewer": "FORBIDDEN",
        "analyst": len(stored),
        "admin": len(stored),
        "anonymous": "UNAUTHENTICATED",
    }
