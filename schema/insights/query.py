"""Root Query fields of insights, read from the analytical store.

Permissions as for analytics (READ); a query that filters or breaks down by a
field naming single customers or sessions ($customer.email, $session.id)
is raw-event level and needs RAW_EVENTS, the analyst role."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from api.auth.roles import Permission
from api.insights import query as domain
from api.insights import service
from api.insights.store import store_for
from api.settings import Settings
from schema.authz import Needs, refusal
from schema.context import Info
from schema.insights.types import (
    EventNameCount,
    EventNamesInput,
    InsightDimension,
    PropertyName,
    PropertyNamesInput,
    Trends,
    TrendsInput,
    dimensions,
)


def limits(settings: Settings) -> domain.Limits:
    return domain.Limits(
        max_days=settings.insights_max_days,
        max_points=settings.insights_max_points,
        timeout_seconds=settings.insights_timeout_seconds,
    )


def _window(info: Info, given: object | None) -> domain.Window:
    rules = limits(info.context.settings)
    if given is None:
        return domain.Window.of("input.range", *service.default_window(datetime.now(UTC)), rules)
    return domain.Window.of("input.range", given.from_, given.to, rules)  # type: ignore[attr-defined]


@strawberry.type
class InsightsQuery:
    @strawberry.field(
        description=(
            "Each series' value in every bucket of the range, optionally broken down by a "
            "property or dimension into its top values and Other. Bots are left out unless "
            "includeBots. Refused with QUERY_TOO_COMPLEX over the range, series, points or "
            "time limits (extensions.limit names which)."
        ),
        extensions=[Needs(Permission.READ)],
    )
    async def trends(self, info: Info, input: TrendsInput) -> Trends:
        query = input.domain(limits(info.context.settings))
        principal = info.context.principal
        if query.personal and not principal.can(Permission.RAW_EVENTS):
            raise refusal(principal, Permission.RAW_EVENTS, "trends by a customer's own fields")
        outcome = await service.trends(store_for(info.context.settings), query)
        return Trends.of(outcome, query)

    @strawberry.field(
        description="Every event name seen in the range, most frequent first.",
        extensions=[Needs(Permission.READ)],
    )
    async def event_names(
        self, info: Info, input: EventNamesInput | None = None
    ) -> list[EventNameCount]:
        given = input or EventNamesInput()
        found = await service.event_names(
            store_for(info.context.settings), _window(info, given.range), given.include_bots
        )
        return [EventNameCount.of(item) for item in found]

    @strawberry.field(
        description=(
            "The property paths of an event (of every event when event is null) with the "
            "type each holds and how many events hold it, most used first."
        ),
        extensions=[Needs(Permission.READ)],
    )
    async def property_names(
        self, info: Info, input: PropertyNamesInput | None = None
    ) -> list[PropertyName]:
        given = input or PropertyNamesInput()
        if given.event is not None:
            domain.Series.of("input", given.event, domain.Math.COUNT, None, ())
        found = await service.property_names(
            store_for(info.context.settings),
            given.event,
            _window(info, given.range),
            given.include_bots,
        )
        return [PropertyName.of(item) for item in found]

    @strawberry.field(
        description=(
            "The dimensions the product records beside an event's own properties, as "
            "filters and breakdowns name them ($ first)."
        ),
        extensions=[Needs(Permission.READ)],
    )
    def insight_dimensions(self) -> list[InsightDimension]:
        return dimensions()
