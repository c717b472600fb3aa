"""What a MongoDB span says about its command: the shape, never the values.

``{"customerId": ObjectId(...), "timestamp": {"$gte": ...}}`` is recorded as
``{"customerId":"?","timestamp":{"$gte":"?"}}``: enough for an SRE to see which
query ran and which index it needs, with no personal data in the span.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from opentelemetry.trace import Span
from pymongo.monitoring import CommandStartedEvent

# Where each command keeps its filter or pipeline.
_FILTER_KEYS = {
    "find": "filter",
    "count": "query",
    "distinct": "query",
    "aggregate": "pipeline",
    "findAndModify": "query",
}
MAX_SHAPE = 1000


def shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        # Lists of operators ($and, $or, pipelines) keep their structure;
        # lists of values ($in) become one placeholder.
        if value and all(isinstance(item, dict) for item in value):
            return [shape(item) for item in value]
        return "?"
    return "?"


def command_shape(command_name: str, command: Mapping[str, Any]) -> str | None:
    key = _FILTER_KEYS.get(command_name)
    if key is not None and key in command:
        target: Any = command[key]
    elif command_name in ("update", "delete"):
        statements = command.get("updates") or command.get("deletes") or []
        target = [statement.get("q", {}) for statement in statements[:1]]
    else:
        return None
    text = json.dumps(shape(target), separators=(",", ":"), sort_keys=True)
    return text[:MAX_SHAPE]


def query_shape_hook(span: Span, event: CommandStartedEvent) -> None:
    if not span.is_recording():
        return
    described = command_shape(event.command_name, event.command)
    if described is not None:
        span.set_attribute("db.query.shape", described)
    sort = event.command.get("sort")
    if isinstance(sort, dict) and sort:
        # int(): drivers may pass enum members such as SortDirection.DESCENDING.
        order = ",".join(f"{key}:{int(value)}" for key, value in sort.items())
        span.set_attribute("db.query.sort", order)
