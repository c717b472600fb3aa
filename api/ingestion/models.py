"""What clients send: one event or one identify call, validated against the
configured limits before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from api.core.errors import InputError
from api.core.strings import text_problem
from api.core.timerange import as_utc
from api.customers.documents import CountryCode, LanguageTag
from api.events.documents import EventType, check_incoming_metadata
from api.settings import Settings


def _storable(value: Any) -> Any:
    # Before pydantic's own str check, which refuses a lone surrogate with a
    # message of its own, so that both problems read alike.
    if isinstance(value, str) and (problem := text_problem(value)):
        raise ValueError(problem)
    return value


Text = Annotated[str, BeforeValidator(_storable)]


class IncomingEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    event_id: Text = Field(alias="eventId", min_length=1, max_length=100)
    distinct_id: Text = Field(alias="distinctId", min_length=1, max_length=200)
    session_id: Text | None = Field(alias="sessionId", default=None, min_length=1, max_length=200)
    type: EventType
    page: Text = Field(min_length=1, max_length=2048)
    timestamp: datetime
    metadata: dict[str, Any] = Field(default_factory=dict)
    device: Text = Field(default="web", min_length=1, max_length=40)

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


def parse_identity(raw: Any) -> Identity:
    if not isinstance(raw, dict):
        raise InputError("identify", "must be a JSON object")
    try:
        return Identity.model_validate(raw)
    except ValidationError as error:
        raise InputError("identify", validation_reason(error)) from None


def utc_now() -> datetime:
    return datetime.now(UTC)
