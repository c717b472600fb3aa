"""Root mutations of ingestion: identifyCustomer and trackEvents."""

from __future__ import annotations

import strawberry

from api.auth.roles import Permission
from api.ingestion.models import parse_identity
from api.ingestion.service import identify, track
from schema.authz import Needs
from schema.context import Info
from schema.customers.types import Customer
from schema.ingestion.types import (
    IdentifyCustomerInput,
    IdentifyCustomerPayload,
    TrackEventInput,
    TrackEventResult,
    TrackEventsPayload,
    TrackStatus,
)


@strawberry.type
class IngestionMutation:
    @strawberry.mutation(
        description="Create or update a customer by distinctId; never a duplicate.",
        extensions=[Needs(Permission.INGEST)],
    )
    async def identify_customer(self, input: IdentifyCustomerInput) -> IdentifyCustomerPayload:
        customer = await identify(parse_identity(input.raw()))
        return IdentifyCustomerPayload(customer=Customer.from_document(customer))

    @strawberry.mutation(
        description=(
            "Record up to 500 events. Each is accepted, a duplicate (already stored: "
            "retrying is safe) or rejected with a reason; a bad event never rejects the others."
        ),
        extensions=[Needs(Permission.INGEST)],
    )
    async def track_events(self, info: Info, events: list[TrackEventInput]) -> TrackEventsPayload:
        request = info.context.request
        result = await track(
            [event.raw() for event in events],
            info.context.settings,
            user_agent=request.headers.get("user-agent") if request is not None else None,
        )
        return TrackEventsPayload(
            accepted=result.count("accepted"),
            duplicates=result.count("duplicate"),
            rejected=result.count("rejected"),
            results=[
                TrackEventResult(
                    index=item.index,
                    event_id=item.event_id,
                    status=TrackStatus(item.status),
                    reason=item.reason,
                )
                for item in result.results
            ],
        )
