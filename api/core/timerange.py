"""A half-open time range [from, to), validated once for every service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, overload

from api.core.errors import InputError

OUT_OF_RANGE = "outside the years 1 to 9999 in UTC"
NOT_AFTER = "'to' must be after 'from'"


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


@overload
def utc_span(argument: str, start: datetime, end: datetime) -> tuple[datetime, datetime]: ...
@overload
def utc_span(
    argument: str, start: datetime | None, end: datetime | None
) -> tuple[datetime | None, datetime | None]: ...


def utc_span(
    argument: str, start: datetime | None, end: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """The ends of a range in UTC, either one open (None): the one check of
    every time range. InputError names ``argument.from`` or ``argument.to``
    when an end is out of range, and ``argument`` when 'to' is not after 'from'."""
    start = bound_as_utc(f"{argument}.from", start) if start else None
    end = bound_as_utc(f"{argument}.to", end) if end else None
    if start and end and end <= start:
        raise InputError(argument, NOT_AFTER)
    return start, end


@dataclass(frozen=True)
class TimeRange:
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def of(cls, argument: str, start: datetime | None, end: datetime | None) -> TimeRange | None:
        if start is None and end is None:
            return None
        return cls(*utc_span(argument, start, end))

    def mongo(self, field: str) -> dict[str, Any]:
        bounds: dict[str, datetime] = {}
        if self.start:
            bounds["$gte"] = self.start
        if self.end:
            bounds["$lt"] = self.end
        return {field: bounds}
