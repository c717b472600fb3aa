"""GraphQL types of ingestion: what identifyCustomer and trackEvents take and answer."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from api.auth.roles import Permission
from schema.authz import Needs, needs
from schema.customers.types import Customer
from schema.events import EventType


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


@needs(Permission.INGEST)
@strawberry.type
class TrackEventResult:
    index: int = strawberry.field(description="Position in the batch.")
    event_id: str | None
    status: TrackStatus
    reason: str | None = strawberry.field(description="Why it was rejected.")


@needs(Permission.INGEST)
@strawberry.type
class TrackEventsPayload:
    accepted: int
    duplicates: int = strawberry.field(description="Already stored: a retry, counted once.")
    rejected: int
    results: list[TrackEventResult]


@needs(Permission.INGEST)
@strawberry.type
class IdentifyCustomerPayload:
    # A write key may record an identity, not read the customer back.
    customer: Customer = strawberry.field(extensions=[Needs(Permission.READ)])
