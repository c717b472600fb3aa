"""A customer's sessions, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from beanie import PydanticObjectId

from api.core.timerange import TimeRange
from api.db.filters import all_of
from api.db.pagination import Ordering, Page, Window, paginate
from api.sessions.documents import Session

NEWEST_FIRST = Ordering(field="startTime", attr="start_time", kind="date", descending=True)


@dataclass(frozen=True)
class SessionFilter:
    started: TimeRange | None = None
    devices: tuple[str, ...] = ()


async def customer_sessions(
    customer_id: PydanticObjectId, where: SessionFilter, window: Window
) -> Page[Session]:
    clauses: list[dict[str, Any]] = [{"customerId": customer_id}]
    if where.started:
        clauses.append(where.started.mongo("startTime"))
    if where.devices:
        clauses.append({"device": {"$in": list(where.devices)}})
    return await paginate(
        Session, all_of(*clauses), NEWEST_FIRST, window, scope="customer.sessions"
    )


def is_active(last_event_at: datetime | None, now: datetime, gap: timedelta) -> bool:
    """Active while no end is known, or until ``gap`` has passed since the last event."""
    return last_event_at is None or now - last_event_at < gap
