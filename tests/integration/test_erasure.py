"""The right to erasure: a customer, their sessions and events, and their share
of every stored aggregate gone, over the real API and checked in the database."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from beanie import PydanticObjectId
from bson import json_util
from strawberry.relay import GlobalID

from api.analytics.figures import unpack
from api.auth.roles import Kind, Role, staff
from api.core.hourkeys import hour_key
from api.customers.erase import Erasure, erase_customer
from api.ingestion.service import track
from tests.ingest_helpers import NOW, event, random_batch
from tests.integration.test_analytics import (
    ANALYTICS,
    IDENTIFY,
    TRACK,
    assert_matches,
    reference,
    window,
)

ERASE = """
mutation($id: ID!) { eraseCustomer(id: $id) { erasedCustomerId sessions events } }
"""
LOOKUPS = """
query($id: ID!, $distinct: String!, $search: String!) {
  node(id: $id) { id }
  customer(id: $id) { id }
  customerByDistinctId(distinctId: $distinct) { id }
  customers(search: $search) { totalCount }
}
"""
AUDIT = """
{ auditLog(action: "customer.erase") { totalCount nodes { actor action target details } } }
"""
# distinct id -> name, email, country. c1 is erased, c2 must stay as it was.
PEOPLE = {
    "c0": ("Ingrid Zimmermann", "ingrid.zimmermann@example.com", "DE"),
    "c1": ("Bartholomew Quistgaard", "b.quistgaard@example.org", "FR"),
    "c2": ("Yolanda Okonkwo", "yolanda.okonkwo@example.net", "US"),
    "c3": ("Tomasz Wiśniewski", "tomasz.w@example.com", "PL"),
}
START, END = NOW - timedelta(days=5), NOW + timedelta(hours=2)
ACTOR = staff(Kind.API_KEY, "test-erasure", Role.ADMIN)


def gid(ident: Any) -> str:
    return str(GlobalID("Customer", str(ident)))


async def load(api, seed: int = 5) -> dict[str, PydanticObjectId]:
    """Four identified customers and their events over three days; the ids by distinct id."""
    for distinct_id, (name, email, country) in PEOPLE.items():
        identity = {"distinctId": distinct_id, "name": name, "email": email, "country": country}
        await api.data(IDENTIFY, i=identity)
    rng = random.Random(seed)
    for _ in range(2):
        batch = random_batch(rng, customers=len(PEOPLE), size=80, days=3)
        for raw in batch:
            raw["type"] = raw["type"].upper()
            raw["device"] = rng.choice(["web", "ios"])
        assert (await api.data(TRACK, e=batch))["trackEvents"]["accepted"] == 80
    ids = {}
    for distinct_id in PEOPLE:
        found = await api.data(
            "query($d: String!) { customerByDistinctId(distinctId: $d) { databaseId } }",
            d=distinct_id,
        )
        ids[distinct_id] = PydanticObjectId(found["customerByDistinctId"]["databaseId"])
    return ids


async def figures_match_raw_events(api, db) -> dict[str, Any]:
    """Global analytics (which stores the hour and day aggregates it reads)
    equal to a brute-force recomputation from the raw documents."""
    got = (await api.data(ANALYTICS, range=window(START, END)))["analytics"]
    assert_matches(got, await reference(db, START, END))
    result: dict[str, Any] = got
    return result


async def holders(db, customer_id: PydanticObjectId) -> list[str]:
    """The stored hour and day aggregates whose set of customers has this one."""
    found = []
    for collection in ("analytics_hours", "analytics_days"):
        async for doc in db[collection].find():
            if str(customer_id) in unpack(doc.get("figures")).customers:
                found.append(f"{collection}/{doc['_id']}")
    return found


async def footprint(db, customer_id: PydanticObjectId) -> tuple[int, int, int]:
    """(customers, sessions, events) stored for this customer."""
    return (
        await db["customers"].count_documents({"_id": customer_id}),
        await db["sessions"].count_documents({"customerId": customer_id}),
        await db["events"].count_documents({"customerId": customer_id}),
    )


async def snapshot(db, customer_id: PydanticObjectId) -> dict[str, Any]:
    return {
        "customer": await db["customers"].find_one({"_id": customer_id}),
        "sessions": await db["sessions"].find({"customerId": customer_id}).sort("_id").to_list(),
        "events": await db["events"].find({"customerId": customer_id}).sort("_id").to_list(),
    }


async def test_erase_customer_removes_every_trace(api, db):
    ids = await load(api)
    erased, kept = ids["c1"], ids["c2"]
    await figures_match_raw_events(api, db)
    # Both are in the stored aggregates to begin with.
    assert await holders(db, erased)
    assert await holders(db, kept)
    _, sessions, events = await footprint(db, erased)
    assert sessions > 0 and events > 0
    kept_before = await snapshot(db, kept)
    lookups = {"id": gid(erased), "distinct": "c1", "search": "Quistgaard"}
    before = await api.data(LOOKUPS, **lookups)
    assert before["customer"] == {"id": gid(erased)} == before["node"]
    assert before["customers"]["totalCount"] == 1

    payload = (await api.data(ERASE, id=gid(erased)))["eraseCustomer"]

    assert payload == {"erasedCustomerId": gid(erased), "sessions": sessions, "events": events}
    assert await footprint(db, erased) == (0, 0, 0)
    after = await api.data(LOOKUPS, **lookups)
    assert after == {
        "node": None,
        "customer": None,
        "customerByDistinctId": None,
        "customers": {"totalCount": 0},
    }
    by_email = await api.data(LOOKUPS, **{**lookups, "search": "b.quistgaard@example.org"})
    assert by_email["customers"]["totalCount"] == 0
    # The erasure recomputed the aggregates it touched: none keeps the id, before
    # any read could have refreshed them, nor after.
    assert await holders(db, erased) == []
    await figures_match_raw_events(api, db)
    assert await holders(db, erased) == []

    # The other customer is untouched, and so are their own figures.
    assert await snapshot(db, kept) == kept_before
    assert await holders(db, kept)
    mine = await api.data(ANALYTICS, range=window(START, END), customer=gid(kept))
    assert_matches(mine["analytics"], await reference(db, START, END, customer=kept))

    admin = (await api.data("{ me { subject } }"))["me"]["subject"]
    log = (await api.data(AUDIT))["auditLog"]
    assert log["totalCount"] == 1
    assert log["nodes"] == [
        {
            "actor": f"api_key:{admin}",
            "action": "customer.erase",
            "target": str(erased),
            "details": {"sessions": sessions, "events": events},
        }
    ]
    stored_log = json_util.dumps(await db["audit_log"].find().to_list()).casefold()
    assert "customer.erase" in stored_log
    name, email, _ = PEOPLE["c1"]
    for word in [*name.casefold().split(), email.casefold(), email.split("@")[0]]:
        assert word not in stored_log

    # Nowhere else either: the id only as the audit entry's target.
    for collection in await db.list_collection_names():
        text = json_util.dumps(await db[collection].find().to_list()).casefold()
        assert email.casefold() not in text, collection
        assert name.split()[-1].casefold() not in text, collection
        if collection != "audit_log":
            assert str(erased) not in text, collection

    again = await api.graphql(ERASE, id=gid(erased))
    assert again["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert again["data"] is None
    assert (await api.data(AUDIT))["auditLog"]["totalCount"] == 1


async def test_only_admins_may_erase(api, db):
    await api.data(IDENTIFY, i={"distinctId": "v1", "name": "Vera Lind"})
    batch = [event("v1", NOW - timedelta(minutes=minutes)) for minutes in (50, 40, 30)]
    await api.data(TRACK, e=[{**raw, "type": "PAGE_VIEW"} for raw in batch])
    customer = await db["customers"].find_one({"distinctId": "v1"})
    target = gid(customer["_id"])
    write_key = (await api.data('mutation { createWriteKey(website: "Shop") { key } }'))[
        "createWriteKey"
    ]["key"]

    codes = {}
    for who, token in [
        ("viewer", await api.key_for(Role.VIEWER)),
        ("analyst", await api.key_for(Role.ANALYST)),
        ("website", write_key),
        ("anonymous", None),
    ]:
        async with await api.client(token) as client:
            response = await client.post(
                "/graphql", json={"query": ERASE, "variables": {"id": target}}
            )
        assert response.status_code == 200, (who, response.text)
        body = response.json()
        assert body["data"] is None, who
        codes[who] = body["errors"][0]["extensions"]["code"]
    assert codes == {
        "viewer": "FORBIDDEN",
        "analyst": "FORBIDDEN",
        "website": "FORBIDDEN",
        "anonymous": "UNAUTHENTICATED",
    }
    assert await footprint(db, customer["_id"]) == (1, 1, 3)
    assert await db["audit_log"].count_documents({"action": "customer.erase"}) == 0

    # Bad ids from an admin: the wrong kind of id, and an unknown customer.
    session = await db["sessions"].find_one({})
    wrong = await api.graphql(ERASE, id=str(GlobalID("Session", str(session["_id"]))))
    assert wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = await api.graphql(ERASE, id=gid(PydanticObjectId()))
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await footprint(db, customer["_id"]) == (1, 1, 3)


class StoppedError(Exception):
    pass


def stop_after(stop: str) -> Any:
    async def after_step(step: str) -> None:
        if step == stop:
            raise StoppedError(step)

    return after_step


@pytest.mark.parametrize("step", ["noted", "dirty", "events", "sessions", "recomputed"])
async def test_erasure_stopped_after_any_step_completes_when_run_again(api, db, step):
    ids = await load(api, seed=8)
    erased = ids["c1"]
    await figures_match_raw_events(api, db)
    _, sessions, events = await footprint(db, erased)
    kept_before = await snapshot(db, ids["c2"])
    with pytest.raises(StoppedError):
        await erase_customer(erased, ACTOR, after_step=stop_after(step))

    result = await erase_customer(erased, ACTOR)

    # The second run counts what was left to delete.
    done_first = {"events": (events, 0), "sessions": (events, sessions)}
    done_first["recomputed"] = done_first["sessions"]
    gone_events, gone_sessions = done_first.get(step, (0, 0))
    assert result == Erasure(erased, sessions=sessions - gone_sessions, events=events - gone_events)
    assert await footprint(db, erased) == (0, 0, 0)
    # Checked before any analytics read recomputes stale aggregates.
    assert await holders(db, erased) == []
    await figures_match_raw_events(api, db)
    assert await snapshot(db, ids["c2"]) == kept_before
    assert await db["audit_log"].count_documents({"action": "customer.erase"}) == 1
    # A third run finds nothing to do and records nothing.
    assert await erase_customer(erased, ACTOR) is None
    assert await db["audit_log"].count_documents({"action": "customer.erase"}) == 1


async def test_an_analytics_read_during_the_erasure_keeps_nothing_of_the_customer(api, db):
    """A read between deleting the events and the sessions recomputes the hours
    with the customer's sessions, so with the customer in their sets, and
    stores them as current; the erasure must not trust that."""
    ids = await load(api, seed=9)
    erased = ids["c1"]
    await figures_match_raw_events(api, db)
    read = []

    async def read_meanwhile(step: str) -> None:
        if step == "events":
            read.append((await api.data(ANALYTICS, range=window(START, END)))["analytics"])

    await erase_customer(erased, ACTOR, after_step=read_meanwhile)

    assert read and await footprint(db, erased) == (0, 0, 0)
    assert await holders(db, erased) == []
    await figures_match_raw_events(api, db)


async def test_erasure_includes_a_session_whose_events_never_arrived(api, db, settings):
    ids = await load(api, seed=3)
    erased = ids["c1"]
    # A batch stopped after its session was written, and never sent again: a
    # session of c1 in an hour where c1 has no events.
    lonely = NOW - timedelta(days=4, hours=2)
    with pytest.raises(StoppedError):
        await track(
            [event("c1", lonely, session="lost")], settings, after_step=stop_after("sessions")
        )
    assert await db["sessions"].count_documents({"customerId": erased, "clientSessionId": "lost"})
    # Reading the figures stores the aggregates; the lonely hour's counts the session.
    await api.data(ANALYTICS, range=window(START, END))
    assert f"analytics_hours/{hour_key(lonely)}" in await holders(db, erased)
    _, sessions, events = await footprint(db, erased)

    result = await erase_customer(erased, ACTOR)

    assert result == Erasure(erased, sessions=sessions, events=events)
    assert await footprint(db, erased) == (0, 0, 0)
    await figures_match_raw_events(api, db)
    assert await holders(db, erased) == []
