"""A rate limit's window: one counter document a scope, caller and minute."""

from __future__ import annotations

from datetime import datetime

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, IndexModel


class RateCounter(Document):
    id: str  # type: ignore[assignment]  # "<scope>:<who>:<window start>"
    hits: int = 0
    expires_at: datetime = Field(alias="expiresAt")

    class Settings:
        name = "rate_limits"
        indexes = [IndexModel([("expiresAt", ASCENDING)], name="expiresAt")]
