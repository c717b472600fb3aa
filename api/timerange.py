"""A half-open time range [from, to), validated once for every service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.errors import InputError


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC; MongoDB keeps milliseconds only."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.replace(microsecond=aware.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class TimeRange:
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def of(cls, argument: str, start: datetime | None, end: datetime | None) -> TimeRange | None:
        if start is None and end is None:
            return None
        start = as_utc(start) if start else None
        end = as_utc(end) if end else None
        if start and end and end <= start:
            raise InputError(argument, "'to' must be after 'from'")
        return cls(start, end)

    def mongo(self, field: str) -> dict[str, Any]:
        bounds: dict[str, datetime] = {}
        if self.start:
            bounds["$gte"] = self.start
        if self.end:
            bounds["$lt"] = self.end
        return {field: bounds}
