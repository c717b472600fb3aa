"""Any event name, through POST /v1/track and trackEvents, and what the
GraphQL events answer for it: name, the deprecated type (the five built-in
names only), filters by names and by the deprecated types."""

from __future__ import annotations

from datetime import timedelta

import pytest
from strawberry.relay import GlobalID

from api.analytics.figures import CUSTOM, Figures, pack, unpack
from api.analytics.hours import rebuild
from tests.ingest_helpers import NOW, event

TRACK = """
mutation($events: [TrackEventInput!]!) {
  trackEvents(events: $events) { accepted rejected results { status reason } }
}
"""
EVENTS = """
query($filter: EventFilterInput) {
  events(filter: $filter, oldestFirst: true) {
    totalCount edges { node { name type page metadata session { eventNames eventTypes } } }
  }
}
"""


def named(name: object, minutes: int = 5, **metadata):
    raw = event("v1", NOW - timedelta(minutes=minutes), **metadata)
    del raw["type"]
    raw["name"] = name
    return raw


VALID = ["a", "x" * 100, "signup", "video.play", "checkout:step-2", "feature_used", "404"]
INVALID = [
    ("", "name: must not be empty"),
    ("x" * 101, "name: is 101 characters, at most 100"),
    ("Sign Up", "name: 'Sign Up' has characters other than a-z, 0-9, _ . : - (lower case)"),
    ("signup!", "name: 'signup!' has characters other than"),
    ("sign\nup", "has characters other than"),
    ("signup\n", "has characters other than"),
    ("é", "has characters other than"),
    (7, "name: must be a string"),
    (None, "name: must be a string"),
]


async def test_http_names_valid_and_invalid(website, api):
    batch = [named(name, minutes=index) for index, name in enumerate(VALID)]
    batch += [named(name) for name, _ in INVALID]
    both = {**named("signup"), "type": "page_view"}
    neither = named("signup")
    del neither["name"]
    batch += [both, neither]
    response = await website.track({"events": batch})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [item["status"] for item in results[: len(VALID)]] == ["accepted"] * len(VALID)
    reasons = [item.get("reason", "") for item in results[len(VALID) :]]
    for (_, want), got in zip(INVALID, reasons, strict=False):
        assert want in got, (want, got)
        assert "\n" not in got
    assert reasons[-2] == "name: send name or type (its older spelling), not both"
    assert reasons[-1] == "name: required (type is accepted as its older spelling)"
    found = await api.data(EVENTS)
    assert sorted(edge["node"]["name"] for edge in found["events"]["edges"]) == sorted(VALID)


async def test_http_old_type_spelling_still_works(website, api):
    old = event("v1", NOW - timedelta(minutes=3), kind="checkout", page="/checkout")
    response = await website.track({"events": [old, {**old, "eventId": "x1", "type": "signup"}]})
    assert [item["status"] for item in response.json()["results"]] == ["accepted", "accepted"]
    bad = {**old, "eventId": "x2", "type": "Bad Name"}
    reason = (await website.track({"events": [bad]})).json()["results"][0]["reason"]
    assert reason.startswith("type: 'Bad Name' has characters other than")
    nodes = [edge["node"] for edge in (await api.data(EVENTS))["events"]["edges"]]
    assert {(node["name"], node["type"]) for node in nodes} == {
        ("checkout", "CHECKOUT"),
        ("signup", None),
    }


async def test_graphql_names_valid_invalid_both_and_neither(website, api):
    events = [named(name, minutes=index) for index, name in enumerate(["signup", "x" * 100])]
    events += [named(name) for name in ["", "x" * 101, "Sign Up"]]
    events.append({**named("signup"), "type": "PAGE_VIEW"})
    neither = named("signup")
    del neither["name"]
    events.append(neither)
    events.append({**neither, "eventId": "old", "type": "SEARCH"})
    data = (await website.data(TRACK, events=events))["trackEvents"]
    assert (data["accepted"], data["rejected"]) == (3, 5)
    reasons = [item["reason"] for item in data["results"]]
    assert reasons[:2] == [None, None]
    assert reasons[2] == "name: must not be empty"
    assert reasons[3] == "name: is 101 characters, at most 100"
    assert reasons[4].startswith("name: 'Sign Up' has characters other than")
    assert reasons[5] == "name: send name or type (its older spelling), not both"
    assert reasons[6] == "name: required (type is accepted as its older spelling)"
    assert reasons[7] is None
    nodes = [edge["node"] for edge in (await api.data(EVENTS))["events"]["edges"]]
    assert sorted((node["name"], node["type"]) for node in nodes) == [
        ("search", "SEARCH"),
        ("signup", None),
        ("x" * 100, None),
    ]


