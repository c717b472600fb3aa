"""The buckets of a range in a time zone: every one present, so charts have no
gaps, and each starting where the zone's clock starts an hour, day, week
(Monday) or month, across DST changes and in half- and quarter-hour zones.

The engine assigns an event to the last bucket that starts at or before it,
so these starts are the whole definition of a bucket."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from api.core.errors import InputError
from api.insights.query import Interval

# Every zone's offset is a whole number of quarter hours.
_QUARTER = timedelta(minutes=15)
_HOUR = timedelta(hours=1)
# A bound on the walk back, for the odd offsets of local mean time before 1900.
_QUARTERS_A_DAY = 96


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            "timeZone", f"{name[:100]!r} is not an IANA time zone such as Europe/Berlin"
        ) from None


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    # A midnight that the clock skips is taken at the offset before the jump,
    # which is the instant the day begins.
    return datetime.combine(day, time(), tz).astimezone(UTC)


def bucket_start(moment: datetime, tz: ZoneInfo, interval: Interval) -> datetime:
    """The start (in UTC) of the bucket holding ``moment``."""
    local = moment.astimezone(tz)
    if interval == Interval.HOUR:
        # The latest UTC quarter hour at or before the moment where the zone's
        # clock shows a whole hour, or where its offset changed: the hour a
        # fall-back repeats is two buckets, and a change inside a clock hour
        # (Lord Howe's half hour, Chatham's at :45) starts one of its own.
        start = moment.astimezone(UTC)
        start = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
        for _ in range(_QUARTERS_A_DAY):
            here = start.astimezone(tz)
            if (
                here.minute == 0
                or (start - _QUARTER).astimezone(tz).utcoffset() != here.utcoffset()
            ):
                break
            start -= _QUARTER
        return start
    day = local.date()
    if interval == Interval.WEEK:
        day -= timedelta(days=day.weekday())
    elif interval == Interval.MONTH:
        day = day.replace(day=1)
    return _midnight(day, tz)


def _next(start: datetime, tz: ZoneInfo, interval: Interval) -> datetime:
    if interval == Interval.HOUR:
        # The usual case, an hour later, unless a change of offset put a
        # start in between (starts are always on UTC quarter hours).
        step = start + _HOUR
        if (
            bucket_start(step, tz, interval) == step
            and bucket_start(step - _QUARTER, tz, interval) == start
        ):
            return step
        moment = start + _QUARTER
        while bucket_start(moment, tz, interval) == start:
            moment += _QUARTER
        return bucket_start(moment, tz, interval)
    day = start.astimezone(tz).date()
    if interval == Interval.DAY:
        following = day + timedelta(days=1)
    elif interval == Interval.WEEK:
        following = day - timedelta(days=day.weekday()) + timedelta(days=7)
    else:
        following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return _midnight(following, tz)


def buckets(start: datetime, end: datetime, tz: ZoneInfo, interval: Interval) -> Iterator[datetime]:
    """The starts of the buckets that [start, end) touches, in order."""
    current = bucket_start(start, tz, interval)
    while current < end:
        yield current
        current = _next(current, tz, interval)
