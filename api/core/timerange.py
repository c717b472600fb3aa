"""A half-open time range [from, to), validated once for every service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.core.errors import InputError

OUT_OF_RANGE = "outside the years 1 to 9999 in UTC"


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC; MongoDB keeps milliseconds only.

    Raises ValueError for a time that an offset moves out of the years
    1-9999 (``0001-01-01T00:00:00+01:00``): it exists in no UTC calendar."""
    try:
        aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(OUT_OF_RANGE) from None
    return aware.replace(microsecond=aware.microsecond // 1000 * 1000)


def bound_as_utc(argument: str, moment: datetime) -> datetime:
    """``as_utc`` for an argument: InputError naming it when out of range."""
    try:
        return as_utc(moment)
    except ValueError as error:
        raise InputError(argument, str(error)) from None


@dataclass(frozen=True)
class TimeRange:
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def of(cls, argument: str, start: datetime | None, end: datetime | None) -> TimeRange | None:
        if start is None and end is None:
            return None
        start = bound_as_utc(f"{argument}.from", start) if start else None
        end = bound_as_utc(f"{argument}.to", end) if end else None
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
