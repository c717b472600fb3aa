"""Insights through the real API: events sent to /v1/track, the store synced
from MongoDB, trends and the discovery lists asked over GraphQL, and answers
compared with the reference in plain Python over the events as sent."""

from __future__ import annotations

import asyncio
import math
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from api.auth.roles import Role
from api.insights.query import Filter, Interval, Limits, Math, Operator, Property, Series, Trends
from api.insights.query import Window as QueryWindow
from api.insights.store import store_for
from api.server.app import create_app
from api.settings import Settings
from tests import insights_reference as reference
from tests.api_process import serve
from tests.conftest import AS_BROWSER, Api, Website

TRENDS = """query Trends($input: TrendsInput!) {
  trends(input: $input) {
    interval timeZone rows engineMs
    series { label seriesIndex breakdownValue isOther total points { start value } }
  }
}"""
NAMES = """query {
  eventNames { name count }
  propertyNames(input: {event: "checkout"}) { name type count }
  insightDimensions { key type personal }
}"""
NOW = datetime.now(UTC).replace(microsecond=0)
START = NOW - timedelta(days=6)


def _events(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    events = []
    for n in range(count):
        kind = rng.choice(["page_view", "checkout", "search"])
        metadata: dict[str, Any] = {"plan": rng.choice(["free", "pro", "team"])}
        if kind == "checkout":
            metadata["amount"] = rng.choice([5, 12.5, 99, 250])
            metadata["cart"] = {"items": rng.randint(1, 4)}
        if kind == "page_view":
            metadata["timeSpent"] = rng.randint(1, 90)
        events.append(
            {
                "eventId": str(uuid.uuid4()),
                "distinctId": f"visitor-{rng.randrange(12)}",
                "sessionId": f"tab-{n // 4}",
                "type": kind,
                "page": rng.choice(["/", "/pricing", "/docs"]),
                "timestamp": (START + timedelta(seconds=rng.randrange(6 * 86400))).isoformat(),
                "metadata": metadata,
            }
        )
    return events


async def _send(website: Website, events: list[dict[str, Any]]) -> None:
    for index in range(0, len(events), 100):
        response = await website.track({"events": events[index : index + 100]})
        assert response.status_code == 200, response.text


def _as_rows(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as the reference reads them; a visitor is one customer."""
    return [
        {
            "name": event["type"],
            "timestamp": datetime.fromisoformat(event["timestamp"]),
            "customer_id": event["distinctId"],
            "properties": event["metadata"],
            "bot": False,
            "page": event["page"],
        }
        for event in events
    ]


def _close(got: float | None, wanted: float | None) -> bool:
    if got is None or wanted is None:
        return got is wanted
    return math.isclose(got, wanted, rel_tol=1e-9, abs_tol=1e-9)


def _variables(query: dict[str, Any]) -> dict[str, Any]:
    return {"input": {"range": {"from": START.isoformat(), "to": NOW.isoformat()}, **query}}


async def test_trends_over_http_agree_with_the_reference(
    api: Api, website: Website, settings: Settings
) -> None:
    sent = _events(1, 300)
    await _send(website, sent)
    await store_for(settings).sync()
    rows = _as_rows(sent)
    limits = Limits()
    window = QueryWindow.of("range", START, NOW, limits)
    cases: list[tuple[dict[str, Any], Trends]] = [
        ({"series": [{"event": "page_view"}]}, Trends((Series("page_view"),), window)),
        (
            {
                "series": [{"event": "checkout", "math": "SUM", "property": "amount"}],
                "breakdown": "plan",
                "breakdownLimit": 2,
                "interval": "HOUR",
                "timeZone": "Asia/Kolkata",
            },
            Trends(
                (Series.of("s", "checkout", Math.SUM, "amount", ()),),
                window,
                interval=Interval.HOUR,
                time_zone="Asia/Kolkata",
                breakdown=Property.of("b", "plan"),
                breakdown_limit=2,
            ),
        ),
        (
            {
                "series": [
                    {"math": "UNIQUE_CUSTOMERS"},
                    {
                        "event": "checkout",
                        "math": "P90",
                        "property": "amount",
                        "filters": [
                            {"property": "cart.items", "operator": "GREATER_THAN", "value": 1}
                        ],
                    },
                ],
                "filters": [{"property": "$page", "operator": "NOT_EQUALS", "value": "/docs"}],
                "interval": "WEEK",
                "timeZone": "America/New_York",
            },
            Trends(
                (
                    Series(None, Math.UNIQUE_CUSTOMERS),
                    Series.of(
                        "s",
                        "checkout",
                        Math.P90,
                        "amount",
                        (Filter.of("f", "cart.items", Operator.GREATER_THAN, 1),),
                    ),
                ),
                window,
                interval=Interval.WEEK,
                time_zone="America/New_York",
                filters=(Filter.of("f", "$page", Operator.NOT_EQUALS, "/docs"),),
            ),
        ),
    ]
    for variables, query in cases:
        answer = (await api.data(TRENDS, **_variables(variables)))["trends"]
        starts, expected = reference.trends(query, rows, {})
        lines = [line for group in expected for line in group]
        assert [(s["breakdownValue"], s["isOther"]) for s in answer["series"]] == [
            (line.label_value, line.other) for line in lines
        ]
        for got, want in zip(answer["series"], lines, strict=True):
            assert [datetime.fromisoformat(p["start"]) for p in got["points"]] == starts
            assert _close(got["total"], want.total), (got["label"], got["total"], want.total)
            for point, value in zip(got["points"], want.values, strict=True):
                assert _close(point["value"], value), (got["label"], point, value)
        assert answer["rows"] > 0 and answer["engineMs"] >= 0

    found = await api.data(NAMES)
    counts = {item["name"]: item["count"] for item in found["eventNames"]}
    kinds = {kind: sum(1 for e in sent if e["type"] == kind) for kind in counts}
    assert counts == kinds
    properties = {(p["name"], p["type"]): p["count"] for p in found["propertyNames"]}
    checkouts = sum(1 for e in sent if e["type"] == "checkout")
    assert properties[("amount", "NUMBER")] == checkouts
    assert properties[("cart.items", "NUMBER")] == checkouts
    assert properties[("plan", "STRING")] == checkouts
    dimensions = {d["key"]: d for d in found["insightDimensions"]}
    assert dimensions["$customer.email"]["personal"] and not dimensions["$browser"]["personal"]


async def _error(api: Api, variables: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    if token is None:
        body = await api.graphql(TRENDS, **_variables(variables))
    else:
        async with await api.client(token) as client:
            response = await client.post(
                "/graphql", json={"query": TRENDS, "variables": _variables(variables)}
            )
            body = response.json()
    assert body.get("data") is None, body
    [error] = body["errors"]
    return error


async def test_refusals_name_what_was_wrong(api: Api) -> None:
    bad_zone = await _error(api, {"series": [{}], "timeZone": "Mars/Olympus"})
    assert bad_zone["extensions"]["code"] == "BAD_USER_INPUT"
    assert "timeZone" in bad_zone["message"]
    no_property = await _error(api, {"series": [{"math": "SUM"}]})
    assert no_property["extensions"]["code"] == "BAD_USER_INPUT"
    assert "input.series[0].property" in no_property["message"]
    unknown = await _error(api, {"series": [{}], "breakdown": "$nope"})
    assert unknown["extensions"]["code"] == "BAD_USER_INPUT"
    bad_in = await _error(
        api, {"series": [{"filters": [{"property": "plan", "operator": "IN", "value": "pro"}]}]}
    )
    assert "input.series[0].filters[0].value" in bad_in["message"]

    many = await _error(api, {"series": [{}] * 11})
    assert many["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert many["extensions"]["limit"] == "series"
    points = await _error(
        api, {"series": [{}] * 5, "interval": "HOUR", "breakdown": "plan", "breakdownLimit": 50}
    )
    assert points["extensions"]["limit"] == "points"
    long_range: dict[str, Any] = {
        "input": {
            "series": [{}],
            "range": {"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        }
    }
    body = await api.graphql(TRENDS, **long_range)
    assert body["errors"][0]["extensions"]["limit"] == "rangeDays"

    # Customer-level fields are raw-event level: analysts yes, viewers no.
    personal = {"series": [{}], "breakdown": "$customer.email"}
    viewer = await _error(api, personal, await api.key_for(Role.VIEWER))
    assert viewer["extensions"]["code"] == "FORBIDDEN"
    async with await api.client(await api.key_for(Role.ANALYST)) as analyst:
        response = await analyst.post(
            "/graphql", json={"query": TRENDS, "variables": _variables(personal)}
        )
        assert "errors" not in response.json(), response.text


async def test_a_query_over_its_time_is_stopped(settings: Settings, db: Any) -> None:
    """The engine is interrupted at the time limit, and says so: over 300,000
    events written straight into the store's files, as the benchmark does."""
    from api.auth.service import create_api_key
    from tests.benchmarks import insights as bench

    slow = settings.model_copy(update={"insights_timeout_seconds": 0.001})
    _, key = await create_api_key("slow", Role.ADMIN, "test")
    await asyncio.to_thread(bench.fill, store_for(slow), 300_000)
    async with (
        serve(create_app(slow)) as url,
        httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {key}"}) as http,
    ):
        query = {
            "series": [{"math": "UNIQUE_CUSTOMERS"}] * 10,
            "interval": "HOUR",
            "range": {"from": bench.START.isoformat(), "to": bench.END.isoformat()},
        }
        response = await http.post(
            "/graphql", json={"query": TRENDS, "variables": {"input": query}}
        )
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["limit"] == "timeMs"


async def test_an_accepted_event_shows_in_trends_within_a_minute(
    settings: Settings, db: Any
) -> None:
    """The API's own background sync, not a test's call, makes it visible."""
    from api.auth.service import create_api_key, create_write_key

    live = settings.model_copy(update={"insights_sync_seconds": 2})
    _, key = await create_api_key("live", Role.ADMIN, "test")
    write_key = (await create_write_key("live.example", "test")).key
    # As a visitor's browser: httpx's own user agent is a bot's, left out of trends.
    headers = {"Authorization": f"Bearer {key}", **AS_BROWSER}
    async with (
        serve(create_app(live)) as url,
        httpx.AsyncClient(base_url=url, headers=headers) as http,
    ):
        event = _events(7, 1)[0] | {"timestamp": (NOW - timedelta(minutes=1)).isoformat()}
        event["type"] = "checkout"
        accepted = time.monotonic()
        response = await http.post(
            "/v1/track",
            json={"events": [event]},
            headers={"Authorization": f"Bearer {write_key}"},
        )
        assert response.status_code == 200, response.text
        variables = _variables({"series": [{"event": "checkout"}]})
        while True:
            body = (
                await http.post("/graphql", json={"query": TRENDS, "variables": variables})
            ).json()
            if body["data"]["trends"]["series"][0]["total"] == 1:
                break
            assert time.monotonic() - accepted < 60, body
            await asyncio.sleep(0.5)


REPORT = """query($range: AnalyticsRangeInput!) {
  analytics(range: $range, timeZone: "UTC", granularity: DAY) {
    events activeCustomers
    eventTypes { type count }
    pages(first: 1000) { page views }
    timeSeries { start events pageViews activeCustomers }
  }
}"""


async def test_the_analytics_report_and_the_engine_agree(
    api: Api, website: Website, settings: Settings
) -> None:
    """The hourly pre-aggregates (MongoDB) and the store (DuckDB) give the same
    figures for the same events: per type, per page, per day, active customers."""
    await _send(website, _events(3, 400))
    await store_for(settings).sync()
    day = START.replace(hour=0, minute=0, second=0)
    span = {"from": day.isoformat(), "to": (day + timedelta(days=7)).isoformat()}
    report = (await api.data(REPORT, range=span))["analytics"]

    async def trend(**query: Any) -> dict[str, Any]:
        variables = {"input": {"range": span, **query}}
        answer: dict[str, Any] = (await api.data(TRENDS, **variables))["trends"]
        return answer

    by_type = await trend(series=[{}], breakdown="$event", breakdownLimit=50)
    engine_types = {line["breakdownValue"]: line["total"] for line in by_type["series"]}
    assert engine_types == {
        t["type"].lower(): t["count"] for t in report["eventTypes"] if t["count"]
    }
    by_page = await trend(series=[{"event": "page_view"}], breakdown="$page", breakdownLimit=50)
    assert {line["breakdownValue"]: line["total"] for line in by_page["series"]} == {
        page["page"]: page["views"] for page in report["pages"]
    }
    daily = await trend(series=[{}, {"event": "page_view"}, {"math": "UNIQUE_CUSTOMERS"}])
    everything, views, customers = daily["series"]
    assert everything["total"] == report["events"]
    assert customers["total"] == report["activeCustomers"]
    assert [
        (p["start"], p["events"], p["pageViews"], p["activeCustomers"])
        for p in report["timeSeries"]
    ] == [
        (a["start"], a["value"], b["value"], c["value"])
        for a, b, c in zip(everything["points"], views["points"], customers["points"], strict=True)
    ]


async def test_a_customers_comparison_from_the_store_equals_mongodb(
    api: Api, website: Website, settings: Settings
) -> None:
    """The customer page's figures read the customer's events from the store
    for the days it has caught up with and from MongoDB for the others: the
    same answer as MongoDB alone, with some days synced and some not."""
    from functools import partial

    from api.analytics.figures import pack
    from api.analytics.service import Granularity, report
    from api.customers.documents import Customer
    from api.insights.customer import current_days, customer_events
    from api.insights.store import days_between

    sent = _events(5, 300)
    await _send(website, sent)
    store = store_for(settings)
    await store.sync()
    # Later events of the same customers in the last hour, not yet in the
    # store, in sessions of their own: one that continued an earlier session
    # would mark the day that session started in, and every day would be stale.
    later = [
        event
        | {"timestamp": (NOW - timedelta(minutes=n)).isoformat(), "sessionId": f"later-{n // 4}"}
        for n, event in enumerate(_events(6, 60))
    ]
    await _send(website, later)
    visitor = max(
        {e["distinctId"] for e in sent}, key=lambda d: sum(e["distinctId"] == d for e in sent)
    )
    customer = await Customer.find_one({"distinctId": visitor})
    assert customer is not None and customer.id is not None
    start, end = START - timedelta(days=1), NOW + timedelta(hours=1)
    current, stale = await current_days(store, days_between(start, end))
    assert current and stale, "the case needs both kinds of day"

    answers = []
    for source in (None, partial(customer_events, store)):
        extra = {"customer_events": source} if source else {}
        found = await report(
            start, end, 400, customer_id=customer.id, time_zone="Europe/Berlin",
            granularity=Granularity.DAY, **extra,
        )  # fmt: skip
        answers.append(
            (pack(found.totals), [(moment, pack(figures)) for moment, figures in found.series])
        )
    mongodb, engine = answers
    assert engine == mongodb
    assert mongodb[0] != pack(type(found.totals)())  # the customer has figures at all
