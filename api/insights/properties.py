"""An event's properties as the store keeps them for queries: every leaf by
its dotted path, in four parallel lists (path, type, text, number).

Reading a key out of a list is several times cheaper for the engine than
parsing the event's JSON on every row (measured in docs/analytics.md), and the
JSON stays beside them for exports. Objects are not values, their leaves are;
a list is one value (its JSON text), never indexed into."""

from __future__ import annotations

import json
from typing import Any

STRING, NUMBER, BOOLEAN, NULL, LIST = "string", "number", "boolean", "null", "list"

Flat = tuple[list[str], list[str], list[str | None], list[float | None]]


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def flatten(properties: dict[str, Any]) -> Flat:
    paths: list[str] = []
    kinds: list[str] = []
    texts: list[str | None] = []
    numbers: list[float | None] = []
    stack: list[tuple[str, Any]] = [(key, value) for key, value in reversed(properties.items())]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{path}.{key}", item) for key, item in reversed(value.items()))
            continue
        paths.append(path)
        if isinstance(value, bool):
            kinds.append(BOOLEAN)
            texts.append("true" if value else "false")
            numbers.append(None)
        elif isinstance(value, int | float):
            kinds.append(NUMBER)
            texts.append(_text(value))
            numbers.append(float(value))
        elif isinstance(value, str):
            kinds.append(STRING)
            texts.append(value)
            numbers.append(None)
        elif value is None:
            kinds.append(NULL)
            texts.append(None)
            numbers.append(None)
        elif isinstance(value, list):
            kinds.append(LIST)
            texts.append(_text(value))
            numbers.append(None)
        else:  # what BSON may hand back beside JSON's types (a date): its text
            kinds.append(STRING)
            texts.append(str(value))
            numbers.append(None)
    return paths, kinds, texts, numbers
