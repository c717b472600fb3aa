"""Insight queries on the analytical store: trends and the discovery lists
that pickers and analysts start from. Each runs in a worker thread on its
own DuckDB connection, inside a span that says what it read and how long the
engine took."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from opentelemetry import trace

from api.insights import trends as trends_engine
from api.insights.query import Trends, Window
from api.insights.store import Store

tracer = trace.get_tracer("api.insights")
DISCOVERY_LIMIT = 1000


@dataclass(frozen=True)
class NameCount:
    name: str
    count: int


@dataclass(frozen=True)
class PropertyCount:
    name: str
    kind: str  # api.insights.properties: string, number, boolean, list, null
    count: int


async def _in_engine(store: Store, what: str, window: Window, work: Any, **attributes: Any) -> Any:
    with tracer.start_as_current_span(f"insights.{what}") as span:
        files = store.files_for(window.start, window.end)
        span.set_attribute("insights.files", len(files))
        span.set_attribute("insights.bytes", sum(_size(path) for path in files))
        for key, value in attributes.items():
            span.set_attribute(f"insights.{key}", value)
        began = time.perf_counter()
        async with store.reader(window.start, window.end) as con:
            result = await asyncio.to_thread(work, con)
        span.set_attribute("insights.engine_ms", round((time.perf_counter() - began) * 1000, 1))
        return result


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # replaced or removed since it was listed
        return 0


async def trends(store: Store, query: Trends) -> trends_engine.Outcome:
    def work(con: duckdb.DuckDBPyConnection) -> trends_engine.Outcome:
        return trends_engine.run(con, query)

    outcome: trends_engine.Outcome = await _in_engine(
        store,
        "trends",
        query.window,
        work,
        series=len(query.series),
        interval=query.interval.value,
        breakdown=query.breakdown.key if query.breakdown else "",
    )
    trace.get_current_span().set_attribute("insights.rows", outcome.rows)
    return outcome


def _bots(include_bots: bool) -> str:
    return "" if include_bots else " AND NOT coalesce(bot, false)"


async def event_names(store: Store, window: Window, include_bots: bool) -> list[NameCount]:
    def work(con: duckdb.DuckDBPyConnection) -> list[NameCount]:
        # Only our own text is formatted in; every value is bound.
        rows = con.execute(
            "SELECT name, count(*) AS n FROM events WHERE timestamp >= ? AND timestamp < ?"  # noqa: S608
            f"{_bots(include_bots)} GROUP BY name ORDER BY n DESC, name LIMIT ?",
            [window.start, window.end, DISCOVERY_LIMIT],
        ).fetchall()
        return [NameCount(name, count) for name, count in rows]

    found: list[NameCount] = await _in_engine(store, "event_names", window, work)
    return found


async def property_names(
    store: Store, event: str | None, window: Window, include_bots: bool
) -> list[PropertyCount]:
    """Every leaf path of the events' properties with the type it holds (a
    path seen with two types is listed twice), most used first."""

    def work(con: duckdb.DuckDBPyConnection) -> list[PropertyCount]:
        named = " AND name = ?" if event is not None else ""
        params: list[Any] = [window.start, window.end]
        if event is not None:
            params.append(event)
        leaves = (
            "SELECT unnest(prop_paths) AS path, unnest(prop_kinds) AS kind FROM events "  # noqa: S608
            f"WHERE timestamp >= ? AND timestamp < ?{named}{_bots(include_bots)}"
        )
        rows = con.execute(
            f"SELECT path, kind, count(*) AS n FROM ({leaves}) "  # noqa: S608
            "GROUP BY path, kind ORDER BY n DESC, path, kind LIMIT ?",
            [*params, DISCOVERY_LIMIT],
        ).fetchall()
        return [PropertyCount(path, kind, count) for path, kind, count in rows]

    found: list[PropertyCount] = await _in_engine(store, "property_names", window, work)
    return found


def default_window(now: datetime, days: int = 30) -> tuple[datetime, datetime]:
    """The range a discovery list covers when none is given: the last 30 days."""
    return now - timedelta(days=days), now
