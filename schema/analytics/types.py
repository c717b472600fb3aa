"""GraphQL types of analytics: figures of a time range, global or per customer."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from api.analytics.figures import FUNNEL, Figures
from api.analytics.service import Granularity as Grain
from api.analytics.service import Report
from api.auth.roles import Permission
from api.core.errors import InputError
from schema.authz import needs
from schema.events import EventType


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _seconds(milliseconds: float, count: float) -> float | None:
    """A mean of sums kept in milliseconds, in seconds."""
    return milliseconds / 1000 / count if count else None


@strawberry.input(description="A half-open time range [from, to); ISO 8601 with an offset.")
class AnalyticsRangeInput:
    from_: datetime = strawberry.field(name="from")
    to: datetime


@strawberry.enum
class Granularity(Enum):
    HOUR = "hour"
    DAY = "day"

    def domain(self) -> Grain:
        return Grain(self.value)


@needs(Permission.READ)
@strawberry.type
class EventTypeStats:
    type: EventType
    count: int
    average_time_spent_seconds: float | None = strawberry.field(
        description="Mean metadata.timeSpent of the events that carry one."
    )


@needs(Permission.READ)
@strawberry.type
class PageStats:
    page: str
    views: int = strawberry.field(description="page_view events of this page.")
    average_time_spent_seconds: float | None


@needs(Permission.READ)
@strawberry.type
class FunnelStep:
    step: EventType
    sessions: int = strawberry.field(description="Sessions that reached this step and all before.")
    share: float | None = strawberry.field(description="Of all sessions in the range.")


@needs(Permission.READ)
@strawberry.type
class Breakdown:
    key: str | None = strawberry.field(description="Null when unknown.")
    sessions: int
    share: float | None


@needs(Permission.READ)
@strawberry.type
class TimeSeriesPoint:
    start: datetime = strawberry.field(
        description="Start of the bucket, in the time zone asked for."
    )
    sessions: int
    events: int
    page_views: int
    checkouts: int
    active_customers: int
    conversion_rate: float | None


@needs(Permission.READ)
@strawberry.type
class TypeComparison:
    type: EventType
    customer: int
    average_customer: float | None = strawberry.field(
        description="Events of this type per active customer, over everyone."
    )


@needs(Permission.READ)
@strawberry.type
class PageComparison:
    page: str
    customer_views: int
    customer_average_time_spent_seconds: float | None
    average_customer_views: float | None
    overall_average_time_spent_seconds: float | None


@needs(Permission.READ)
@strawberry.type
class CustomerComparison:
    active_customers: int = strawberry.field(description="Everyone active in the range.")
    event_types: list[TypeComparison]
    pages: list[PageComparison] = strawberry.field(
        description="The customer's pages, most viewed first."
    )


def _types(figures: Figures) -> list[EventTypeStats]:
    rows = []
    for kind in EventType:  # all five, always
        count, spent, timed = figures.types.get(kind.value, [0, 0, 0])
        rows.append(
            EventTypeStats(
                type=kind, count=count, average_time_spent_seconds=_seconds(spent, timed)
            )
        )
    return rows


def _pages(figures: Figures) -> list[tuple[str, list[int]]]:
    return sorted(figures.pages.items(), key=lambda item: (-item[1][0], item[0]))


def _breakdown(counts: dict[str, int], total: int) -> list[Breakdown]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        Breakdown(key=key or None, sessions=value, share=_ratio(value, total))
        for key, value in ordered
    ]


def _point(start: datetime, figures: Figures) -> TimeSeriesPoint:
    return TimeSeriesPoint(
        start=start,
        sessions=figures.sessions,
        events=figures.events,
        page_views=int(figures.types.get(EventType.PAGE_VIEW.value, [0])[0]),
        checkouts=int(figures.types.get(EventType.CHECKOUT.value, [0])[0]),
        active_customers=len(figures.customers),
        conversion_rate=_ratio(figures.converted, figures.sessions),
    )


def _comparison(mine: Figures, overall: Figures) -> CustomerComparison:
    people = len(overall.customers)
    types = [
        TypeComparison(
            type=kind,
            customer=int(mine.types.get(kind.value, [0])[0]),
            average_customer=_ratio(overall.types.get(kind.value, [0])[0], people),
        )
        for kind in EventType
    ]
    pages = []
    for page, (views, spent, timed) in _pages(mine):
        everyone = overall.pages.get(page, [0, 0, 0])
        pages.append(
            PageComparison(
                page=page,
                customer_views=int(views),
                customer_average_time_spent_seconds=_seconds(spent, timed),
                average_customer_views=_ratio(everyone[0], people),
                overall_average_time_spent_seconds=_seconds(everyone[1], everyone[2]),
            )
        )
    return CustomerComparison(active_customers=people, event_types=types, pages=pages)


@needs(Permission.READ)
@strawberry.type(description="Figures of a time range: everyone, or one customer.")
class Analytics:
    start: datetime = strawberry.field(name="from")
    end: datetime = strawberry.field(name="to")
    time_zone: str
    active_customers: int = strawberry.field(
        description="Distinct customers with a session starting in the range (exact)."
    )
    sessions: int = strawberry.field(description="Sessions starting in the range.")
    events: int
    average_session_duration_seconds: float | None = strawberry.field(
        description="Mean of last event minus first event, over sessions with an end."
    )
    conversion_rate: float | None = strawberry.field(
        description="Share of the sessions that include a checkout."
    )
    event_types: list[EventTypeStats] = strawberry.field(description="All five types, always.")
    funnel: list[FunnelStep] = strawberry.field(description="page_view → add_to_cart → checkout.")
    countries: list[Breakdown] = strawberry.field(description="Sessions by the customer's country.")
    devices: list[Breakdown] = strawberry.field(description="Sessions by device.")
    time_series: list[TimeSeriesPoint] = strawberry.field(description="Every bucket of the range.")
    comparison: CustomerComparison | None = strawberry.field(
        description="For one customer: beside the average customer. Null for global analytics."
    )
    notes: list[str] = strawberry.field(description="Caveats of these figures, if any.")
    _totals: strawberry.Private[Figures]

    @strawberry.field(description="Page views per page, most viewed first (ties by path).")
    def pages(self, first: int = 20) -> list[PageStats]:
        if not 0 <= first <= 1000:
            raise InputError("first", "must be between 0 and 1000")
        return [
            PageStats(page=page, views=views, average_time_spent_seconds=_seconds(spent, timed))
            for page, (views, spent, timed) in _pages(self._totals)[:first]
        ]

    @classmethod
    def from_report(cls, report: Report, time_zone: str) -> Analytics:
        totals = report.totals
        return cls(
            start=report.range.start,
            end=report.range.end,
            time_zone=time_zone,
            active_customers=len(totals.customers),
            sessions=totals.sessions,
            events=totals.events,
            average_session_duration_seconds=_seconds(totals.duration_sum, totals.duration_count),
            conversion_rate=_ratio(totals.converted, totals.sessions),
            event_types=_types(totals),
            funnel=[
                FunnelStep(
                    step=EventType(step), sessions=count, share=_ratio(count, totals.sessions)
                )
                for step, count in zip(FUNNEL, totals.funnel, strict=True)
            ],
            countries=_breakdown(totals.countries, totals.sessions),
            devices=_breakdown(totals.devices, totals.sessions),
            time_series=[_point(start, figures) for start, figures in report.series],
            comparison=_comparison(totals, report.overall) if report.overall else None,
            notes=report.notes,
            _totals=totals,
        )
