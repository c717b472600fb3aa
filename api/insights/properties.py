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


# Shredding: a day file also holds each of its property paths as three columns
# of their own (kind, text, number), which the engine reads like any other
# column, dictionary-encoded and compressed: over 10^6 events of Parquet,
# grouping by a property read from the lists took 0.6-0.7 s, from its own
# column 0.03 s (docs/analytics.md). Past MAX_SHREDDED paths in a day the
# rest stay in the lists only, and the day is marked so that queries read
# the lists for the whole range.
MAX_SHREDDED = 300
KIND, TEXT, NUMBER_COLUMN = "k", "t", "n"


def column(part: str, path: str) -> str:
    return f"{part}:{path}"


def quoted(name: str) -> str:
    """An SQL identifier; the name is a client's key, so every quote is doubled."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def shredded_columns(paths: list[str]) -> str:
    """The select list that adds each path's three columns to a day's rows."""
    parts = []
    for path in paths:
        find = f"list_position(prop_paths, {literal(path)})"
        parts += [
            f"prop_kinds[{find}] AS {quoted(column(KIND, path))}",
            f"prop_texts[{find}] AS {quoted(column(TEXT, path))}",
            f"prop_numbers[{find}] AS {quoted(column(NUMBER_COLUMN, path))}",
        ]
    return ", ".join(parts)
