"""What clients send: one event or one identify call, validated against the
configured limits before anything is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator

from api.customers.documents import CountryCode, LanguageTag
from api.errors import InputError
from api.events.documents import EventType, check_metadata
from api.settings import Settings
from api.timerange import as_utc


class IncomingEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    event_id: str = Field(alias="eventId", min_length=1, max_length=100)
    distinct_id: str = Field(alias="distinctId", min_length=1, max_length=200)
    session_id: str | None = Field(alias="sessionId", default=None, min_length=1, max_length=200)
    type: EventType
    page: str = Field(min_length=1, max_length=2048)
    timestamp: datetime
    metadata: dict[str, Any] = Field(default_factory=dict)
    device: str = Field(default="web", min_length=1, max_length=40)

    @field_validator("timestamp")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)


class Identity(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    distinct_id: str = Field(alias="distinctId", min_length=1, max_length=200)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    country: CountryCode | None = None
    language: LanguageTag | None = None


def _reason(error: ValidationError) -> str:
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
        return _reason(error)
    if len(event.page) > settings.ingest_max_page_length:
        return f"page: longer than {settings.ingest_max_page_length} characters"
    try:
        check_metadata(
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
        raise InputError("identify", _reason(error)) from None


def utc_now() -> datetime:
    return datetime.now(UTC)
