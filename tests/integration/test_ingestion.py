"""Ingestion over GraphQL and POST /v1/track, against the real server and
database, sent as a website does: with its write key (in the body or as a
bearer token), never an admin's key; reads are an admin's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.customers.documents import Customer
from api.events.documents import Event
from api.sessions.documents import Session
from tests.conftest import WAYS
from tests.ingest_helpers import NOW, event

TRACK = """
mutation($events: [TrackEventInput!]!) {
  trackEvents(events: $events) {
    accepted duplicates rejected results { index eventId status reason }
  }
}
"""
IDENTIFY = """
mutation($input: IdentifyCustomerInput!) {
  identifyCustomer(input: $input) { customer { distinctId name email country language } }
}
"""


def gql(batch):
    """Events as GraphQL variables: enum values are upper case."""
    return [{**raw, "type": str(raw.get("type", "")).upper()} for raw in batch]


# identifyCustomer answers with the customer, which only staff may read: these
# two are an integration's calls, with an admin key.


async def test_identify_upserts_by_distinct_id(api):
    first = await api.data(IDENTIFY, input={"distinctId": "v1", "name": "Ann", "country": "de"})
    assert first["identifyCustomer"]["customer"] == {
        "distinctId": "v1", "name": "Ann", "email": None, "country": "DE", "language": None,
    }  # fmt: skip
    second = await api.data(IDENTIFY, input={"distinctId": "v1", "email": "Ann@Example.com"})
    assert second["identifyCustomer"]["customer"]["name"] == "Ann"
    assert second["identifyCustomer"]["customer"]["email"] == "Ann@example.com"
    assert await Customer.find({"distinctId": "v1"}).count() == 1
    found = await api.data('{ customers(search: "ann@example") { totalCount } }')
    assert found["customers"]["totalCount"] == 1


async def test_identify_rejects_bad_fields_and_taken_email(api):
    body = await api.graphql(IDENTIFY, input={"distinctId": "v1", "country": "XX"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "country" in body["errors"][0]["message"]
    await api.data(IDENTIFY, input={"distinctId": "a", "email": "x@example.com"})
    body = await api.graphql(IDENTIFY, input={"distinctId": "b", "email": "X@example.com"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "another customer" in body["errors"][0]["message"]


async def test_track_partial_success_and_duplicates(website):
    good = event("v1", NOW - timedelta(minutes=5), timeSpent=3.5)
    batch = [
        good,
        event("v1", NOW - timedelta(minutes=4), kind="checkout", page="/checkout"),
        {**event("v1", NOW), "page": ""},
        {**event("v1", NOW), "metadata": {"$where": "1"}},
        event("v1", NOW + timedelta(days=2)),
        event("v1", NOW - timedelta(days=800)),
        good,  # the same event twice in one batch
    ]
    data = (await website.data(TRACK, events=gql(batch)))["trackEvents"]
    assert (data["accepted"], data["duplicates"], data["rejected"]) == (2, 1, 4)
    statuses = [item["status"] for item in data["results"]]
    assert statuses == [
        "ACCEPTED",
        "ACCEPTED",
        "REJECTED",
        "REJECTED",
        "REJECTED",
        "REJECTED",
        "DUPLICATE",
    ]
    reasons = [item["reason"] for item in data["results"]]
    assert reasons[2].startswith("page")
    assert "starts with $" in reasons[3]
    assert "future" in reasons[4] and "retention" in reasons[5]

    again = (await website.data(TRACK, events=gql(batch[:2])))["trackEvents"]
    assert (again["accepted"], again["duplicates"]) == (0, 2)
    assert await Event.count() == 2
    session = await Session.find_one({})
    assert session is not None and session.event_count == 2
    assert session.event_types == ["checkout", "page_view"]


async def test_sessions_client_ids_gaps_and_out_of_order(website):
    base = NOW - timedelta(days=1)
    batch = [
        event("v1", base, session="tab-1"),
        event("v1", base + timedelta(minutes=50), session="tab-1"),  # client id: same session
        event("v1", base + timedelta(minutes=1)),  # inferred: a new session
        event("v1", base + timedelta(minutes=20)),  # within 30 min of the last: joins it
        event("v1", base + timedelta(minutes=90)),  # gap: a new one
    ]
    await website.data(TRACK, events=gql(batch))
    sessions = await Session.find({}).sort("startTime").to_list()
    assert [s.event_count for s in sessions] == [2, 2, 1]
    assert sessions[0].client_session_id == "tab-1"
    assert sessions[0].end_time == sessions[0].start_time + timedelta(minutes=50)
    # A late event from a queue flushed a day later lands in the right session and day.
    late = event("v1", base + timedelta(minutes=10))
    await website.data(TRACK, events=gql([late]))
    inferred = await Session.get(sessions[1].id)
    assert inferred is not None and inferred.event_count == 3
    # An event before a session's start moves the start (and its hour) back.
    early = event("v1", base - timedelta(minutes=29))
    await website.data(TRACK, events=gql([early]))
    moved = await Session.get(sessions[1].id)
    assert moved is not None and moved.start_time == (base - timedelta(minutes=29))
    assert moved.start_hour == (base - timedelta(minutes=29)).strftime("%Y-%m-%dT%H")
    customer = await Customer.find_one({"distinctId": "v1"})
    assert customer is not None and customer.name == "Visitor v1"
    assert customer.last_seen_at == base + timedelta(minutes=90)


async def test_batch_size_limit(website):
    body = await website.graphql(TRACK, events=gql([event("v", NOW) for _ in range(501)]))
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "at most 500" in body["errors"][0]["message"]


@pytest.mark.parametrize("way", WAYS)
async def test_http_track_json_and_text_plain(website, way):
    payload = {
        "identify": {"distinctId": "web-1", "name": "Zoë", "country": "FR"},
        "events": [event("web-1", NOW, session="s1", timeSpent=2), {"type": "nope"}],
    }
    response = await website.track(payload, way)
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert body["results"][1]["status"] == "rejected" and "eventId" in body["results"][1]["reason"]
    # navigator.sendBeacon's body: text/plain, no preflight.
    beacon = await website.track(
        {"events": [event("web-1", NOW, session="s1")]}, way, "text/plain;charset=UTF-8"
    )
    assert beacon.status_code == 200 and beacon.json()["accepted"] == 1
    customer = await Customer.find_one({"distinctId": "web-1"})
    assert customer is not None and customer.name == "Zoë" and customer.country == "FR"
    session = await Session.find_one({})
    assert session is not None and session.country == "FR" and session.event_count == 2


@pytest.mark.parametrize("way", WAYS)
async def test_bad_identify_keeps_the_events(website, way):
    payload = {
        "identify": {"distinctId": "web-2", "country": "XX"},
        "events": [event("web-2", NOW, session="s1")],
    }
    body = (await website.track(payload, way)).json()
    assert body["identify"]["status"] == "rejected"
    assert "country" in body["identify"]["reason"]
    assert body["accepted"] == 1
    ok = {"identify": {"distinctId": "web-2", "name": "Kim"}, "events": []}
    assert (await website.track(ok, way)).json()["identify"] == {"status": "accepted"}


@pytest.mark.parametrize(
    "body,status",
    [(b"{not json", 400), (b"[1, 2]", 400), (b'{"events": 3}', 400), (b'{"events": [NaN]}', 400)],
)
async def test_http_track_malformed(website, body, status):
    response = await website.send(body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == "BAD_USER_INPUT"
    assert await Event.count() == 0


async def test_http_track_body_limit(website):
    response = await website.send(b"x" * (5 * 1024 * 1024 + 1))
    assert response.status_code == 413


async def test_cors_only_for_configured_origins(api, settings):
    allowed = settings.model_copy(update={"track_origins": "https://shop.example"})
    from api.server.app import create_app
    from tests.conftest import serve

    async with serve(create_app(allowed)) as url:
        import httpx

        async with httpx.AsyncClient(base_url=url) as http:
            ok = await http.options("/v1/track", headers={"Origin": "https://shop.example"})
            assert ok.headers["access-control-allow-origin"] == "https://shop.example"
            other = await http.options("/v1/track", headers={"Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in other.headers
