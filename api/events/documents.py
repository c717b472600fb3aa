"""An event: one thing a customer did, inside a session."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from beanie import Document, PydanticObjectId
from pydantic import AfterValidator, Field
from pymongo import ASCENDING, IndexModel

METADATA_MAX_BYTES = 8 * 1024
METADATA_MAX_DEPTH = 5


class EventType(StrEnum):
    SEARCH = "search"
    PAGE_VIEW = "page_view"
    ADD_TO_CART = "add_to_cart"
    UPSELL = "upsell"
    CHECKOUT = "checkout"


def _check_keys(value: Any, depth: int, path: str) -> None:
    if depth > METADATA_MAX_DEPTH:
        raise ValueError(f"metadata nests deeper than {METADATA_MAX_DEPTH} levels at {path}")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"metadata key at {path} is not a string")
            # Such keys are operators or paths to MongoDB, never plain data.
            if key.startswith("$") or "." in key or not key:
                raise ValueError(
                    f"metadata key {key!r} at {path} is empty, starts with $ or has a dot"
                )
            _check_keys(item, depth + 1, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_keys(item, depth + 1, f"{path}[{index}]")


def check_metadata(value: dict[str, Any]) -> dict[str, Any]:
    _check_keys(value, 1, "metadata")
    size = len(json.dumps(value, default=str).encode())
    if size > METADATA_MAX_BYTES:
        raise ValueError(f"metadata is {size} bytes, more than {METADATA_MAX_BYTES}")
    return value


Metadata = Annotated[dict[str, Any], AfterValidator(check_metadata)]


class Event(Document):
    session_id: PydanticObjectId = Field(alias="sessionId")
    # Denormalised so analytics per customer never join through sessions.
    customer_id: PydanticObjectId = Field(alias="customerId")
    type: EventType
    page: str = Field(min_length=1, max_length=2048)
    timestamp: datetime
    metadata: Metadata = Field(default_factory=dict)

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
            IndexModel([("timestamp", ASCENDING)], name="timestamp"),
        ]
