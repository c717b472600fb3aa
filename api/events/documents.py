"""An event: one thing a customer did, inside a session."""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from beanie import Document, PydanticObjectId
from bson import ObjectId
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pymongo import ASCENDING, IndexModel

from api.core.hourkeys import hour_key
from api.core.strings import text_problem

# Absolute caps; ingestion applies its configured (lower or equal) limits first.
METADATA_MAX_BYTES = 64 * 1024
METADATA_MAX_DEPTH = 10


class EventType(StrEnum):
    """The five built-in names, which the analytics report reads with a meaning
    (page_view's timeSpent, checkout as conversion, the funnel)."""

    SEARCH = "search"
    PAGE_VIEW = "page_view"
    ADD_TO_CART = "add_to_cart"
    UPSELL = "upsell"
    CHECKOUT = "checkout"


# Any name an analyst's tool would use (signup, video.play, checkout:step-2),
# stored in the field ``type`` for the existing data and indexes.
EVENT_NAME = re.compile(r"^[a-z0-9_.:-]{1,100}$")
BUILT_IN_NAMES = frozenset(kind.value for kind in EventType)


def check_event_name(value: object) -> str:
    """The name, or ValueError with a one-line reason."""
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if not value:
        raise ValueError("must not be empty")
    if len(value) > 100:
        raise ValueError(f"is {len(value)} characters, at most 100")
    # fullmatch: ``$`` would let a trailing newline through.
    if not EVENT_NAME.fullmatch(value):
        raise ValueError(f"{value[:40]!r} has characters other than a-z, 0-9, _ . : - (lower case)")
    return value


def built_in(name: str) -> EventType | None:
    """The built-in type of a name; None for a custom name."""
    return EventType(name) if name in BUILT_IN_NAMES else None


DEVICE_TYPES = ("desktop", "mobile", "tablet", "bot", "other")
DeviceType = Literal["desktop", "mobile", "tablet", "bot", "other"]


