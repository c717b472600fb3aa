"""The measured operations: each GraphQL request beside the PyMongo queries it
needs at least (the floor), built from the same filters the services use."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from bson import ObjectId
from pymongo.asynchronous.database import AsyncDatabase
from strawberry import relay

from api.customers.search import normalize
from api.customers.service import CustomerFilter, CustomerOrderField, customer_query, ordering
from api.db.filters import all_of
from api.db.pagination import Ordering, _beyond, decode_cursor, fingerprint
from api.events.service import IN_TIME_ORDER
from api.sessions.service import NEWEST_FIRST

Db = AsyncDatabase[dict[str, Any]]
PAGE = 20
EVENTS_PAGE = 50
DEEP_PAGE = 50
NEWEST = ordering(CustomerOrderField.CREATED_AT, descending=True)

CUSTOMER_FIELDS = "id name email country lastSeenAt"

FIRST_PAGE = f"""
query ($first: Int!) {{
  customers(first: $first) {{
    edges {{ node {{ {CUSTOMER_FIELDS} }} }}
    pageInfo {{ startCursor endCursor hasNextPage hasPreviousPage }}
  }}
}}"""

# No hasPreviousPage: after a cursor it costs one more query, which the floor
# would then have to make as well.
SEARCH = f"""
query ($search: String!, $first: Int!, $after: String) {{
  customers(search: $search, first: $first, after: $after) {{
    edges {{ node {{ {CUSTOMER_FIELDS} }} }}
    pageInfo {{ endCursor hasNextPage }}
  }}
}}"""

CUSTOMER_SESSIONS = """
query ($id: ID!, $first: Int!) {
  customer(id: $id) {
    name
    sessions(first: $first) {
      edges { node { id startTime endTime device eventCount durationSeconds } }
    }
  }
}"""

SESSION_EVENTS = """
query ($id: ID!, $first: Int!) {
  session(id: $id) {
    events(first: $first) { edges { node { type page timestamp metadata } } }
  }
}"""


@dataclass
class Operation:
    name: str
    query: str
    variables: dict[str, Any]
    floor: Callable[[], Awaitable[object]]
    note: str = ""


class GraphQLError(Exception):
    pass


async def graphql(http: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> Any:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    if response.status_code != 200:
        raise GraphQLError(f"HTTP {response.status_code}: {response.text[:300]}")
    body = response.json()
    if body.get("errors"):
        raise GraphQLError(str(body["errors"]))
    return body["data"]


async def page_floor(
    db: Db, collection: str, query: dict[str, Any], order: Ordering, size: int
) -> list[dict[str, Any]]:
    # paginate() reads size + 1 documents to know whether a next page exists.
    found = db[collection].find(query, sort=order.mongo_sort(), limit=size + 1)
    return await found.to_list()


async def by_id_floor(db: Db, collection: str, ident: ObjectId) -> list[dict[str, Any]]:
    # A DataLoader batch of one id asks by plain equality, so the floor does too.
    return await db[collection].find({"_id": ident}).to_list()


def most_common(counts: Counter[str]) -> str:
    # Ties go to the first in alphabetical order, so every run picks the same.
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


async def common_first_name(db: Db) -> str:
    names = db.customers.find({}, {"name": 1, "_id": 0})
    counts = Counter([doc["name"].split()[0] async for doc in names if doc.get("name")])
    return most_common(counts)


async def broad_prefix(db: Db) -> tuple[str, int]:
    """The letter that starts a name or email term of the most customers, and how many.

    The distinct id is left out: when every id starts alike ("u_..."), its letter
    would match every customer and be no search at all."""
    counts: Counter[str] = Counter()
    async for doc in db.customers.find({}, {"searchTerms": 1, "distinctId": 1}):
        own = normalize(doc["distinctId"])
        counts.update({term[0] for term in doc["searchTerms"] if term != own and term[0].isalpha()})
    prefix = most_common(counts)
    return prefix, counts[prefix]


async def busiest(db: Db, collection: str, key: str) -> tuple[ObjectId, int]:
    """The value of ``key`` that most documents share, and how many share it."""
    pipeline: list[dict[str, Any]] = [
        {"$group": {"_id": f"${key}", "count": {"$sum": 1}}},
        {"$sort": {"count": -1, "_id": 1}},
        {"$limit": 1},
    ]
    top = await (await db[collection].aggregate(pipeline)).to_list()
    return top[0]["_id"], top[0]["count"]


async def walk(http: httpx.AsyncClient, search: str, pages: int) -> tuple[int, str | None]:
    """Follow endCursor up to ``pages`` - 1 pages; return the page reached and its cursor."""
    after = None
    for page in range(1, pages):
        variables = {"search": search, "first": PAGE, "after": after}
        data = await graphql(http, SEARCH, variables)
        connection = data["customers"]
        if not connection["pageInfo"]["hasNextPage"]:
            return page, after
        after = connection["pageInfo"]["endCursor"]
    return pages, after


async def operations(http: httpx.AsyncClient, db: Db) -> list[Operation]:
    name = await common_first_name(db)
    prefix, matches = await broad_prefix(db)
    customer_id, sessions = await busiest(db, "sessions", "customerId")
    # eventCount is kept on the session: cheaper than grouping every event.
    longest = await db.sessions.find_one({}, sort=[("eventCount", -1), ("_id", 1)])
    assert longest is not None
    session_id, events = longest["_id"], longest["eventCount"]

    reached, cursor = await walk(http, prefix, DEEP_PAGE)
    broad = customer_query(prefix, CustomerFilter())
    beyond = broad
    if cursor:
        after = decode_cursor("after", cursor, fingerprint("customers", NEWEST, broad), NEWEST)
        beyond = all_of(broad, _beyond(NEWEST, *after, forward=True, inclusive=False))
    deep_note = f'search "{prefix}", {matches:,} matches'
    if reached < DEEP_PAGE:
        deep_note += f"; only {reached} pages exist, so page {reached} is timed, not {DEEP_PAGE}"

    async def customer_floor() -> None:
        await by_id_floor(db, "customers", customer_id)
        await page_floor(db, "sessions", {"customerId": customer_id}, NEWEST_FIRST, PAGE)

    async def session_floor() -> None:
        await by_id_floor(db, "sessions", session_id)
        await page_floor(db, "events", {"sessionId": session_id}, IN_TIME_ORDER, EVENTS_PAGE)

    searched = customer_query(name, CustomerFilter())
    return [
        Operation(
            "customers, first page",
            FIRST_PAGE,
            {"first": PAGE},
            lambda: page_floor(db, "customers", {}, NEWEST, PAGE),
        ),
        Operation(
            "customers, search",
            SEARCH,
            {"search": name, "first": PAGE},
            lambda: page_floor(db, "customers", searched, NEWEST, PAGE),
            f'search "{name}"',
        ),
        Operation(
            f"customers, search, page {reached}",
            SEARCH,
            {"search": prefix, "first": PAGE, "after": cursor},
            lambda: page_floor(db, "customers", beyond, NEWEST, PAGE),
            deep_note,
        ),
        Operation(
            "customer + first sessions",
            CUSTOMER_SESSIONS,
            {"id": str(relay.GlobalID("Customer", str(customer_id))), "first": PAGE},
            customer_floor,
            f"customer with {sessions} sessions",
        ),
        Operation(
            "session + first events",
            SESSION_EVENTS,
            {"id": str(relay.GlobalID("Session", str(session_id))), "first": EVENTS_PAGE},
            session_floor,
            f"session with {events} events",
        ),
    ]
