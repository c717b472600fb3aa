"""Hour buckets: the unit analytics are kept in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

HOUR = timedelta(hours=1)


def hour_key(moment: datetime) -> str:
    """``2026-11-29T06``: the UTC hour a moment falls in, sortable as text."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    # Not strftime: its %Y drops the zeros of years before 1000 on glibc, and
    # hour_start could not read the key back.
    return f"{aware.year:04d}-{aware.month:02d}-{aware.day:02d}T{aware.hour:02d}"


def hour_start(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%dT%H").replace(tzinfo=UTC)


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hours_between(start: datetime, end: datetime) -> list[str]:
    """Keys of the hours that overlap [start, end)."""
    keys = []
    moment = floor_hour(start)
    while moment < end:
        keys.append(hour_key(moment))
        moment += HOUR
    return keys
