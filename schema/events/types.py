"""GraphQL types of the events domain."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from beanie import PydanticObjectId
from strawberry import relay
from strawberry.scalars import JSON

from api.auth.roles import Permission
from api.core.errors import InputError
from api.core.ids import parse_global_id
from api.events import documents
from api.events.service import EventFilter
from api.sessions.documents import Session as SessionDocument
from schema.authz import needs
from schema.context import Info
from schema.customers.types import customer_of
from schema.events import EventType
from schema.inputs import TimeRangeInput
from schema.nodes import DocumentNode
from schema.sessions.types import Session


@needs(Permission.READ)
@strawberry.type(description="One thing a customer did, inside a session.")
class Event(DocumentNode, relay.Node):  # type: ignore[misc]  # relay.Node overloads resolve_nodes
    document = documents.Event

    id: relay.NodeID[str]
    database_id: str
    name: str = strawberry.field(
        description="What happened: a built-in name (page_view, search, add_to_cart, upsell, "
        "checkout) or any of the website's own, such as signup or video.play."
    )
    type: EventType | None = strawberry.field(
        deprecation_reason=(
            "Events have any name now: use name. This answers only for the five built-in "
            "names and is null for the others."
        )
    )
    page: str = strawberry.field(description="The page path, such as /product/12.")
    timestamp: datetime
    metadata: JSON = strawberry.field(
        description="The event's properties, free JSON: timeSpent (seconds) on page views, "
        "query on searches, ..."
    )
    bot: bool = strawberry.field(
        description="Sent by a known bot or crawler (by its user agent); left out of analytics."
    )
    context: EventContext | None = strawberry.field(
        description="Browser, device, referrer and campaign; null when nothing is known."
    )
    _session_id: strawberry.Private[PydanticObjectId]
    _customer_id: strawberry.Private[PydanticObjectId]

    @classmethod
    def from_document(cls, doc: documents.Event) -> Event:
        ident = str(doc.id)
        return cls(
            id=ident,
            database_id=ident,
            name=doc.type,
            type=documents.built_in(doc.type),
            page=doc.page,
            timestamp=doc.timestamp,
            metadata=cast(JSON, doc.metadata),
            bot=doc.bot,
            context=EventContext.from_document(doc.context) if doc.context else None,
            _session_id=doc.session_id,
            _customer_id=doc.customer_id,
        )

    @strawberry.field
    async def session(self, info: Info) -> Session | None:
        doc = await info.context.loaders.of(SessionDocument).load(self._session_id)
        return Session.from_document(doc) if doc else None

    customer = strawberry.field(resolver=customer_of)


@needs(Permission.READ)
@strawberry.type(description="Where an event happened; each field null when unknown.")
class EventContext:
    referrer: str | None = strawberry.field(
        description="The referring URL, as the browser sent it."
    )
    referrer_domain: str | None = strawberry.field(
        description="The referrer's host in lower case, without www. (the site's own host too)."
    )
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_term: str | None
    utm_content: str | None
    browser: str | None = strawberry.field(description="From the user agent, e.g. Chrome.")
    browser_version: str | None
    os: str | None = strawberry.field(description="From the user agent, e.g. Android.")
    os_version: str | None
    device_type: str | None = strawberry.field(description="desktop, mobile, tablet, bot or other.")
    screen_width: int | None
    screen_height: int | None
    language: str | None = strawberry.field(description="The browser's language (BCP 47).")

    @classmethod
    def from_document(cls, doc: documents.EventContext) -> EventContext:
        return cls(
            referrer=doc.referrer,
            referrer_domain=doc.referrer_domain,
            utm_source=doc.utm_source,
            utm_medium=doc.utm_medium,
            utm_campaign=doc.utm_campaign,
            utm_term=doc.utm_term,
            utm_content=doc.utm_content,
            browser=doc.browser,
            browser_version=doc.browser_version,
            os=doc.os,
            os_version=doc.os_version,
            device_type=doc.device_type,
            screen_width=doc.screen_width,
            screen_height=doc.screen_height,
            language=doc.language,
        )


def event_names(
    where: str, names: list[str] | None, types: list[EventType] | None
) -> tuple[str, ...]:
    """The names asked for, given as names or as the deprecated types."""
    if names is not None and types is not None:
        raise InputError(where, "give names or the deprecated types, not both")
    return tuple(names or ()) or tuple(kind.value for kind in types or ())


@strawberry.input(description="Which events: every given condition must hold.")
class EventFilterInput:
    names: list[str] | None = strawberry.field(
        default=None, description="Events with any of these names (signup, video.play, ...)."
    )
    types: list[EventType] | None = strawberry.field(
        default=None,
        deprecation_reason="Use names, which takes any event name; give one of the two.",
    )
    pages: list[str] | None = strawberry.field(default=None, description="Exact page paths.")
    customer_id: strawberry.ID | None = None
    time: TimeRangeInput | None = None

    def to_filter(self) -> EventFilter:
        customer = None
        if self.customer_id is not None:
            customer = parse_global_id("filter.customerId", self.customer_id, "Customer")[1]
        return EventFilter(
            names=event_names("filter", self.names, self.types),
            pages=tuple(self.pages or ()),
            customer_id=customer,
            time=self.time.to_range("filter.time") if self.time else None,
        )
