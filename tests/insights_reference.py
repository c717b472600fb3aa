"""Trends in plain Python over raw events: what the engine must answer,
written from the definitions in docs/api.md without any of the engine's SQL.

Events are dicts with the store's dimension columns and ``properties`` as the
nested dict the client sent; customers are dicts by id."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from api.insights.buckets import bucket_start, zone
from api.insights.query import Filter, Kind, Math, Operator, Property, Series, Trends

Value = tuple[str, str | None, float | None]  # kind, text, number
UNSET: Value = ("unset", None, None)


@dataclass
class Expected:
    label_value: str | None
    other: bool
    total: float | None
    values: list[float | None]


def value_of(event: dict[str, Any], customers: dict[str, dict[str, Any]], prop: Property) -> Value:
    dimension = prop.dimension
    if dimension is not None:
        source = event
        if dimension.table == "customers":
            source = customers.get(event["customer_id"], {})
        found = source.get(dimension.column)
        if found is None:
            return UNSET
        if dimension.kind == Kind.NUMBER:
            return ("number", str(found), float(found))
        if dimension.kind == Kind.BOOLEAN:
            return ("boolean", "true" if found else "false", None)
        return ("string", found, None)
    current: Any = event["properties"]
    for part in prop.path:
        if not isinstance(current, dict) or part not in current:
            return UNSET
        current = current[part]
    if isinstance(current, dict):
        return UNSET
    if current is None:
        return ("null", None, None)
    if isinstance(current, bool):
        return ("boolean", "true" if current else "false", None)
    if isinstance(current, int | float):
        return ("number", json.dumps(current), float(current))
    if isinstance(current, str):
        return ("string", current, None)
    return ("list", json.dumps(current, ensure_ascii=False, separators=(",", ":")), None)


def _equals(found: Value, wanted: str | float | bool) -> bool:
    kind, text, number = found
    if isinstance(wanted, bool):
        return kind == "boolean" and text == ("true" if wanted else "false")
    if isinstance(wanted, str):
        return kind == "string" and text == wanted
    return number is not None and number == wanted


def matches(item: Filter, found: Value) -> bool:
    is_set = found[0] not in ("unset", "null")
    value = item.value
    match item.operator:
        case Operator.IS_SET:
            return is_set
        case Operator.IS_NOT_SET:
            return not is_set
        case Operator.EQUALS:
            assert value is not None and not isinstance(value, tuple)
            return _equals(found, value)
        case Operator.NOT_EQUALS:
            assert value is not None and not isinstance(value, tuple)
            return not _equals(found, value)
        case Operator.IN:
            assert isinstance(value, tuple)
            return any(_equals(found, one) for one in value)
        case Operator.CONTAINS:
            assert isinstance(value, str)
            return found[0] == "string" and value.lower() in (found[1] or "").lower()
        case Operator.GREATER_THAN:
            return found[2] is not None and found[2] > float(value)  # type: ignore[arg-type]
        case Operator.LESS_THAN:
            return found[2] is not None and found[2] < float(value)  # type: ignore[arg-type]
    raise AssertionError(item.operator)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def aggregate(math_: Math, events: list[dict[str, Any]], numbers: list[float]) -> float | None:
    if math_ == Math.COUNT:
        return float(len(events))
    if math_ == Math.UNIQUE_CUSTOMERS:
        return float(len({event["customer_id"] for event in events}))
    if math_ == Math.SUM:
        return float(sum(numbers))
    if not numbers:
        return None
    return {
        Math.AVERAGE: lambda: sum(numbers) / len(numbers),
        Math.MIN: lambda: min(numbers),
        Math.MAX: lambda: max(numbers),
        Math.MEDIAN: lambda: _quantile(numbers, 0.5),
        Math.P90: lambda: _quantile(numbers, 0.9),
    }[math_]()


def expected_buckets(query: Trends) -> list[datetime]:
    """By walking the range's UTC quarter hours (every zone's offsets are
    quarter hours, so every bucket after the first starts on one): the
    distinct bucket starts met."""
    tz = zone(query.time_zone)
    start, end = query.window.start, query.window.end
    moments = [start]
    quarter = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
    while quarter < end:
        if quarter > start:
            moments.append(quarter)
        quarter += timedelta(minutes=15)
    seen: list[datetime] = []
    for moment in moments:
        bucket = bucket_start(moment, tz, query.interval)
        if not seen or seen[-1] != bucket:
            seen.append(bucket)
    return seen


def trends(
    query: Trends, events: list[dict[str, Any]], customers: dict[str, dict[str, Any]]
) -> tuple[list[datetime], list[list[Expected]]]:
    """The buckets, and for each series its lines in the order the API gives them."""
    starts = expected_buckets(query)
    tz = zone(query.time_zone)
    answers = []
    for series in query.series:
        chosen = [event for event in events if _selected(query, series, event, customers)]
        answers.append(_lines(query, series, chosen, customers, starts, tz))
    return starts, answers


def _selected(
    query: Trends, series: Series, event: dict[str, Any], customers: dict[str, dict[str, Any]]
) -> bool:
    if not query.window.start <= event["timestamp"] < query.window.end:
        return False
    if series.event is not None and event["name"] != series.event:
        return False
    if event["bot"] and not query.include_bots:
        return False
    return all(
        matches(item, value_of(event, customers, item.prop))
        for item in (*query.filters, *series.filters)
    )


def _lines(
    query: Trends,
    series: Series,
    chosen: list[dict[str, Any]],
    customers: dict[str, dict[str, Any]],
    starts: list[datetime],
    tz: Any,
) -> list[Expected]:
    def number(event: dict[str, Any]) -> float | None:
        return value_of(event, customers, series.prop)[2] if series.prop else None

    groups: dict[tuple[str | None, bool], list[dict[str, Any]]] = {}
    if query.breakdown is None:
        groups[(None, False)] = chosen
    else:
        split = query.breakdown
        counts = Counter(value_of(e, customers, split)[1] for e in chosen)
        ranked = sorted(counts, key=lambda v: (-counts[v], v is None, v or ""))
        kept = ranked[: query.breakdown_limit]
        for value in kept:
            groups[(value, False)] = []
        if len(ranked) > len(kept):
            groups[(None, True)] = []
        for event in chosen:
            value = value_of(event, customers, split)[1]
            groups[(value, False) if value in kept else (None, True)].append(event)
    lines = []
    for (value, other), members in groups.items():
        by_bucket: dict[datetime, list[dict[str, Any]]] = {start: [] for start in starts}
        for event in members:
            by_bucket[bucket_start(event["timestamp"], tz, query.interval)].append(event)

        def figure(group: list[dict[str, Any]]) -> float | None:
            numbers = [n for n in map(number, group) if n is not None]
            return aggregate(series.math, group, numbers)

        lines.append(
            Expected(value, other, figure(members), [figure(by_bucket[start]) for start in starts])
        )
    return lines
