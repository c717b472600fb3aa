"""Trends: each series' value in every bucket of a range, optionally broken
down by a property into its top values and "other", computed by DuckDB over
the store's views (``api/insights/store.py``).

Runs in a worker thread on its own connection (DuckDB releases the GIL while
it works); ``run`` is plain blocking code so that the reference tests and the
benchmark call exactly what the API calls."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from api.core.errors import TooComplexError
from api.insights.buckets import buckets, zone
from api.insights.query import Math, Series, Trends
from api.insights.sql import Layout, Sql, breakdown_value, condition, needs_customers, typed

NONE_LABEL = "(none)"
OTHER_LABEL = "Other"

_AGGREGATE = {
    Math.COUNT: "count(*)",
    Math.UNIQUE_CUSTOMERS: "count(DISTINCT f.cid)",
    Math.SUM: "sum(f.v)",
    Math.AVERAGE: "avg(f.v)",
    Math.MIN: "min(f.v)",
    Math.MAX: "max(f.v)",
    Math.MEDIAN: "quantile_cont(f.v, 0.5)",
    Math.P90: "quantile_cont(f.v, 0.9)",
}


@dataclass
class Line:
    series: int  # index into the query's series
    label: str
    breakdown_value: str | None
    other: bool
    total: float | None
    values: list[float | None]


@dataclass
class Outcome:
    buckets: list[datetime]
    lines: list[Line]
    rows: int = 0  # events that matched, over every series
    engine_seconds: float = 0.0
    queries: int = 0
    # perf_counter() past which no statement starts: the timer's interrupt only
    # stops a statement under way, and one landing between two is lost.
    deadline: float = float("inf")


def bucket_starts(query: Trends) -> list[datetime]:
    """Every bucket of the range, refused over the limits. All of them even
    then (the range is bounded: at most ``max_days`` of hours), so that the
    refusal says how many points the query asked for."""
    found = list(
        buckets(query.window.start, query.window.end, zone(query.time_zone), query.interval)
    )
    query.check(len(found))
    return found


QUARTER_US = 15 * 60 * 1_000_000


def quarter_buckets(
    start: datetime, end: datetime, starts: list[datetime]
) -> tuple[datetime, list[int]]:
    """The bucket (index into ``starts``) of every UTC quarter hour from the one
    holding ``start`` to ``end``. Every zone's offsets are whole quarter hours,
    so every bucket starts on one, and an event's bucket is its quarter's:
    a list lookup per row, cheaper than joining each event to its bucket."""
    first = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
    indexes = []
    moment, position = first, 0
    step = timedelta(minutes=15)
    while moment < end:
        while position + 1 < len(starts) and starts[position + 1] <= moment:
            position += 1
        indexes.append(position)
        moment += step
    return first, indexes


def _filtered(query: Trends, series: Series, starts: list[datetime], layout: Layout) -> Sql:
    """The CTE f: the series' events, each with its bucket, value and breakdown."""
    value = typed(series.prop, layout).number if series.prop else Sql("CAST(NULL AS DOUBLE)", [])
    split = (
        breakdown_value(query.breakdown, layout)
        if query.breakdown
        else Sql("CAST(NULL AS VARCHAR)", [])
    )
    filters = (*query.filters, *series.filters)
    props = [query.breakdown, series.prop, *(f.prop for f in filters)]
    join = " LEFT JOIN customers c ON c.id = e.customer_id" if needs_customers(props) else ""
    first, indexes = quarter_buckets(query.window.start, query.window.end, starts)
    sql = Sql(
        "WITH f AS (SELECT "
        "(?::INTEGER[])[1 + ((epoch_us(e.timestamp) - ?) // ?)::INTEGER] AS bucket, "
        "e.customer_id AS cid, ",
        [indexes, int(first.timestamp() * 1_000_000), QUARTER_US],
    )
    sql = sql + value + Sql(" AS v, ", []) + split + Sql(f" AS bd FROM events e{join} ", [])
    sql = sql + Sql(
        "WHERE e.timestamp >= ? AND e.timestamp < ?", [query.window.start, query.window.end]
    )
    if series.event is not None:
        sql = sql + Sql(" AND e.name = ?", [series.event])
    if not query.include_bots:
        sql = sql + Sql(" AND NOT coalesce(e.bot, false)", [])
    for item in filters:
        sql = sql + Sql(" AND ", []) + condition(item, layout)
    return sql + Sql(") ", [])


