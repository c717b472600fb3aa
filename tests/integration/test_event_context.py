"""An event's context: the request's real user agent read into browser, OS and
device (bots flagged), the client's referrer, URL (UTM parameters), screen and
language, stored as the contract says; bots left out of the analytics report
and still listed with their customer."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from strawberry.relay import GlobalID

from tests.ingest_helpers import NOW, event

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1"
)
SAFARI_IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.6778.81 Mobile Safari/537.36"
)
EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
BINGBOT = (
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
    "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36"
)
AHREFS = "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"
CURL = "curl/8.5.0"

AGENTS = [
    (CHROME_WINDOWS, {"browser": "Chrome", "browserVersion": "131.0.0", "os": "Windows",
                      "osVersion": "10", "deviceType": "desktop"}, False),
    (FIREFOX_MAC, {"browser": "Firefox", "browserVersion": "133.0", "os": "Mac OS X",
                   "osVersion": "14.2", "deviceType": "desktop"}, False),
    (SAFARI_IPHONE, {"browser": "Mobile Safari", "browserVersion": "17.2", "os": "iOS",
                     "osVersion": "17.2.1", "deviceType": "mobile"}, False),
    (SAFARI_IPAD, {"browser": "Mobile Safari", "browserVersion": "16.6", "os": "iOS",
                   "osVersion": "16.6", "deviceType": "tablet"}, False),
    (CHROME_ANDROID, {"browser": "Chrome Mobile", "browserVersion": "131.0.6778", "os": "Android",
                      "osVersion": "14", "deviceType": "mobile"}, False),
    (EDGE, {"browser": "Edge", "browserVersion": "131.0.2903", "os": "Windows", "osVersion": "10",
            "deviceType": "desktop"}, False),
    (GOOGLEBOT, {"browser": "Googlebot", "browserVersion": "2.1", "deviceType": "bot"}, True),
    (BINGBOT, {"browser": "bingbot", "browserVersion": "2.0", "deviceType": "bot"}, True),
    (AHREFS, {"browser": "AhrefsBot", "browserVersion": "7.0", "deviceType": "bot"}, True),
    (CURL, {"browser": "curl", "browserVersion": "8.5.0", "deviceType": "bot"}, True),
]  # fmt: skip


async def send(website, body: dict[str, Any], agent: str | None = None, way: str = "bearer"):
    """POST /v1/track with this User-Agent (the test clients' browser one when None)."""
    headers = {"Content-Type": "application/json"}
    if agent is not None:
        headers["User-Agent"] = agent
    if way == "body":
        content = json.dumps({**body, "writeKey": website.key}).encode()
        return await website.anonymous.post("/v1/track", content=content, headers=headers)
    return await website.http.post("/v1/track", content=json.dumps(body), headers=headers)


@pytest.mark.parametrize(("agent", "fields", "bot"), AGENTS, ids=lambda value: str(value)[:24])
async def test_user_agents_read_into_the_stored_context(website, db, agent, fields, bot):
    response = await send(website, {"events": [event("v1", NOW)]}, agent)
    assert response.json()["accepted"] == 1, response.text
    stored = await db["events"].find_one()
    assert stored["bot"] is bot
    assert stored["context"] == fields
    session = await db["sessions"].find_one()
    assert session["bot"] is bot


async def test_no_user_agent_stores_no_browser(website, db):
    # httpx sends its own unless told to send none.
    response = await website.http.post(
        "/v1/track",
        content=json.dumps({"events": [event("v1", NOW)]}),
        headers={"User-Agent": ""},
    )
    assert response.json()["accepted"] == 1
    stored = await db["events"].find_one()
    assert stored["bot"] is False and "context" not in stored


async def test_client_context_per_event_and_per_batch(website, db):
    own = {
        **event("v1", NOW - timedelta(minutes=3), page="/landing"),
        "context": {
            "referrer": "https://WWW.Google.com/search?q=shoes",
            "url": "https://shop.example/landing?utm_source=google&utm_medium=cpc"
            "&utm_campaign=winter%20sale&utm_term=running+shoes&utm_content=ad-2",
            "screenWidth": 390,
            "screenHeight": 844,
            "language": "de-DE",
        },
    }
    # UTM parameters from the page itself when the URL has none.
    from_page = event("v1", NOW - timedelta(minutes=2), page="/offer?utm_source=newsletter&x=1")
    plain = event("v1", NOW - timedelta(minutes=1), page="/cart")
    body = {
        "events": [own, from_page, plain],
        "context": {"referrer": "", "screenWidth": 1280, "screenHeight": 800, "language": "en"},
    }
    response = await send(website, body, SAFARI_IPHONE, way="body")
    assert response.json()["accepted"] == 3, response.text
    docs = {doc["page"]: doc["context"] async for doc in db["events"].find()}
    browser = {"browser": "Mobile Safari", "browserVersion": "17.2", "os": "iOS",
               "osVersion": "17.2.1", "deviceType": "mobile"}  # fmt: skip
    assert docs["/landing"] == {
        **browser,
        "referrer": "https://WWW.Google.com/search?q=shoes",
        "referrerDomain": "google.com",
        "utmSource": "google",
        "utmMedium": "cpc",
        "utmCampaign": "winter sale",
        "utmTerm": "running shoes",
        "utmContent": "ad-2",
        "screenWidth": 390,
        "screenHeight": 844,
        "language": "de-DE",
    }
    batch = {"screenWidth": 1280, "screenHeight": 800, "language": "en"}
    assert docs["/offer?utm_source=newsletter&x=1"] == {
        **browser,
        **batch,
        "utmSource": "newsletter",
    }
    assert docs["/cart"] == {**browser, **batch}


async def test_own_site_referrer_is_stored(website, db):
    raw = {**event("v1", NOW), "context": {"referrer": "https://www.tests.example/home"}}
    assert (await send(website, {"events": [raw]})).json()["accepted"] == 1
    stored = await db["events"].find_one()
    assert stored["context"]["referrerDomain"] == "tests.example"


async def test_user_agent_in_context_wins_over_the_header(website, db):
    raw = {**event("v1", NOW), "context": {"userAgent": GOOGLEBOT}}
    assert (await send(website, {"events": [raw]}, CHROME_WINDOWS)).json()["accepted"] == 1
    stored = await db["events"].find_one()
    assert stored["bot"] is True and stored["context"]["browser"] == "Googlebot"
    assert "userAgent" not in stored["context"]


BAD_CONTEXTS = [
    ({"screenWidth": "wide"}, "context.screenWidth: Input should be a valid integer"),
    ({"screenWidth": 1.5}, "context.screenWidth: Input should be a valid integer"),
    ({"screenWidth": True}, "context.screenWidth: Input should be a valid integer"),
    ({"screenHeight": -1}, "context.screenHeight: Input should be greater than or equal to 0"),
    ({"screenHeight": 10**6}, "context.screenHeight: Input should be less than or equal to"),
    ({"language": "not a tag"}, "context.language: 'not a tag' is not a BCP-47 language tag"),
    ({"language": 5}, "context.language: Input should be a valid string"),
    ({"referrer": "https://a.example/" + "x" * 2048}, "context.referrer: String should have at"),
    ({"url": "u" * 2049}, "context.url: String should have at most 2048 characters"),
    ({"colour": "red"}, "context.colour: Extra inputs are not permitted"),
    ("nope", "context: Input should be a valid dictionary"),
]


@pytest.mark.parametrize(("context", "reason"), BAD_CONTEXTS)
async def test_invalid_event_context_is_refused(website, db, context, reason):
    raw = {**event("v1", NOW), "context": context}
    result = (await send(website, {"events": [raw]})).json()["results"][0]
    assert result["status"] == "rejected"
    assert result["reason"].startswith(reason), result["reason"]
    assert await db["events"].count_documents({}) == 0


async def test_invalid_batch_context_refuses_the_batch(website, db):
    body = {"events": [event("v1", NOW)], "context": {"screenWidth": "wide"}}
    response = await send(website, body)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(
        "context: screenWidth: Input should be a valid integer"
    )
    assert await db["events"].count_documents({}) == 0


TRACK = """
mutation($events: [TrackEventInput!]!) {
  trackEvents(events: $events) { accepted results { reason } }
}
"""


def named(who: str, when) -> dict[str, Any]:
    raw = event(who, when)
    raw["name"] = raw.pop("type")
    return raw


async def test_graphql_reads_the_header_and_the_context_input(website, db, api):
    client = await api.client(website.key)
    async with client:
        raw = {
            **named("v1", NOW),
            "context": {"referrer": "https://news.example/letter", "screenWidth": 800,
                        "url": "https://shop.example/?utm_campaign=spring"},
        }  # fmt: skip
        response = await client.post(
            "/graphql",
            json={"query": TRACK, "variables": {"events": [raw]}},
            headers={"User-Agent": FIREFOX_MAC},
        )
        assert response.json()["data"]["trackEvents"]["accepted"] == 1, response.text
        bad = {**named("v1", NOW), "context": {"language": "??"}}
        response = await client.post(
            "/graphql", json={"query": TRACK, "variables": {"events": [bad]}}
        )
        reason = response.json()["data"]["trackEvents"]["results"][0]["reason"]
        assert reason == "context.language: '??' is not a BCP-47 language tag"
    stored = await db["events"].find_one()
    assert stored["context"] == {
        "browser": "Firefox", "browserVersion": "133.0", "os": "Mac OS X", "osVersion": "14.2",
        "deviceType": "desktop", "referrer": "https://news.example/letter",
        "referrerDomain": "news.example", "utmCampaign": "spring", "screenWidth": 800,
    }  # fmt: skip


ANALYTICS = """
query($range: AnalyticsRangeInput!, $customer: ID) {
  analytics(range: $range, customerId: $customer) {
    activeCustomers sessions events eventTypes { type count } devices { key sessions }
    comparison { activeCustomers eventTypes { type customer averageCustomer } }
  }
}
"""
CUSTOMER_EVENTS = """
query($id: ID!) { node(id: $id) { ... on Customer { sessions(first: 10) { edges { node {
  bot eventCount events(first: 10) { edges { node { name bot context { browser deviceType } } } }
} } } } } }
"""


def batch_of(who: str, count: int) -> list[dict[str, Any]]:
    return [
        event(who, NOW - timedelta(minutes=10 - index), kind="page_view", timeSpent=2)
        for index in range(count)
    ] + [event(who, NOW - timedelta(minutes=1), kind="checkout", page="/checkout")]


async def test_bots_left_out_of_analytics_and_listed_with_their_customer(website, api, db):
    assert (await send(website, {"events": batch_of("human", 2)}, CHROME_ANDROID)).json()[
        "accepted"
    ] == 3
    assert (await send(website, {"events": batch_of("crawler", 5)}, GOOGLEBOT)).json()[
        "accepted"
    ] == 6
    window = {
        "from": (NOW - timedelta(days=1)).isoformat(),
        "to": (NOW + timedelta(hours=1)).isoformat(),
    }
    report = (await api.data(ANALYTICS, range=window))["analytics"]
    assert (report["activeCustomers"], report["sessions"], report["events"]) == (1, 1, 3)
    counts = {row["type"]: row["count"] for row in report["eventTypes"]}
    assert (counts["PAGE_VIEW"], counts["CHECKOUT"]) == (2, 1)

    crawler = await db["customers"].find_one({"distinctId": "crawler"})
    ident = str(GlobalID("Customer", str(crawler["_id"])))
    # The bot's own report is empty; its comparison counts only the human.
    own = (await api.data(ANALYTICS, range=window, customer=ident))["analytics"]
    assert (own["sessions"], own["events"]) == (0, 0)
    assert own["comparison"]["activeCustomers"] == 1
    listed = await api.data(CUSTOMER_EVENTS, id=ident)
    (session,) = [edge["node"] for edge in listed["node"]["sessions"]["edges"]]
    assert session["bot"] is True and session["eventCount"] == 6
    nodes = [edge["node"] for edge in session["events"]["edges"]]
    assert len(nodes) == 6
    assert all(
        node["bot"] and node["context"] == {"browser": "Googlebot", "deviceType": "bot"}
        for node in nodes
    )
