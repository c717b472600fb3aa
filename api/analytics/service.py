"""Analytics over a time range, globally or for one customer.

Global figures come from the hourly documents (O(hours in range)); the parts
of hours that a range cuts through are computed from their raw events. A
customer's figures come from their own events and sessions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from beanie import PydanticObjectId

from api.analytics.figures import EVENT_FIELDS, READ_BATCH, SESSION_FIELDS, Figures, Raw
from api.analytics.hours import (
    compute_hour,
    day_hours,
    day_start,
    each_day,
    each_hour,
    split_range,
)
from api.core.errors import InputError
from api.core.hourkeys import HOUR, hour_key, hour_start
from api.core.timerange import utc_span
from api.events.documents import Event
from api.sessions.documents import Session


class Granularity(StrEnum):
    HOUR = "hour"
    DAY = "day"


MAX_BUCKETS = 2000
# Far from the ends of datetime's years 1-9999, where stepping an hour or
# moving into a time zone overflows; no event is kept that old or that late.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ReportRange:
    """The range a report covers: both ends given, its span bounded."""

    start: datetime
    end: datetime

    @classmethod
    def of(cls, start: datetime, end: datetime, max_days: int) -> ReportRange:
        start, end = utc_span("range", start, end)
        if start < EARLIEST or end > LATEST:
            raise InputError("range", f"must lie between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}")
        if end - start > timedelta(days=max_days):
            raise InputError("range", f"spans more than {max_days} days")
        return cls(start, end)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            "timeZone", f"{name!r} is not an IANA time zone such as Europe/Berlin"
        ) from None


def bucket_start(moment: datetime, tz: ZoneInfo, granularity: Granularity) -> datetime:
    local = moment.astimezone(tz)
    if granularity == Granularity.DAY:
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    return local.replace(minute=0, second=0, microsecond=0)


@dataclass
class Report:
    range: ReportRange
    totals: Figures
    series: list[tuple[datetime, Figures]]
    # Only for one customer: the figures of everyone, to compare with.
    overall: Figures | None = None
    notes: list[str] = field(default_factory=list)


class Series:
    """Every bucket of the range, empty or not, so charts have no gaps; figures
    are folded in as they are read, so a report holds its buckets, never all
    the hours or events it is made of."""

    def __init__(self, window: ReportRange, tz: ZoneInfo, granularity: Granularity) -> None:
        self.tz, self.granularity = tz, granularity
        self.buckets: dict[datetime, Figures] = {}
        # Walking UTC hours finds local buckets right across DST changes.
        moment = window.start
        while moment < window.end:
            self.buckets.setdefault(bucket_start(moment, tz, granularity), Figures())
            if len(self.buckets) > MAX_BUCKETS:
                raise InputError("granularity", f"more than {MAX_BUCKETS} buckets; use DAY")
            moment = hour_start(hour_key(moment)) + HOUR

    def at(self, moment: datetime) -> Figures:
        return self.buckets.setdefault(bucket_start(moment, self.tz, self.granularity), Figures())

    def points(self) -> list[tuple[datetime, Figures]]:
        return sorted(self.buckets.items())

    def total(self) -> Figures:
        return _total(self.buckets.values())


async def global_figures(
    window: ReportRange, whole_days: Callable[[datetime], bool] = lambda _: True
) -> AsyncIterator[tuple[datetime, Figures]]:
    """(start, figures) of the days, hours and parts of hours of the range.

    A UTC day wholly inside the range is read as one document when
    ``whole_days(its start)`` allows: when it falls into a single bucket of the
    series asked for (or no series is needed)."""
    whole, partial = split_range(window.start, window.end)
    hours = set(whole)
    days = [
        day
        for day in sorted({key[:10] for key in whole})
        if hours.issuperset(day_hours(day)) and whole_days(day_start(day))
    ]
    hours.difference_update(key for day in days for key in day_hours(day))
    async for day, figures in each_day(days):
        yield day_start(day), figures
    async for key, figures in each_hour(sorted(hours)):
        yield hour_start(key), figures
    for key, low, high in partial:
        yield low, await compute_hour(key, low, high)


def _one_bucket(tz: ZoneInfo, granularity: Granularity) -> Callable[[datetime], bool]:
    """Whether a UTC day maps into one series bucket: daily buckets in a zone
    that is at UTC all that day."""

    def check(start: datetime) -> bool:
        end = start + timedelta(hours=23)
        return granularity == Granularity.DAY and not tz.utcoffset(start) and not tz.utcoffset(end)

    return check


# A customer's events of [start, end), as Figures.add_event reads them: from
# MongoDB by default; the API passes the analytical store's, which is faster
# and gives the same events (api/insights/customer.py).
EventSource = Callable[[PydanticObjectId, datetime, datetime], AsyncIterator[Raw]]


def _events_in_mongodb(
    customer_id: PydanticObjectId, start: datetime, end: datetime
) -> AsyncIterator[Raw]:
    return Event.get_pymongo_collection().find(
        {"customerId": customer_id, "timestamp": {"$gte": start, "$lt": end}},
        EVENT_FIELDS,
        batch_size=READ_BATCH,
    )


async def add_customer_figures(
    customer_id: PydanticObjectId,
    window: ReportRange,
    series: Series,
    events: EventSource = _events_in_mongodb,
) -> None:
    """A customer's events and sessions of the range, each into its bucket."""
    between = {"$gte": window.start, "$lt": window.end}
    async for event in events(customer_id, window.start, window.end):
        series.at(event["timestamp"]).add_event(event)
    sessions = Session.get_pymongo_collection().find(
        {"customerId": customer_id, "startTime": between}, SESSION_FIELDS, batch_size=READ_BATCH
    )
    async for session in sessions:
        series.at(session["startTime"]).add_session(session)


def _total(parts: Iterable[Figures]) -> Figures:
    total = Figures()
    for figures in parts:
        total.merge(figures)
    return total


async def report(
    start: datetime,
    end: datetime,
    max_days: int,
    customer_id: PydanticObjectId | None = None,
    time_zone: str = "UTC",
    granularity: Granularity = Granularity.DAY,
    customer_events: EventSource = _events_in_mongodb,
) -> Report:
    window = ReportRange.of(start, end, max_days)
    tz = zone(time_zone)
    series = Series(window, tz, granularity)
    overall: Figures | None = None
    if customer_id is None:
        async for moment, figures in global_figures(window, _one_bucket(tz, granularity)):
            series.at(moment).merge(figures)
    else:
        overall = Figures()
        async for _, figures in global_figures(window):  # totals only: days always do
            overall.merge(figures)
        await add_customer_figures(customer_id, window, series, customer_events)
    result = Report(range=window, totals=series.total(), series=series.points(), overall=overall)
    offset = tz.utcoffset(window.start)
    if offset is not None and offset % timedelta(hours=1):
        result.notes.append(
            "days in this time zone start at a half hour: the hourly figures of the hour "
            "that contains local midnight are counted in the day it starts in"
        )
    return result
