"""What an insight query asks, checked before the engine sees it.

A property is named one of three ways, and the first character tells which:
``$`` starts a dimension the product records itself (``$browser``,
``$utm_source``), ``$customer.`` and ``$session.`` fields of the customer and
the session; anything else is a key of the event's own properties, nested
keys by dotted path (``video.quality``). Stored property keys can never start
with ``$`` (api/events/documents.py refuses them), so no event property is
ever mistaken for a dimension.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from api.core.errors import InputError, TooComplexError
from api.core.timerange import utc_span


class Math(StrEnum):
    COUNT = "count"
    UNIQUE_CUSTOMERS = "unique_customers"
    SUM = "sum"
    AVERAGE = "average"
    MIN = "min"
    MAX = "max"
    MEDIAN = "median"
    P90 = "p90"

    @property
    def numeric(self) -> bool:
        """Whether it aggregates a numeric property (and needs one)."""
        return self not in (Math.COUNT, Math.UNIQUE_CUSTOMERS)

    @property
    def additive(self) -> bool:
        """Whether an empty bucket is 0 rather than no value."""
        return self in (Math.COUNT, Math.UNIQUE_CUSTOMERS, Math.SUM)


class Interval(StrEnum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class Operator(StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    IN = "in"
    CONTAINS = "contains"
    GREATER_THAN = "greater_than"
    LESS_THAN = "less_than"
    IS_SET = "is_set"
    IS_NOT_SET = "is_not_set"


class Kind(StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Dimension:
    key: str  # as analysts write it: $browser
    column: str  # in the engine's events or customers view
    kind: Kind
    label: str
    table: str = "events"


def _dimensions() -> dict[str, Dimension]:
    text, number = Kind.STRING, Kind.NUMBER
    events = [
        ("$event", "name", text, "Event name"),
        ("$page", "page", text, "Page"),
        ("$country", "country", text, "Country"),
        ("$device", "device", text, "Device (as sent)"),
        ("$language", "language", text, "Browser language"),
        ("$referrer", "referrer", text, "Referrer"),
        ("$referrer_domain", "referrer_domain", text, "Referrer domain"),
        ("$utm_source", "utm_source", text, "UTM source"),
        ("$utm_medium", "utm_medium", text, "UTM medium"),
        ("$utm_campaign", "utm_campaign", text, "UTM campaign"),
        ("$utm_term", "utm_term", text, "UTM term"),
        ("$utm_content", "utm_content", text, "UTM content"),
        ("$browser", "browser", text, "Browser"),
        ("$browser_version", "browser_version", text, "Browser version"),
        ("$os", "os", text, "Operating system"),
        ("$os_version", "os_version", text, "OS version"),
        ("$device_type", "device_type", text, "Device type"),
        ("$screen_width", "screen_width", number, "Screen width"),
        ("$screen_height", "screen_height", number, "Screen height"),
        ("$bot", "bot", Kind.BOOLEAN, "Bot"),
        ("$session.id", "session_id", text, "Session"),
        ("$session.country", "country", text, "Session country"),
        ("$session.device", "device", text, "Session device"),
        ("$customer.id", "customer_id", text, "Customer"),
    ]
    customers = [
        ("$customer.distinct_id", "distinct_id", text, "Customer distinct id"),
        ("$customer.name", "name", text, "Customer name"),
        ("$customer.email", "email", text, "Customer email"),
        ("$customer.country", "country", text, "Customer country"),
        ("$customer.language", "language", text, "Customer language"),
    ]
    found = {key: Dimension(key, column, kind, label) for key, column, kind, label in events}
    for key, column, kind, label in customers:
        found[key] = Dimension(key, column, kind, label, table="customers")
    return found


DIMENSIONS = _dimensions()
# Fields that name a single customer: answers by them are raw-event level.
PERSONAL = frozenset(
    {"$customer.id", "$customer.distinct_id", "$customer.name", "$customer.email", "$session.id"}
)
_PATH_PART = re.compile(r"[^.]{1,200}")
_EVENT_NAME = re.compile(r"[a-z0-9_.:-]{1,100}")


@dataclass(frozen=True)
class Property:
    """A dimension, or the path of an event property."""

    key: str
    dimension: Dimension | None = None
    path: tuple[str, ...] = ()

    @classmethod
    def of(cls, argument: str, key: str) -> Property:
        if key.startswith("$"):
            dimension = DIMENSIONS.get(key)
            if dimension is None:
                raise InputError(
                    argument, f"{key[:100]!r} is not a dimension; see insightDimensions"
                )
            return cls(key, dimension=dimension)
        parts = tuple(key.split("."))
        if len(key) > 500 or not all(_PATH_PART.fullmatch(part) for part in parts):
            raise InputError(argument, "a property is a key or a dotted path of keys")
        return cls(key, path=parts)

    @property
    def personal(self) -> bool:
        return self.key in PERSONAL


Scalar = str | float | bool


@dataclass(frozen=True)
class Filter:
    prop: Property
    operator: Operator
    value: Scalar | tuple[Scalar, ...] | None = None

    @classmethod
    def of(cls, argument: str, key: str, operator: Operator, value: Any) -> Filter:
        prop = Property.of(f"{argument}.property", key)
        where = f"{argument}.value"
        if operator in (Operator.IS_SET, Operator.IS_NOT_SET):
            if value is not None:
                raise InputError(where, f"{operator.name} takes no value")
            return cls(prop, operator)
        if operator == Operator.IN:
            if not isinstance(value, list) or not value or len(value) > 100:
                raise InputError(where, "IN takes a list of 1 to 100 values")
            return cls(prop, operator, tuple(_scalar(where, item) for item in value))
        scalar = _scalar(where, value)
        if operator == Operator.CONTAINS and not isinstance(scalar, str):
            raise InputError(where, "CONTAINS takes a string")
        if operator in (Operator.GREATER_THAN, Operator.LESS_THAN) and (
            isinstance(scalar, bool) or not isinstance(scalar, float)
        ):
            raise InputError(where, f"{operator.name} takes a number")
        return cls(prop, operator, scalar)


def _scalar(where: str, value: Any) -> Scalar:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(where, "not a finite number")
        return float(value)
    if isinstance(value, str):
        if len(value) > 1000:
            raise InputError(where, "longer than 1000 characters")
        return value
    raise InputError(where, "must be a string, a number or a boolean")


@dataclass(frozen=True)
class Series:
    event: str | None  # None: every event
    math: Math = Math.COUNT
    prop: Property | None = None
    filters: tuple[Filter, ...] = ()

    @classmethod
    def of(
        cls,
        argument: str,
        event: str | None,
        math: Math,
        prop: str | None,
        filters: tuple[Filter, ...],
    ) -> Series:
        if event is not None and not _EVENT_NAME.fullmatch(event):
            raise InputError(f"{argument}.event", "an event name is 1-100 of a-z 0-9 _ . : -")
        parsed = Property.of(f"{argument}.property", prop) if prop is not None else None
        if math.numeric and parsed is None:
            raise InputError(f"{argument}.property", f"{math.name} needs a numeric property")
        if not math.numeric and parsed is not None:
            raise InputError(f"{argument}.property", f"{math.name} takes no property")
        if parsed and parsed.dimension and parsed.dimension.kind != Kind.NUMBER:
            raise InputError(f"{argument}.property", f"{parsed.key} is not numeric")
        return cls(event, math, parsed, filters)

    @property
    def label(self) -> str:
        what = self.event or "any event"
        if self.math == Math.COUNT:
            return what
        if self.math == Math.UNIQUE_CUSTOMERS:
            return f"{what}: unique customers"
        assert self.prop is not None
        return f"{what}: {self.math.name.lower()} of {self.prop.key}"


@dataclass(frozen=True)
class Limits:
    """What one insight query may cost; over any of them it is refused."""

    max_days: int = 400
    max_series: int = 10
    max_breakdown: int = 50
    max_points: int = 20_000  # series x breakdown values (with other) x buckets
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @classmethod
    def of(cls, argument: str, start: datetime, end: datetime, limits: Limits) -> Window:
        start, end = utc_span(argument, start, end)
        days = (end - start) / timedelta(days=1)
        if days > limits.max_days:
            raise TooComplexError(
                "rangeDays", limits.max_days, int(-(-days // 1)), f"a range of {days:.1f} days"
            )
        return cls(start, end)


@dataclass(frozen=True)
class Trends:
    series: tuple[Series, ...]
    window: Window
    interval: Interval = Interval.DAY
    time_zone: str = "UTC"
    breakdown: Property | None = None
    breakdown_limit: int = 10
    filters: tuple[Filter, ...] = ()  # on every series
    include_bots: bool = False
    limits: Limits = field(default_factory=Limits)

    def check(self, buckets: int) -> None:
        """Refuses a query over its limits, naming the one it passed."""
        if not self.series:
            raise InputError("input.series", "name at least one series")
        if len(self.series) > self.limits.max_series:
            raise TooComplexError(
                "series", self.limits.max_series, len(self.series), f"{len(self.series)} series"
            )
        if not 1 <= self.breakdown_limit <= self.limits.max_breakdown:
            raise TooComplexError(
                "breakdownLimit",
                self.limits.max_breakdown,
                self.breakdown_limit,
                f"a breakdown of {self.breakdown_limit} values",
            )
        width = self.breakdown_limit + 1 if self.breakdown else 1
        points = len(self.series) * width * buckets
        if points > self.limits.max_points:
            raise TooComplexError(
                "points",
                self.limits.max_points,
                points,
                f"{points:,} points (series x values x buckets)",
            )

    @property
    def personal(self) -> bool:
        """Whether it reads customer-level fields (which needs the analyst role)."""
        props = [self.breakdown, *(f.prop for f in self.filters)]
        for series in self.series:
            props += [series.prop, *(f.prop for f in series.filters)]
        return any(prop is not None and prop.personal for prop in props)