def _interruptible(con: duckdb.DuckDBPyConnection, seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, con.interrupt)
    timer.daemon = True
    timer.start()
    return timer


def run(con: duckdb.DuckDBPyConnection, query: Trends) -> Outcome:
    starts = bucket_starts(query)
    outcome = Outcome(starts, [])
    began = time.perf_counter()
    outcome.deadline = began + query.limits.timeout_seconds
    timer = _interruptible(con, query.limits.timeout_seconds)
    try:
        layout = Layout.of(con)
        for index, series in enumerate(query.series):
            outcome.lines += _series(con, query, index, series, starts, layout, outcome)
    except duckdb.InterruptException:
        limit = query.limits.timeout_seconds
        raise TooComplexError(
            "timeMs",
            int(limit * 1000),
            int((time.perf_counter() - began) * 1000),
            "the query's time in the engine",
        ) from None
    finally:
        timer.cancel()
    outcome.engine_seconds = time.perf_counter() - began
    return outcome


def _series(
    con: duckdb.DuckDBPyConnection,
    query: Trends,
    index: int,
    series: Series,
    starts: list[datetime],
    layout: Layout,
    outcome: Outcome,
) -> list[Line]:
    base = _filtered(query, series, starts, layout)
    aggregate = _AGGREGATE[series.math]
    keys: list[tuple[str | None, bool]]  # (value, other) in the order lines are shown
    if query.breakdown is None:
        keys = [(None, False)]
        key = Sql("0", [])
    else:
        top = base + Sql(
            "SELECT bd, count(*) AS n FROM f GROUP BY bd "
            "ORDER BY n DESC, bd ASC NULLS LAST LIMIT ?",
            [query.breakdown_limit + 1],
        )
        ranked = _fetch(con, top, outcome)
        kept = ranked[: query.breakdown_limit]
        keys = [(value, False) for value, _ in kept]
        if len(ranked) > query.breakdown_limit:
            keys.append((None, True))
        values = [value for value, _ in kept if value is not None]
        null_kept = any(value is None for value, _ in kept)
        key = Sql(
            f"CASE WHEN f.bd IS NULL THEN {0 if null_kept else -1} "
            "ELSE coalesce(list_position(?::VARCHAR[], f.bd), -1) END",
            [values],
        )
        if not keys:
            return []
    main = base + Sql("SELECT GROUPING(f.bucket) AS whole, f.bucket, ", []) + key
    main = main + Sql(
        f" AS k, {aggregate} AS value, count(*) AS n FROM f "
        "GROUP BY GROUPING SETS ((f.bucket, k), (k))",
        [],
    )
    rows = _fetch(con, main, outcome)
    # Rank of each line's key: 1.. for kept values, 0 for a kept "not set", -1 for other.
    values_rank: dict[int, int] = {}
    rank = 1
    for position, (value, other) in enumerate(keys):
        if other:
            values_rank[-1] = position
        elif value is None:
            values_rank[0] = position
        else:
            values_rank[rank] = position
            rank += 1
    empty = 0.0 if series.math.additive else None
    lines = [
        Line(
            index,
            _label(series, value, other, query.breakdown is not None),
            value,
            other,
            empty,
            [empty] * len(starts),
        )
        for value, other in keys
    ]
    for whole, bucket, k, value, count in rows:
        line = lines[values_rank[k]]
        number = None if value is None else float(value)
        if series.math.additive and number is None:
            number = 0.0
        if whole:
            line.total = number
            outcome.rows += count
        else:
            line.values[bucket] = number
    return lines


def _label(series: Series, value: str | None, other: bool, split: bool) -> str:
    if not split:
        return series.label
    shown = OTHER_LABEL if other else NONE_LABEL if value is None else value
    return f"{series.label} · {shown}"


def _fetch(con: duckdb.DuckDBPyConnection, sql: Sql, outcome: Outcome) -> list[Any]:
    if time.perf_counter() >= outcome.deadline:
        raise duckdb.InterruptException("the time limit passed between statements")
    outcome.queries += 1
    return con.execute(sql.text, sql.params).fetchall()
