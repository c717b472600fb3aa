"""GraphQL types of insights: trends over any event and property, and the
discovery lists (event names, property names, dimensions) that pickers use."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from api.auth.roles import Permission
from api.insights import query as model
from api.insights.service import NameCount, PropertyCount
from api.insights.trends import Line, Outcome
from schema.analytics.types import AnalyticsRangeInput
from schema.authz import needs

# The domain's own enums, named for the schema.
strawberry.enum(
    model.Math, name="TrendMath", description="What a series counts or aggregates in each bucket."
)
strawberry.enum(
    model.Interval,
    name="Interval",
    description="The width of a bucket, on the clock of the query's time zone.",
)
strawberry.enum(model.Operator, name="FilterOperator")


@strawberry.enum(description="The JSON type a property holds.")
class PropertyType(Enum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    LIST = "list"
    NULL = "null"


PROPERTY_HELP = (
    "An event property by key or dotted path (plan, video.quality), or a dimension, "
    "which starts with $ ($browser, $utm_source, $customer.country): see insightDimensions."
)


@strawberry.input(
    description="One condition on an event property, a dimension or a customer field."
)
class InsightFilterInput:
    property: str = strawberry.field(description=PROPERTY_HELP)
    operator: model.Operator
    value: JSON | None = strawberry.field(
        default=None,
        description=(
            "A string, number or boolean (a list for IN; none for IS_SET and IS_NOT_SET). "
            "Typed: the string '3' does not equal the number 3."
        ),
    )

    def domain(self, argument: str) -> model.Filter:
        return model.Filter.of(argument, self.property, self.operator, self.value)


def filters_of(argument: str, items: list[InsightFilterInput]) -> tuple[model.Filter, ...]:
    return tuple(item.domain(f"{argument}[{n}]") for n, item in enumerate(items))


@strawberry.input
class TrendSeriesInput:
    event: str | None = strawberry.field(
        default=None, description="An event name; null: every event."
    )
    math: model.Math = model.Math.COUNT
    property: str | None = strawberry.field(
        default=None,
        description="The numeric property that SUM ... P90 aggregate. " + PROPERTY_HELP,
    )
    filters: list[InsightFilterInput] = strawberry.field(default_factory=list)

    def domain(self, argument: str) -> model.Series:
        return model.Series.of(
            argument,
            self.event,
            self.math,
            self.property,
            filters_of(f"{argument}.filters", self.filters),
        )


@strawberry.input
class TrendsInput:
    series: list[TrendSeriesInput]
    range: AnalyticsRangeInput
    interval: model.Interval = model.Interval.DAY
    time_zone: str = strawberry.field(
        default="UTC", description="IANA name; buckets follow its clock."
    )
    breakdown: str | None = strawberry.field(
        default=None, description="Split each series by this. " + PROPERTY_HELP
    )
    breakdown_limit: int = strawberry.field(
        default=10, description="The top values (by events) shown; the rest are one Other line."
    )
    filters: list[InsightFilterInput] = strawberry.field(
        default_factory=list, description="Apply to every series."
    )
    include_bots: bool = strawberry.field(
        default=False, description="Bots are left out unless true."
    )

    def domain(self, limits: model.Limits) -> model.Trends:
        return model.Trends(
            series=tuple(item.domain(f"input.series[{n}]") for n, item in enumerate(self.series)),
            window=model.Window.of("input.range", self.range.from_, self.range.to, limits),
            interval=self.interval,
            time_zone=self.time_zone,
            breakdown=model.Property.of("input.breakdown", self.breakdown)
            if self.breakdown is not None
            else None,
            breakdown_limit=self.breakdown_limit,
            filters=filters_of("input.filters", self.filters),
            include_bots=self.include_bots,
            limits=limits,
        )


@strawberry.input
class EventNamesInput:
    range: AnalyticsRangeInput | None = strawberry.field(
        default=None, description="Default: the last 30 days."
    )
    include_bots: bool = False


@strawberry.input
class PropertyNamesInput:
    event: str | None = strawberry.field(default=None, description="Null: of every event.")
    range: AnalyticsRangeInput | None = strawberry.field(
        default=None, description="Default: the last 30 days."
    )
    include_bots: bool = False


@needs(Permission.READ)
@strawberry.type
class EventNameCount:
    name: str
    count: int

    @classmethod
    def of(cls, found: NameCount) -> EventNameCount:
        return cls(name=found.name, count=found.count)


@needs(Permission.READ)
@strawberry.type
class PropertyName:
    name: str = strawberry.field(description="The dotted path, as filters and breakdowns name it.")
    type: PropertyType
    count: int = strawberry.field(description="Events that hold it with this type.")

    @classmethod
    def of(cls, found: PropertyCount) -> PropertyName:
        return cls(name=found.name, type=PropertyType(found.kind), count=found.count)


@needs(Permission.READ)
@strawberry.type
class InsightDimension:
    key: str = strawberry.field(description="As filters and breakdowns name it: $browser.")
    label: str
    type: PropertyType
    personal: bool = strawberry.field(
        description="Names single customers or sessions: needs the analyst role."
    )


def dimensions() -> list[InsightDimension]:
    return [
        InsightDimension(
            key=item.key,
            label=item.label,
            type=PropertyType(item.kind.value),
            personal=item.key in model.PERSONAL,
        )
        for item in model.DIMENSIONS.values()
    ]


@needs(Permission.READ)
@strawberry.type
class TrendPoint:
    start: datetime = strawberry.field(description="Start of the bucket (UTC instant).")
    value: float | None = strawberry.field(
        description="Null where the math has no value (an AVERAGE of no events)."
    )


@needs(Permission.READ)
@strawberry.type
class TrendLine:
    label: str
    series_index: int = strawberry.field(description="Which of the input's series.")
    breakdown_value: str | None = strawberry.field(
        description="The value of the breakdown; null for events without it, and for Other."
    )
    is_other: bool = strawberry.field(description="The values beyond breakdownLimit, together.")
    total: float | None = strawberry.field(
        description="Over the whole range (unique customers are counted once, not summed)."
    )
    points: list[TrendPoint]

    @classmethod
    def of(cls, line: Line, starts: list[datetime]) -> TrendLine:
        return cls(
            label=line.label,
            series_index=line.series,
            breakdown_value=line.breakdown_value,
            is_other=line.other,
            total=line.total,
            points=[TrendPoint(start=s, value=v) for s, v in zip(starts, line.values, strict=True)],
        )


@needs(Permission.READ)
@strawberry.type
class Trends:
    series: list[TrendLine]
    interval: model.Interval
    time_zone: str
    rows: int = strawberry.field(description="Events that matched, over every series.")
    engine_ms: float = strawberry.field(description="Time spent in the analytical engine.")

    @classmethod
    def of(cls, outcome: Outcome, query: model.Trends, **_: Any) -> Trends:
        return cls(
            series=[TrendLine.of(line, outcome.buckets) for line in outcome.lines],
            interval=query.interval,
            time_zone=query.time_zone,
            rows=outcome.rows,
            engine_ms=round(outcome.engine_seconds * 1000, 1),
        )
