"""One customer's events of a range, for the analytics report's comparison:
from the store for every day whose file is current, from MongoDB for the
days it has not caught up with yet (today, while websites send events). The
answer is the same as reading MongoDB alone (tests/integration/
test_insights_api.py compares them); it is only faster, as the store finds a
customer's rows of 90 days by reading one column of 90 files instead of a
scan of every event on FerretDB."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId

from api.analytics.documents import AnalyticsDay
from api.analytics.figures import EVENT_FIELDS, READ_BATCH
from api.analytics.hours import day_hours
from api.events.documents import Event
from api.insights.query import Property
from api.insights.sql import Layout, typed
from api.insights.store import Store, days_between

_TIME_SPENT = Property.of("property", "timeSpent")


async def current_days(store: Store, days: list[str]) -> tuple[set[str], set[str]]:
    """(days whose file holds every event MongoDB has, days with events it may not)."""
    seqs = {
        doc["_id"]: doc.get("seq")
        async for doc in AnalyticsDay.get_pymongo_collection().find(
            {"_id": {"$in": days}}, {"seq": 1}
        )
    }
    written = (await asyncio.to_thread(store.manifest)).get("days", {})
    files = store.day_files()
    current = {
        day
        for day, seq in seqs.items()
        if day in files and written.get(day, {}).get("daySeq") == seq
    }
    return current, set(seqs) - current


async def customer_events(
    store: Store, customer_id: PydanticObjectId, start: datetime, end: datetime
) -> AsyncIterator[dict[str, Any]]:
    """Events as ``Figures.add_event`` reads them (type, page, timestamp,
    metadata.timeSpent, bot)."""
    current, stale = await current_days(store, days_between(start, end))
    if current:
        async with store.reader(start, end) as con:
            spent = typed(_TIME_SPENT, Layout.of(con)).number
            sql = (
                f"SELECT name, page, timestamp, {spent.text}, bot FROM events e "  # noqa: S608
                "WHERE customer_id = ? AND timestamp >= ? AND timestamp < ? "
                "AND strftime(timestamp, '%Y-%m-%d') IN (SELECT unnest(?::VARCHAR[]))"
            )
            params = [*spent.params, str(customer_id), start, end, sorted(current)]
            rows = await asyncio.to_thread(lambda: con.execute(sql, params).fetchall())
        for name, page, timestamp, time_spent, bot in rows:
            metadata = {} if time_spent is None else {"timeSpent": time_spent}
            yield {
                "type": name, "page": page, "timestamp": timestamp, "metadata": metadata,
                "bot": bot,
            }  # fmt: skip
    if stale:
        hours = [hour for day in sorted(stale) for hour in day_hours(day)]
        query = {
            "customerId": customer_id,
            "hour": {"$in": hours},
            "timestamp": {"$gte": start, "$lt": end},
        }
        cursor = Event.get_pymongo_collection().find(query, EVENT_FIELDS, batch_size=READ_BATCH)
        async for event in cursor:
            yield event
