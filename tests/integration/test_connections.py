"""Keyset connections: every document exactly once, in order, both directions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.customers.documents import Customer
from tests.factories import BASE, insert_customers, insert_sessions

PAGE = """
query Page($first: Int, $after: String, $last: Int, $before: String, $order: CustomerOrder,
           $search: String) {
  customers(first: $first, after: $after, last: $last, before: $before, orderBy: $order,
            search: $search) {
    totalCount
    edges { cursor node { databaseId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

ORDERS = [
    ("CREATED_AT", "created_at"),
    ("NAME", "sort_name"),
    ("LAST_SEEN_AT", "last_seen_at"),
]


def expected_order(customers: list[Customer], attr: str, descending: bool) -> list[str]:
    ordered = sorted(customers, key=lambda c: (getattr(c, attr), str(c.id)), reverse=descending)
    return [str(c.id) for c in ordered]


async def walk(api, order, size, forward=True):
    seen: list[str] = []
    cursor, pages = None, 0
    while True:
        variables = {"order": order}
        if forward:
            variables |= {"first": size, "after": cursor}
        else:
            variables |= {"last": size, "before": cursor}
        conn = (await api.data(PAGE, **variables))["customers"]
        ids = [edge["node"]["databaseId"] for edge in conn["edges"]]
        info = conn["pageInfo"]
        pages += 1
        if forward:
            seen.extend(ids)
            assert info["hasPreviousPage"] == (cursor is not None)
            more, cursor = info["hasNextPage"], info["endCursor"]
        else:
            seen[:0] = ids
            assert info["hasNextPage"] == (cursor is not None)
            more, cursor = info["hasPreviousPage"], info["startCursor"]
        if ids:
            assert info["startCursor"] == conn["edges"][0]["cursor"]
            assert info["endCursor"] == conn["edges"][-1]["cursor"]
        if not more:
            return seen, pages
        assert len(ids) == size


@pytest.mark.parametrize("field,attr", ORDERS)
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_paging_visits_every_customer_once_in_order(api, field, attr, direction):
    customers = await insert_customers(23)
    want = expected_order(customers, attr, direction == "DESC")
    order = {"field": field, "direction": direction}
    forward, pages = await walk(api, order, size=5)
    assert forward == want
    assert pages == 5
    backward, _ = await walk(api, order, size=4, forward=False)
    assert backward == want


async def test_default_order_is_newest_first_and_page_size_20(api):
    customers = await insert_customers(25)
    conn = (await api.data(PAGE))["customers"]
    ids = [edge["node"]["databaseId"] for edge in conn["edges"]]
    assert ids == expected_order(customers, "created_at", True)[:20]
    assert conn["totalCount"] == 25
    assert conn["pageInfo"]["hasNextPage"] is True
    assert conn["pageInfo"]["hasPreviousPage"] is False


async def test_empty_result_page_info(api):
    conn = (await api.data(PAGE, first=10))["customers"]
    assert conn["edges"] == []
    assert conn["totalCount"] == 0
    assert conn["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_page_after_last_item_is_empty_but_has_previous(api):
    await insert_customers(3)
    first = (await api.data(PAGE, first=3))["customers"]
    assert first["pageInfo"]["hasNextPage"] is False
    after = (await api.data(PAGE, first=3, after=first["pageInfo"]["endCursor"]))["customers"]
    assert after["edges"] == []
    assert after["pageInfo"]["hasPreviousPage"] is True
    assert after["pageInfo"]["hasNextPage"] is False


async def test_paging_forward_sees_each_once_while_inserting(api):
    await insert_customers(12)
    seen: list[str] = []
    cursor = None
    behind, ahead = set(), set()
    for round_ in range(20):
        conn = (await api.data(PAGE, first=4, after=cursor))["customers"]
        seen.extend(edge["node"]["databaseId"] for edge in conn["edges"])
        # New customers arrive between pages: newest ones land before the
        # cursor (not visited), old ones after it (visited once, at the end).
        newest = Customer(distinctId=f"new-{round_}", name=f"Late {round_}")
        oldest = Customer(
            distinctId=f"old-{round_}",
            name=f"Old {round_}",
            createdAt=BASE - timedelta(days=round_ + 1),
        )
        await newest.insert()
        await oldest.insert()
        behind.add(str(newest.id))
        ahead.add(str(oldest.id))
        if not conn["pageInfo"]["hasNextPage"]:
            break
        cursor = conn["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen))
    original = {str(c.id) for c in await Customer.find({"distinctId": {"$regex": "^d-"}}).to_list()}
    assert original <= set(seen)
    assert not behind & set(seen)
    # Every old customer inserted before the walk reached the end was visited.
    assert ahead - set(seen) <= {str(oldest.id)}


async def test_cursor_from_another_query_is_rejected(api):
    await insert_customers(6)
    by_name = await api.data(PAGE, first=2, order={"field": "NAME", "direction": "ASC"})
    cursor = by_name["customers"]["pageInfo"]["endCursor"]
    body = await api.graphql(PAGE, first=2, after=cursor)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("after:")
    assert "different query" in error["message"]
    searched = await api.graphql(
        PAGE, first=2, after=cursor, order={"field": "NAME", "direction": "ASC"}, search="anna"
    )
    assert searched["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_session_cursor_rejected_by_customers(api):
    customer = (await insert_customers(1))[0]
    await insert_sessions(customer, 3, events_each=0)
    data = await api.data(
        "query($id: ID!) { customer(id: $id) { sessions(first: 1) { pageInfo { endCursor } } } }",
        id=_gid("Customer", customer),
    )
    cursor = data["customer"]["sessions"]["pageInfo"]["endCursor"]
    body = await api.graphql(PAGE, first=2, after=cursor)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "", "eyJ9", "WyJhYmMiLHsiJGd0IjoiIn0sIjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCJd"],
)
async def test_malformed_cursor_is_bad_user_input(api, cursor):
    body = await api.graphql(PAGE, first=2, after=cursor)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"].startswith("after:")


@pytest.mark.parametrize(
    "variables,fragment",
    [
        ({"first": 101}, "first: must be at most 100, got 101"),
        ({"last": 500}, "last: must be at most 100, got 500"),
        ({"first": -1}, "first: must not be negative"),
        ({"first": 2, "last": 2}, "either first or last"),
    ],
)
async def test_page_size_limits(api, variables, fragment):
    body = await api.graphql(PAGE, **variables)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in body["errors"][0]["message"]


SESSIONS = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String,
      $filter: SessionFilterInput) {
  customer(id: $id) {
    sessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount
      edges { node { databaseId startTime endTime active durationSeconds device eventCount
                     customer { databaseId } } }
      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
    }
  }
}
"""

EVENTS = """
query($id: ID!, $first: Int, $after: String, $types: [EventType!]) {
  session(id: $id) {
    events(first: $first, after: $after, types: $types) {
      edges { node { databaseId type page timestamp metadata
                     session { databaseId } customer { databaseId } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def _gid(type_name, doc):
    from strawberry.relay import GlobalID

    return str(GlobalID(type_name, str(doc.id)))


async def test_customer_sessions_newest_first_with_filters(api):
    customers = await insert_customers(2)
    sessions = await insert_sessions(customers[0], 9, events_each=0)
    await insert_sessions(customers[1], 2, events_each=0)
    want = [
        str(s.id) for s in sorted(sessions, key=lambda s: (s.start_time, str(s.id)), reverse=True)
    ]
    nodes, cursor = [], None
    while True:
        conn = (await api.data(SESSIONS, id=_gid("Customer", customers[0]), first=4, after=cursor))[
            "customer"
        ]["sessions"]
        nodes += [edge["node"] for edge in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        cursor = conn["pageInfo"]["endCursor"]
    assert [node["databaseId"] for node in nodes] == want
    assert conn["totalCount"] == 9
    assert all(node["customer"]["databaseId"] == str(customers[0].id) for node in nodes)
    active = [node for node in nodes if node["active"]]
    assert (
        len(active) == 1 and active[0]["endTime"] is None and active[0]["durationSeconds"] is None
    )

    ios = await api.data(SESSIONS, id=_gid("Customer", customers[0]), filter={"device": "ios"})
    devices = {e["node"]["device"] for e in ios["customer"]["sessions"]["edges"]}
    assert devices == {"ios"}
    ranged = await api.data(
        SESSIONS,
        id=_gid("Customer", customers[0]),
        filter={"from": "2026-06-01T01:00:00Z", "to": "2026-06-01T03:00:00Z"},
    )
    assert ranged["customer"]["sessions"]["totalCount"] == 4
    ended = [n for n in nodes if not n["active"]]
    assert all(n["durationSeconds"] == 600 for n in ended)


async def test_session_events_in_time_order_by_type(api):
    customer = (await insert_customers(1))[0]
    session = (await insert_sessions(customer, 1, events_each=13))[0]
    seen, cursor = [], None
    while True:
        conn = (await api.data(EVENTS, id=_gid("Session", session), first=5, after=cursor))[
            "session"
        ]["events"]
        seen += [edge["node"] for edge in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        cursor = conn["pageInfo"]["endCursor"]
    assert [n["page"] for n in seen] == [f"/page/{n}" for n in range(13)]
    assert all(n["session"]["databaseId"] == str(session.id) for n in seen)
    assert all(n["customer"]["databaseId"] == str(customer.id) for n in seen)
    assert seen[1]["metadata"] == {"timeSpent": 1}
    only = await api.data(EVENTS, id=_gid("Session", session), types=["CHECKOUT", "SEARCH"])
    types = {e["node"]["type"] for e in only["session"]["events"]["edges"]}
    assert types == {"CHECKOUT", "SEARCH"}


async def test_reversed_session_range_is_bad_user_input(api):
    customer = (await insert_customers(1))[0]
    body = await api.graphql(
        SESSIONS,
        id=_gid("Customer", customer),
        filter={"from": "2026-06-02T00:00:00Z", "to": "2026-06-01T00:00:00Z"},
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "filter" in error["message"] and "'to' must be after 'from'" in error["message"]