class EventContext(BaseModel):
    """Where an event came from: what the browser said of itself (user agent,
    screen, language) and of the page (referrer, UTM parameters). Keys are
    absent when unknown."""

    model_config = ConfigDict(populate_by_name=True)

    referrer: str | None = Field(default=None, max_length=2048)
    referrer_domain: str | None = Field(alias="referrerDomain", default=None, max_length=253)
    utm_source: str | None = Field(alias="utmSource", default=None, max_length=200)
    utm_medium: str | None = Field(alias="utmMedium", default=None, max_length=200)
    utm_campaign: str | None = Field(alias="utmCampaign", default=None, max_length=200)
    utm_term: str | None = Field(alias="utmTerm", default=None, max_length=200)
    utm_content: str | None = Field(alias="utmContent", default=None, max_length=200)
    browser: str | None = Field(default=None, max_length=200)
    browser_version: str | None = Field(alias="browserVersion", default=None, max_length=200)
    os: str | None = Field(default=None, max_length=200)
    os_version: str | None = Field(alias="osVersion", default=None, max_length=200)
    device_type: DeviceType | None = Field(alias="deviceType", default=None)
    screen_width: int | None = Field(alias="screenWidth", default=None)
    screen_height: int | None = Field(alias="screenHeight", default=None)
    language: str | None = Field(default=None, max_length=35)

    @model_serializer(mode="wrap")
    def _without_unknowns(self, dump: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Keys absent when unknown, in every dump (Beanie's too), as stored.
        return {key: value for key, value in dump(self).items() if value is not None}

    def stored(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class _MetadataCheck:
    max_depth: int
    # Also refuse what BSON or FerretDB cannot store: for what comes in, not
    # for what is read back (MongoDB may hold such values from before).
    storable: bool

    def check(self, value: Any, depth: int, path: str, in_list: bool = False) -> None:
        if depth > self.max_depth:
            raise ValueError(f"metadata nests deeper than {self.max_depth} levels at {path}")
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise ValueError(f"metadata key at {path} is not a string")
                # Such keys are operators or paths to MongoDB, never plain data.
                if key.startswith("$") or "." in key or not key:
                    raise ValueError(
                        f"metadata key {key!r} at {path} is empty, starts with $ or has a dot"
                    )
                if self.storable and (problem := text_problem(key)):
                    raise ValueError(f"{path}: a key {problem}")
                self.check(item, depth + 1, f"{path}.{key}")
        elif isinstance(value, list):
            # FerretDB refuses them; refused on every server, so that all
            # accept the same events.
            if self.storable and in_list:
                raise ValueError(f"{path}: lists directly inside lists are not supported")
            for index, item in enumerate(value):
                self.check(item, depth + 1, f"{path}[{index}]", in_list=True)
        elif not self.storable or isinstance(value, bool):
            return
        elif isinstance(value, str):
            if problem := text_problem(value):
                raise ValueError(f"{path}: {problem}")
        elif isinstance(value, int):
            if not INT64_MIN <= value <= INT64_MAX:
                raise ValueError(f"{path}: integer out of range (64 bits)")
        elif isinstance(value, float) and not math.isfinite(value):
            # Not JSON (a GraphQL variable may hold one), and FerretDB refuses them.
            raise ValueError(f"{path}: not a finite number")


def _check(value: dict[str, Any], max_bytes: int, walk: _MetadataCheck) -> dict[str, Any]:
    walk.check(value, 1, "metadata")
    size = len(json.dumps(value, default=str).encode())
    if size > max_bytes:
        raise ValueError(f"metadata is {size} bytes, more than {max_bytes}")
    return value


def check_metadata(
    value: dict[str, Any],
    max_bytes: int = METADATA_MAX_BYTES,
    max_depth: int = METADATA_MAX_DEPTH,
) -> dict[str, Any]:
    """The shape every stored event's metadata has."""
    return _check(value, max_bytes, _MetadataCheck(max_depth, storable=False))


def check_incoming_metadata(value: dict[str, Any], max_bytes: int, max_depth: int) -> None:
    """``check_metadata``, and every value one that all our servers can store."""
    _check(value, max_bytes, _MetadataCheck(max_depth, storable=True))


Metadata = Annotated[dict[str, Any], AfterValidator(check_metadata)]


def event_object_id(event_id: str) -> ObjectId:
    """The stored id of a client's event id: the same id every time it is sent,
    so a second insert of the same event is a duplicate key, on any server."""
    return ObjectId(hashlib.sha256(event_id.encode()).digest()[:12])


class Event(Document):
    session_id: PydanticObjectId = Field(alias="sessionId")
    # Denormalised so analytics per customer never join through sessions.
    customer_id: PydanticObjectId = Field(alias="customerId")
    # The event's name (any, see EVENT_NAME); called type for the stored data.
    type: Annotated[str, AfterValidator(check_event_name)]
    page: str = Field(min_length=1, max_length=2048)
    timestamp: datetime
    metadata: Metadata = Field(default_factory=dict)
    # The client's id of the event, when it came through ingestion.
    event_id: str | None = Field(alias="eventId", default=None, max_length=100)
    # Derived: the UTC hour, so that an hour's events are an equality match.
    hour: str = ""
    # Sent by a known bot or crawler (missing on events from before = False):
    # stored and listed, left out of the analytics figures.
    bot: bool = False
    context: EventContext | None = None

    @model_validator(mode="after")
    def _derive(self) -> Event:
        self.hour = hour_key(self.timestamp)
        return self

    class Settings:
        name = "events"
        validate_on_save = True
        indexes = [
            IndexModel(
                [("sessionId", ASCENDING), ("timestamp", ASCENDING), ("_id", ASCENDING)],
                name="sessionId_timestamp_id",
            ),
            IndexModel(
                [("customerId", ASCENDING), ("timestamp", ASCENDING)], name="customerId_timestamp"
            ),
            # Time ranges, and analysts' event queries in time order (keyset pages).
            IndexModel([("timestamp", ASCENDING), ("_id", ASCENDING)], name="timestamp_id"),
            IndexModel([("hour", ASCENDING), ("timestamp", ASCENDING)], name="hour_timestamp"),
        ]
