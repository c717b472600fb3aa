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


@strawberry.input(description="What a client saw when an event happened; all optional.")
class TrackContextInput:
    referrer: str | None = strawberry.field(default=None, description="document.referrer.")
    url: str | None = strawberry.field(
        default=None, description="The page's full URL; its utm_* parameters are stored."
    )
    screen_width: int | None = None
    screen_height: int | None = None
    language: str | None = strawberry.field(
        default=None, description="navigator.language, a BCP 47 tag."
    )
    user_agent: str | None = strawberry.field(
        default=None,
        description="The browser's user agent, for a server sending on its behalf; "
        "else the request's User-Agent header is read.",
    )

    def raw(self) -> dict[str, object]:
        values = {
            "referrer": self.referrer,
            "url": self.url,
            "screenWidth": self.screen_width,
            "screenHeight": self.screen_height,
            "language": self.language,
            "userAgent": self.user_agent,
        }
        return {key: value for key, value in values.items() if value is not None}


@strawberry.input(description="One event as a client records it.")
class TrackEventInput:
    event_id: str = strawberry.field(
        description="A client-made unique id (UUID); resend it on retries."
    )
    distinct_id: str
    session_id: str | None = strawberry.field(
        default=None, description="The client's session id; without it, sessions are inferred."
    )
    page: str
    timestamp: datetime
    name: str | None = strawberry.field(
        default=None,
        description=(
            "What happened: any name of a-z, 0-9, _ . : - (1-100), such as signup or "
            "video.play. Required unless the deprecated type is given."
        ),
    )
    type: EventType | None = strawberry.field(
        default=None,
        deprecation_reason=(
            "Use name: any event name, of which these five are the built-in ones. "
            "Give name or type, not both."
        ),
    )
    metadata: JSON | None = None
    device: str | None = strawberry.field(
        default=None, description="web (default), ios, android..."
    )
    context: TrackContextInput | None = strawberry.field(
        default=None, description="Where the event happened; browser fields come from userAgent."
    )

    def raw(self) -> dict[str, object]:
        values: dict[str, object] = {
            "eventId": self.event_id,
            "distinctId": self.distinct_id,
            "page": self.page,
            "timestamp": self.timestamp,
            "metadata": self.metadata if self.metadata is not None else {},
        }
        if self.name is not None:
            values["name"] = self.name
        if self.type is not None:
            values["type"] = self.type.value
        if self.session_id is not None:
            values["sessionId"] = self.session_id
        if self.device is not None:
            values["device"] = self.device
        if self.context is not None:
            values["context"] = self.context.raw()
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
