"""Root Query fields of analytics."""

from __future__ import annotations

from functools import partial

import strawberry
from beanie import PydanticObjectId

from api.analytics.service import report
from api.auth.roles import Permission
from api.core.ids import parse_global_id
from api.insights.customer import customer_events
from api.insights.store import store_for
from schema.analytics.types import Analytics, AnalyticsRangeInput, Granularity
from schema.authz import Needs
from schema.context import Info


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(
        description=(
            "Figures of a time range [from, to): everyone's, or one customer's with the "
            "average customer beside them. Buckets of timeSeries follow timeZone."
        ),
        extensions=[Needs(Permission.READ)],
    )
    async def analytics(
        self,
        info: Info,
        range: AnalyticsRangeInput,
        customer_id: strawberry.ID | None = None,
        time_zone: str = "UTC",
        granularity: Granularity = Granularity.DAY,
    ) -> Analytics:
        customer = None
        if customer_id is not None:
            customer = parse_global_id("customerId", customer_id, "Customer")[1]
        store = store_for(info.context.settings)
        found = await report(
            range.from_,
            range.to,
            info.context.settings.analytics_max_span_days,
            customer_id=PydanticObjectId(customer) if customer else None,
            time_zone=time_zone,
            granularity=granularity.domain(),
            # A customer's own events come from the analytical store.
            customer_events=partial(customer_events, store),
        )
        return Analytics.from_report(found, time_zone)
