"""A session: one visit of a customer, from its first event to its last."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field, model_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from api.core.hourkeys import hour_key


class Session(Document):
    customer_id: PydanticObjectId = Field(alias="customerId")
    start_time: datetime = Field(alias="startTime")
    # Absent while the session is active.
    end_time: datetime | None = Field(alias="endTime", default=None)
    device: str = Field(default="web", min_length=1, max_length=40)
    # Copied from the customer and the events so that lists and analytics of
    # sessions never need a join.
    country: str | None = None
    event_count: int = Field(alias="eventCount", default=0, ge=0)
    # The types of its events, for funnels: a set kept with $addToSet.
    event_types: list[str] = Field(alias="eventTypes", default_factory=list)
    # The client's own session id, when it sent one.
    client_session_id: str | None = Field(alias="clientSessionId", default=None, max_length=200)
    # Its first event was a bot's (missing on sessions from before = False):
    # analytics leave it out.
    bot: bool = False
    # Derived: the UTC hour it started in, so that an hour's sessions are an equality match.
    start_hour: str = Field(alias="startHour", default="")

    @model_validator(mode="after")
    def _derive(self) -> Session:
        self.start_hour = hour_key(self.start_time)
        return self

    class Settings:
        name = "sessions"
        validate_on_save = True
        indexes = [
            IndexModel(
                [("customerId", ASCENDING), ("startTime", DESCENDING), ("_id", DESCENDING)],
                name="customerId_startTime_id",
            ),
            IndexModel([("startTime", DESCENDING), ("_id", DESCENDING)], name="startTime_id"),
            IndexModel([("startHour", ASCENDING)], name="startHour"),
        ]
