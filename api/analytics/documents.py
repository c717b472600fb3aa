"""Pre-aggregated analytics: one document per UTC hour.

``_id`` is the hour (``2026-11-29T06``), so reading a range is reading its
hours. Ingestion bumps ``seq`` of every hour it touches *before* writing
events; whoever recomputes an hour stores ``cleanSeq`` = the ``seq`` it read
first. ``seq != cleanSeq`` means "recompute from the raw events before use",
which makes a crash between ingestion steps harmless.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import Document
from pydantic import Field


class AnalyticsHour(Document):
    id: str  # type: ignore[assignment]  # the hour key is the id
    start: datetime
    seq: int = 0
    clean_seq: int = Field(alias="cleanSeq", default=-1)
    # api.analytics.figures.pack(); absent until first computed.
    figures: bytes | None = None

    class Settings:
        name = "analytics_hours"
        indexes: list[Any] = []


class AnalyticsDay(Document):
    """The same figures for a whole UTC day, kept the same way (``seq`` bumped
    with its hours'), so that long ranges read a document a day, not 24."""

    id: str  # type: ignore[assignment]  # the day, 2026-11-29
    start: datetime
    seq: int = 0
    clean_seq: int = Field(alias="cleanSeq", default=-1)
    figures: bytes | None = None

    class Settings:
        name = "analytics_days"
        indexes: list[Any] = []


class AnalyticsSlices(Document):
    """The five-minute slices of one hour's events (api/analytics/slices.py):
    fields ``m00`` … ``m55``, each ``{seq, clean, figures}``, made by the
    first mark of a slice."""

    id: str  # type: ignore[assignment]  # the hour key

    class Settings:
        name = "analytics_slices"
        indexes: list[Any] = []
