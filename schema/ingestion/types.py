"""GraphQL mutations of ingestion: identifyCustomer and trackEvents."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from api.events.documents import EventType
from api.ingestion.models import parse_identity
from api.ingestion.service import identify, track
from schema.context import Info
from schema.customers.types import Customer
from schema.events.types import EventTypeEnum

assert EventTypeEnum is EventType  # strawberry.enum registers the domain enum in place


@strawberry.input(description="Who a customer is; only distinctId is required.")
class IdentifyCustomerInput:
    distinct_id: str
    name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    country: str | None = strawberry.UNSET
    language: str | None = strawberry.UNSET

    def raw(self) -> dict[str, object]:
        values = {
            "distinctId": self.distinct_id,
            "name": self.name,
            "email": self.email,
            "country": self.country,
            "language": self.language,
        }
        return {key: value for key, value in values.items() if value is not strawberry.UNSET}


@strawberry.input(description="One event as a client records it.")
class TrackEventInput:
    event_id: str = strawberry.field(
        description="A client-made unique id (UUID); resend it on retries."
    )
    distinct_id: str
    session_id: str | None = strawberry.field(
        default=None, description="The client's session id; without it, sessions are inferred."
    )
    type: EventType
    page: str
    timestamp: datetime
    metadata: JSON | None = None
    device: str | None = strawberry.field(
        default=None, description="web (default), ios, android..."
    )

    def raw(self) -> dict[str, object]:
        values: dict[str, object] = {
            "eventId": self.event_id,
            "distinctId": self.distinct_id,
            "type": self.type.value,
            "page": self.page,
            "timestamp": self.timestamp,
            "metadata": self.metadata if self.metadata is not None else {},
        }
        if self.session_id is not None:
            values["sessionId"] = self.session_id
        if self.device is not None:
            values["device"] = self.device
        return values


@strawberry.enum
class TrackStatus(Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@strawberry.type
class TrackEventResult:
    index: int = strawberry.field(description="Position in the batch.")
    event_id: str | None
    status: TrackStatus
    reason: str | None = strawberry.field(description="Why it was rejected.")


@strawberry.type
class TrackEventsPayload:
    accepted: int
    duplicates: int = strawberry.field(description="Already stored: a retry, counted once.")
    rejected: int
    results: list[TrackEventResult]


@strawberry.type
class IdentifyCustomerPayload:
    customer: Customer


@strawberry.type
class IngestionMutation:
    @strawberry.mutation(
        description="Create or update a customer by distinctId; never a duplicate."
    )
    async def identify_customer(self, input: IdentifyCustomerInput) -> IdentifyCustomerPayload:
        customer = await identify(parse_identity(input.raw()))
        return IdentifyCustomerPayload(customer=Customer.from_document(customer))

    @strawberry.mutation(
        description=(
            "Record up to 500 events. Each is accepted, a duplicate (already stored: "
            "retrying is safe) or rejected with a reason; a bad event never rejects the others."
        )
    )
    async def track_events(self, info: Info, events: list[TrackEventInput]) -> TrackEventsPayload:
        result = await track([event.raw() for event in events], info.context.settings)
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
