"""Inputs shared by several domains."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from api.core.timerange import TimeRange


@strawberry.enum
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


@strawberry.input(description="A half-open time range: from (inclusive) to (exclusive).")
class TimeRangeInput:
    from_: datetime | None = strawberry.field(name="from", default=None)
    to: datetime | None = None

    def to_range(self, argument: str) -> TimeRange | None:
        return TimeRange.of(argument, self.from_, self.to)