async def test_filters_by_names_and_deprecated_types(website, api):
    batch = [
        named("signup", 9, plan="pro"),
        named("video.play", 8, video={"quality": "hd", "duration": 31}),
        named("page_view", 7, timeSpent=4),
        named("search", 6, query="shoes"),
    ]
    assert (await website.track({"events": batch})).json()["accepted"] == 4

    async def names(**filter):
        found = await api.data(EVENTS, filter=filter)
        return [edge["node"]["name"] for edge in found["events"]["edges"]]

    assert await names(names=["video.play", "signup"]) == ["signup", "video.play"]
    assert await names(types=["SEARCH", "PAGE_VIEW"]) == ["page_view", "search"]
    assert await names(names=["nothing.here"]) == []
    body = await api.graphql(EVENTS, filter={"names": ["signup"], "types": ["SEARCH"]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "not both" in body["errors"][0]["message"]
    body = await api.graphql(EVENTS, filter={"names": ["Not Valid"]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "filter.names" in body["errors"][0]["message"]

    found = await api.data(EVENTS, filter={"names": ["video.play"]})
    node = found["events"]["edges"][0]["node"]
    assert node["metadata"] == {"video": {"quality": "hd", "duration": 31}}
    session = node["session"]
    assert session["eventNames"] == ["page_view", "search", "signup", "video.play"]
    assert session["eventTypes"] == session["eventNames"]


SESSION_EVENTS = """
query($id: ID!, $names: [String!], $types: [EventType!]) {
  node(id: $id) { ... on Session { events(first: 10, names: $names, types: $types) {
    edges { node { name } } } } }
}
"""


async def test_session_events_by_names(website, api, db):
    batch = [named("signup", 9), named("page_view", 8), named("video.play", 7)]
    assert (await website.track({"events": batch})).json()["accepted"] == 3
    session = await db["sessions"].find_one()
    ident = str(GlobalID("Session", str(session["_id"])))

    async def names(**arguments):
        found = await api.data(SESSION_EVENTS, id=ident, **arguments)
        return [edge["node"]["name"] for edge in found["node"]["events"]["edges"]]

    assert await names() == ["signup", "page_view", "video.play"]
    assert await names(names=["video.play", "signup"]) == ["signup", "video.play"]
    assert await names(types=["PAGE_VIEW"]) == ["page_view"]


ANALYTICS = """
query($range: AnalyticsRangeInput!) {
  analytics(range: $range) { sessions events eventTypes { type count } funnel { step sessions } }
}
"""


@pytest.mark.parametrize("rebuilt", [False, True])
async def test_custom_names_in_the_analytics_report(website, api, rebuilt):
    batch = [named("page_view", 9, timeSpent=3), named("signup", 8, plan="pro")]
    batch += [named(f"custom.{index}", 7) for index in range(30)]
    assert (await website.track({"events": batch})).json()["accepted"] == 32
    if rebuilt:
        await rebuild()
    window = {
        "from": (NOW - timedelta(days=1)).isoformat(),
        "to": (NOW + timedelta(hours=1)).isoformat(),
    }
    report = (await api.data(ANALYTICS, range=window))["analytics"]
    assert report["events"] == 32 and report["sessions"] == 1
    counts = {row["type"]: row["count"] for row in report["eventTypes"]}
    assert counts == {"PAGE_VIEW": 1, "SEARCH": 0, "ADD_TO_CART": 0, "UPSELL": 0, "CHECKOUT": 0}
    assert report["funnel"][0] == {"step": "PAGE_VIEW", "sessions": 1}


def test_custom_names_share_one_row_of_the_packed_figures():
    figures = Figures()
    for index in range(1000):
        figures.add_event({"type": f"name.{index}", "page": "/", "timestamp": NOW})
    figures.add_event({"type": "checkout", "page": "/", "timestamp": NOW})
    assert set(figures.types) == {CUSTOM, "checkout"}
    assert figures.types[CUSTOM][0] == 1000
    assert unpack(pack(figures)).types == figures.types
