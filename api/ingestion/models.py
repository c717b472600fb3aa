"""What clients send: one event or one identify call, validated against the
configured limits before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import langcodes
from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictInt,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from api.core.errors import InputError
from api.core.strings import text_problem
from api.core.timerange import as_utc
from api.customers.documents import CountryCode, LanguageTag
from api.events.documents import check_event_name, check_incoming_metadata
from api.settings import Settings


def _storable(value: Any) -> Any:
    # Before pydantic's own str check, which refuses a lone surrogate with a
    # message of its own, so that both problems read alike.
    if isinstance(value, str) and (problem := text_problem(value)):
        raise ValueError(problem)
    return value


Text = Annotated[str, BeforeValidator(_storable)]
EventName = Annotated[str, BeforeValidator(check_event_name)]


def _language(value: Any) -> Any:
    if isinstance(value, str) and not langcodes.tag_is_valid(value):
        raise ValueError(f"{value[:40]!r} is not a BCP-47 language tag")
    return value


# The limit inside the type, so that an optional field's error names it.
Address = Annotated[str, StringConstraints(max_length=2048), BeforeValidator(_storable)]
AgentText = Annotated[str, StringConstraints(max_length=1000), BeforeValidator(_storable)]


class IncomingContext(BaseModel):
    """What a client knows of an event's circumstances (per event, or once per
    batch in the body's ``context``). ``userAgent`` is for servers sending on a
    browser's behalf, and imports; otherwise the request's header is read."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    # Empty when the browser has none (document.referrer is "").
    referrer: Address | None = None
    url: Address | None = None
    screen_width: StrictInt | None = Field(alias="screenWidth", default=None, ge=0, le=100_000)
    screen_height: StrictInt | None = Field(alias="screenHeight", default=None, ge=0, le=100_000)
    language: (
        Annotated[
            str, StringConstraints(max_length=35), BeforeValidator(_language),
            BeforeValidator(_storable),
        ]
        | None
    ) = None  # fmt: skip
    user_agent: AgentText | None = Field(alias="userAgent", default=None)

    def values(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class IncomingEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    event_id: Text = Field(alias="eventId", min_length=1, max_length=100)
    distinct_id: Text = Field(alias="distinctId", min_length=1, max_length=200)
    session_id: Text | None = Field(alias="sessionId", default=None, min_length=1, max_length=200)
    # ``type`` is its older spelling; parse_event sees that exactly one is sent.
    name: EventName = Field(validation_alias=AliasChoices("name", "type"))
    page: Text = Field(min_length=1, max_length=2048)
    timestamp: datetime
    metadata: dict[str, Any] = Field(default_factory=dict)
    device: Text = Field(default="web", min_length=1, max_length=40)
    context: IncomingContext | None = None

    @field_validator("timestamp")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class Identity(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    distinct_id: Text = Field(alias="distinctId", min_length=1, max_length=200)
    name: Text | None = Field(default=None, min_length=1, max_length=200)
    email: Annotated[EmailStr, BeforeValidator(_storable)] | None = None
    country: Annotated[CountryCode, BeforeValidator(_storable)] | None = None
    language: Annotated[LanguageTag, BeforeValidator(_storable)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _null_name_is_absent(cls, data: Any) -> Any:
        # Every customer has a name (a placeholder until one is given): null
        # cannot clear it, so it leaves the name as it is, like leaving it out.
        if isinstance(data, dict) and "name" in data and data["name"] is None:
            return {key: value for key, value in data.items() if key != "name"}
        return data

    def changes(self) -> dict[str, Any]:
        """The fields sent, by their stored names; null clears email, country, language."""
        return self.model_dump(exclude_unset=True, exclude={"distinct_id"}, by_alias=True)


def validation_reason(error: ValidationError) -> str:
    """One line naming each field that failed, without pydantic's links."""
    parts = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "event"
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def parse_event(raw: Any, settings: Settings, now: datetime) -> IncomingEvent | str:
    """The event, or the reason it is rejected (one line, naming the field)."""
    if not isinstance(raw, dict):
        return "event: must be a JSON object"
    if "name" in raw and "type" in raw:
        return "name: send name or type (its older spelling), not both"
    if "name" not in raw and "type" not in raw:
        return "name: required (type is accepted as its older spelling)"
    try:
        event = IncomingEvent.model_validate(raw)
    except ValidationError as error:
        return validation_reason(error)
    if len(event.page) > settings.ingest_max_page_length:
        return f"page: longer than {settings.ingest_max_page_length} characters"
    try:
        check_incoming_metadata(
            event.metadata, settings.ingest_max_metadata_bytes, settings.ingest_max_metadata_depth
        )
    except ValueError as error:
        return str(error)
    if event.timestamp > now + timedelta(hours=settings.ingest_max_future_hours):
        return f"timestamp: more than {settings.ingest_max_future_hours} h in the future"
    if event.timestamp < now - timedelta(days=settings.retention_days):
        return f"timestamp: older than the retention window of {settings.retention_days} days"
    return event


def parse_context(raw: Any) -> IncomingContext | None:
    """A batch's context, for all its events that send none of their own."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InputError("context", "must be a JSON object")
    try:
        return IncomingContext.model_validate(raw)
    except ValidationError as error:
        raise InputError("context", validation_reason(error)) from None


def parse_identity(raw: Any) -> Identity:
    if not isinstance(raw, dict):
        raise InputError("identify", "must be a JSON object")
    try:
        return Identity.model_validate(raw)
    except ValidationError as error:
        raise InputError("identify", validation_reason(error)) from None


def utc_now() -> datetime:
    return datetime.now(UTC)
