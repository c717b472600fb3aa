"""The analytics workload: the ``analytics`` query over a 30-day range beside a
raw aggregation over the events of that range (the comparison: what the
figures cost without the hourly aggregates)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from tests.benchmarks.queries import Db, graphql

RANGE = timedelta(days=30)
TOP_PAGES = 10

ANALYTICS = f"""
query ($from: DateTime!, $to: DateTime!) {{
  analytics(range: {{from: $from, to: $to}}) {{
    activeCustomers sessions averageSessionDurationSeconds conversionRate
    eventTypes {{ type count averageTimeSpentSeconds }}
    pages(first: {TOP_PAGES}) {{ page views averageTimeSpentSeconds }}
    timeSeries {{ start sessions events }}
    funnel {{ step sessions share }}
  }}
}}"""


def window(end: datetime) -> dict[str, str]:
    return {"from": (end - RANGE).isoformat(), "to": end.isoformat()}


async def api(http: httpx.AsyncClient, end: datetime) -> dict[str, Any]:
    data: dict[str, Any] = (await graphql(http, ANALYTICS, window(end)))["analytics"]
    return data


async def raw(db: Db, end: datetime) -> dict[str, Any]:
    """Event counts by type and the most viewed pages, straight from the events.

    One accumulator per $group: FerretDB 1.24 has only $sum and $count, and
    answers 0 for every accumulator after the first of a $group, so the time
    spent (for the averages) would take further scans; this is the least a raw
    computation of these figures costs."""
    between = {"$gte": end - RANGE, "$lt": end}
    by_type: list[dict[str, Any]] = [
        {"$match": {"timestamp": between}},
        {"$group": {"_id": "$type", "count": {"$sum": 1}}},
    ]
    by_page: list[dict[str, Any]] = [
        {"$match": {"timestamp": between, "type": "page_view"}},
        {"$group": {"_id": "$page", "views": {"$sum": 1}}},
        {"$sort": {"views": -1, "_id": 1}},
        {"$limit": TOP_PAGES},
    ]
    types = await (await db.events.aggregate(by_type)).to_list()
    pages = await (await db.events.aggregate(by_page)).to_list()
    return {"types": types, "pages": pages}


def check(ours: dict[str, Any], theirs: dict[str, Any]) -> int:
    """Both count the same events by type and the same top pages; the event count."""
    counts = {row["type"].lower(): row["count"] for row in ours["eventTypes"] if row["count"]}
    expected = {row["_id"]: row["count"] for row in theirs["types"]}
    pages = [(row["page"], row["views"]) for row in ours["pages"]]
    expected_pages = [(row["_id"], row["views"]) for row in theirs["pages"]]
    if counts != expected or pages != expected_pages:
        raise AssertionError(
            f"analytics disagree with the raw aggregation: {counts} {pages[:3]} "
            f"vs {expected} {expected_pages[:3]}"
        )
    return sum(counts.values())
