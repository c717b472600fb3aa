"""The engine's trends against a reference in plain Python (tests/insights_reference.py)
on random events and random queries: every math, filter operator, breakdown,
interval and time zone, with ranges across DST changes and in half- and
quarter-hour zones, and events on bucket and range edges."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.insights.buckets import buckets, zone
from api.insights.query import (
    Filter,
    Interval,
    Limits,
    Math,
    Operator,
    Property,
    Series,
    Trends,
    Window,
)
from api.insights.trends import run
from tests import insights_reference as reference
from tests.insights_tables import load

ZONES = [
    "UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu",
    "Australia/Lord_Howe", "America/Santiago", "Pacific/Chatham",
]  # fmt: skip
# Days with a change of offset in one of the zones (and one without).
ANCHORS = [
    datetime(2026, 3, 8, 7, tzinfo=UTC),  # New York springs forward
    datetime(2026, 11, 1, 6, tzinfo=UTC),  # New York falls back
    datetime(2026, 3, 29, 1, tzinfo=UTC),  # Berlin springs forward
    datetime(2026, 4, 4, 15, tzinfo=UTC),  # Lord Howe falls back half an hour
    datetime(2026, 9, 6, 4, tzinfo=UTC),  # Santiago springs forward at midnight
    datetime(2026, 6, 15, 0, tzinfo=UTC),
]
CUSTOMERS = {
    f"c{n}": {"id": f"c{n}", "distinct_id": f"d{n}", "country": country, "name": f"N{n}"}
    for n, country in enumerate(["DE", "FR", None, "DE", "JP"])
}
WORDS = ["free", "pro", "Pro", "team", "ß", "é"]

scalars = st.one_of(
    st.sampled_from(WORDS),
    st.integers(-3, 3),
    st.floats(-50, 50, allow_nan=False).map(lambda x: round(x, 1)),
    st.booleans(),
    st.none(),
)
numbers = st.one_of(st.integers(-100, 100), st.floats(-100, 100).map(lambda x: round(x, 2)))


@st.composite
def properties(draw: st.DrawFn) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if draw(st.booleans()):
        found["plan"] = draw(scalars)
    if draw(st.integers(0, 4)):
        found["amount"] = draw(st.one_of(numbers, numbers, numbers, st.sampled_from(WORDS)))
    if draw(st.booleans()):
        video: dict[str, Any] = {}
        if draw(st.booleans()):
            video["quality"] = draw(st.sampled_from(["hd", "sd", "4k"]))
        if draw(st.booleans()):
            video["duration"] = draw(numbers)
        found["video"] = video
    if draw(st.booleans()):
        found["tags"] = draw(st.lists(st.sampled_from(WORDS), max_size=2))
    return found


@st.composite
def scenario(
    draw: st.DrawFn, math_of: Math | None = None, operator_of: Operator | None = None
) -> tuple[Trends, list[dict[str, Any]], bool]:
    interval = draw(st.sampled_from(list(Interval)))
    longest = {Interval.HOUR: 72, Interval.DAY: 24 * 12, Interval.WEEK: 24 * 40}
    hours = draw(st.integers(1, longest.get(interval, 24 * 80)))
    start = draw(st.sampled_from(ANCHORS)) - timedelta(
        hours=draw(st.integers(0, hours)), minutes=draw(st.sampled_from([0, 0, 15, 30, 7]))
    )
    end = start + timedelta(hours=hours, minutes=draw(st.sampled_from([0, 30])))
    time_zone = draw(st.sampled_from(ZONES))
    limits = Limits(max_days=400)
    window = Window.of("range", start, end, limits)

    edges = [*list(buckets(start, end, zone(time_zone), interval))[:20], start, end]
    moments = st.one_of(
        st.sampled_from(edges).flatmap(
            lambda edge: st.sampled_from([edge, edge - timedelta(microseconds=1)])
        ),
        st.integers(-86_400, int((end - start).total_seconds()) + 86_400).map(
            lambda s: start + timedelta(seconds=s)
        ),
    )
    events = []
    for n in range(draw(st.integers(0, 60))):
        events.append(
            {
                "id": f"e{n}",
                "name": draw(st.sampled_from(["page_view", "signup", "video.play"])),
                "timestamp": draw(moments),
                "customer_id": draw(st.sampled_from([*CUSTOMERS, "gone"])),
                "session_id": f"s{n % 7}",
                "page": draw(st.sampled_from(["/", "/pricing"])),
                "properties": draw(properties()),
                "bot": draw(st.booleans()),
                "browser": draw(st.sampled_from(["Chrome", "Firefox", None])),
                "country": draw(st.sampled_from(["DE", "US", None])),
                "screen_width": draw(st.sampled_from([390, 1280, 1920, None])),
            }
        )

    keys = ["plan", "amount", "video.quality", "video.duration", "video", "tags", "missing"]
    keys += ["$browser", "$country", "$screen_width", "$bot", "$customer.country", "$event"]

    def one_filter(operator: Operator | None = None) -> Filter:
        operator = operator or draw(st.sampled_from(list(Operator)))
        key = draw(st.sampled_from(keys))
        value: Any = None
        if operator in (Operator.EQUALS, Operator.NOT_EQUALS):
            value = draw(scalars.filter(lambda v: v is not None) | st.sampled_from(["DE", "hd"]))
        elif operator == Operator.IN:
            value = draw(st.lists(scalars.filter(lambda v: v is not None), min_size=1, max_size=3))
        elif operator == Operator.CONTAINS:
            value = draw(st.sampled_from(["r", "O", "", "ß", "d", "É"]))
        elif operator in (Operator.GREATER_THAN, Operator.LESS_THAN):
            value = draw(st.integers(-60, 60))
        return Filter.of("filter", key, operator, value)

    series = []
    for number in range(draw(st.integers(1, 2))):
        math_ = math_of if math_of and number == 0 else draw(st.sampled_from(list(Math)))
        prop = None
        if math_.numeric:
            prop = draw(st.sampled_from(["amount", "video.duration", "$screen_width", "plan"]))
        event = draw(st.sampled_from([None, "page_view", "signup", "video.play"]))
        own = tuple(one_filter() for _ in range(draw(st.integers(0, 2))))
        if operator_of is not None and number == 0:
            own = (one_filter(operator_of), *own[:1])
        series.append(Series.of("series", event, math_, prop, own))
    breakdown = draw(st.sampled_from([None, *keys]))
    query = Trends(
        tuple(series),
        window,
        interval=interval,
        time_zone=time_zone,
        breakdown=Property.of("breakdown", breakdown) if breakdown else None,
        breakdown_limit=draw(st.integers(1, 4)),
        filters=tuple(one_filter() for _ in range(draw(st.integers(0, 1)))),
        include_bots=draw(st.booleans()),
        limits=limits,
    )
    return query, events, draw(st.booleans())


def _same(got: float | None, wanted: float | None) -> bool:
    if got is None or wanted is None:
        return got is wanted
    return math.isclose(got, wanted, rel_tol=1e-9, abs_tol=1e-9)


def _compare(query: Trends, events: list[dict[str, Any]], shredded: bool) -> None:
    con = load(events, CUSTOMERS, shredded)
    outcome = run(con, query)
    starts, expected = reference.trends(query, events, CUSTOMERS)
    assert outcome.buckets == starts
    lines = outcome.lines
    wanted = [(index, line) for index, group in enumerate(expected) for line in group]
    assert [(line.series, line.breakdown_value, line.other) for line in lines] == [
        (index, line.label_value, line.other) for index, line in wanted
    ]
    for line, (_, want) in zip(lines, wanted, strict=True):
        assert _same(line.total, want.total), (line.label, line.total, want.total)
        for got, value in zip(line.values, want.values, strict=True):
            assert _same(got, value), (line.label, line.values, want.values)


CHECKS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("math_", list(Math), ids=lambda m: m.name)
def test_every_math_agrees_with_the_reference(math_: Math) -> None:
    @CHECKS
    @given(scenario(math_of=math_))
    def check(case: tuple[Trends, list[dict[str, Any]], bool]) -> None:
        _compare(*case)

    check()


@pytest.mark.parametrize("operator", list(Operator), ids=lambda o: o.name)
def test_every_operator_agrees_with_the_reference(operator: Operator) -> None:
    @CHECKS
    @given(scenario(operator_of=operator))
    def check(case: tuple[Trends, list[dict[str, Any]], bool]) -> None:
        _compare(*case)

    check()


def test_every_bucket_is_present_and_starts_on_the_local_clock() -> None:
    """Fixed cases a reader can check by eye."""
    new_york = zone("America/New_York")
    fall = list(
        buckets(
            datetime(2026, 11, 1, 4, tzinfo=UTC),
            datetime(2026, 11, 1, 8, tzinfo=UTC),
            new_york,
            Interval.HOUR,
        )
    )
    # 01:00 happens twice: two buckets.
    assert [b.astimezone(new_york).strftime("%H:%M%z") for b in fall] == [
        "00:00-0400", "01:00-0400", "01:00-0500", "02:00-0500",
    ]  # fmt: skip
    kolkata = zone("Asia/Kolkata")
    days = list(
        buckets(
            datetime(2026, 1, 1, tzinfo=UTC),
            datetime(2026, 1, 3, tzinfo=UTC),
            kolkata,
            Interval.DAY,
        )
    )
    assert [b.isoformat() for b in days] == [
        "2025-12-31T18:30:00+00:00", "2026-01-01T18:30:00+00:00", "2026-01-02T18:30:00+00:00",
    ]  # fmt: skip
    weeks = list(
        buckets(
            datetime(2026, 12, 2, tzinfo=UTC),
            datetime(2026, 12, 20, tzinfo=UTC),
            zone("UTC"),
            Interval.WEEK,
        )
    )
    assert [b.date().isoformat() for b in weeks] == ["2026-11-30", "2026-12-07", "2026-12-14"]
