"""A session: one visit of a customer, from its first event to its last."""

from __future__ import annotations

from datetime import datetime

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel


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

    @property
    def duration_seconds(self) -> float | None:
        if self.end_time is None:
            return None
        return (self.end_time - self.start_time).total_seconds()

    class Settings:
        name = "sessions"
        validate_on_save = True
        indexes = [
            IndexModel(
                [("customerId", ASCENDING), ("startTime", DESCENDING), ("_id", DESCENDING)],
                name="customerId_startTime_id",
            ),
            IndexModel([("startTime", DESCENDING), ("_id", DESCENDING)], name="startTime_id"),
        ]
