"""The figures analytics are made of, as sums that add up across hours.

Everything here is a count, a sum or a set, so the figures of a range are the
sum of the figures of its hours, and averages are divided out only at the end
(``sum / count``; FerretDB has no ``$avg`` and needs none). The same functions
compute an hour from raw events, a customer's figures, and the brute-force
reference in the tests' eyes: one definition of every number.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from api.events.documents import BUILT_IN_NAMES, EventType

FUNNEL = (EventType.PAGE_VIEW.value, EventType.ADD_TO_CART.value, EventType.CHECKOUT.value)
# The row of ``types`` that counts the events of all the websites' own names
# together (not a valid event name, so it never meets one): the report shows
# the five built-in types, and an hour's packed figures stay as small however
# many names a site invents. The insights store answers per name.
CUSTOM = "*"
# What the figures read of raw events and sessions (projections).
EVENT_FIELDS = {"type": 1, "page": 1, "metadata.timeSpent": 1, "timestamp": 1, "bot": 1}
SESSION_FIELDS = {
    "startTime": 1, "endTime": 1, "eventTypes": 1, "country": 1, "device": 1, "customerId": 1,
    "bot": 1,
}  # fmt: skip
# Documents per batch when reading raw events and sessions: figures are summed
# as they arrive, so a request holds one batch, not the hour or the range (the
# current hour of a busy site has tens of thousands of events by its end).
READ_BATCH = 500
Raw = Mapping[str, Any]


def _time_spent_ms(event: Raw) -> int | None:
    # Whole milliseconds: integer sums are exact, so figures do not depend on
    # the order in which hours and events are added up.
    spent = (event.get("metadata") or {}).get("timeSpent")
    if isinstance(spent, bool) or not isinstance(spent, int | float) or not 0 <= spent < 1e9:
        return None
    return round(spent * 1000)


def _bump(table: dict[str, list[int]], key: str, spent: int | None) -> None:
    row = table.setdefault(key, [0, 0, 0])
    row[0] += 1
    if spent is not None:
        row[1] += spent
        row[2] += 1


@dataclass
class Figures:
    events: int = 0
    # type or page -> [count, timeSpent sum in ms, timeSpent count]
    types: dict[str, list[int]] = field(default_factory=dict)
    pages: dict[str, list[int]] = field(default_factory=dict)
    # Of the sessions that started here (durations in ms):
    sessions: int = 0
    duration_sum: int = 0
    duration_count: int = 0
    funnel: list[int] = field(default_factory=lambda: [0] * len(FUNNEL))
    converted: int = 0
    countries: dict[str, int] = field(default_factory=dict)
    devices: dict[str, int] = field(default_factory=dict)
    customers: set[str] = field(default_factory=set)

    def add_event(self, event: Raw) -> None:
        # Bots' events are stored and listed, never counted.
        if event.get("bot"):
            return
        name = event["type"]
        spent = _time_spent_ms(event)
        self.events += 1
        _bump(self.types, name if name in BUILT_IN_NAMES else CUSTOM, spent)
        if name == EventType.PAGE_VIEW.value:
            _bump(self.pages, event["page"], spent)

    def add_session(self, session: Raw) -> None:
        if session.get("bot"):
            return
        self.sessions += 1
        end = session.get("endTime")
        if end is not None:
            self.duration_sum += (end - session["startTime"]) // timedelta(milliseconds=1)
            self.duration_count += 1
        types = set(session.get("eventTypes") or ())
        for index, step in enumerate(FUNNEL):
            if step not in types:
                break
            self.funnel[index] += 1
        if EventType.CHECKOUT.value in types:
            self.converted += 1
        country = session.get("country") or ""
        self.countries[country] = self.countries.get(country, 0) + 1
        device = session.get("device") or ""
        self.devices[device] = self.devices.get(device, 0) + 1
        self.customers.add(str(session["customerId"]))

    def merge(self, other: Figures) -> Figures:
        self.events += other.events
        for mine, theirs in ((self.types, other.types), (self.pages, other.pages)):
            for key, row in theirs.items():
                total = mine.setdefault(key, [0, 0, 0])
                for index, value in enumerate(row):
                    total[index] += value
        self.sessions += other.sessions
        self.duration_sum += other.duration_sum
        self.duration_count += other.duration_count
        self.funnel = [a + b for a, b in zip(self.funnel, other.funnel, strict=True)]
        self.converted += other.converted
        for mine_count, theirs_count in (
            (self.countries, other.countries),
            (self.devices, other.devices),
        ):
            for key, value in theirs_count.items():
                mine_count[key] = mine_count.get(key, 0) + value
        self.customers |= other.customers
        return self

    # Plain form: lists of small objects, because page paths are not safe
    # MongoDB field names and FerretDB stores no arrays inside arrays.

    def to_doc(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "types": _rows(self.types),
            "pages": _rows(self.pages),
            "sessions": self.sessions,
            "durationSum": self.duration_sum,
            "durationCount": self.duration_count,
            "funnel": self.funnel,
            "converted": self.converted,
            "countries": [{"k": key, "n": value} for key, value in sorted(self.countries.items())],
            "devices": [{"k": key, "n": value} for key, value in sorted(self.devices.items())],
            "customers": sorted(self.customers),
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Figures:
        if not doc:
            return cls()
        return cls(
            events=doc["events"],
            types=_table(doc["types"]),
            pages=_table(doc["pages"]),
            sessions=doc["sessions"],
            duration_sum=doc["durationSum"],
            duration_count=doc["durationCount"],
            funnel=list(doc["funnel"]),
            converted=doc["converted"],
            countries={row["k"]: row["n"] for row in doc["countries"]},
            devices={row["k"]: row["n"] for row in doc["devices"]},
            customers=set(doc["customers"]),
        )


def pack(figures: Figures) -> bytes:
    """The stored form of an hour: compressed JSON. FerretDB decodes a document
    field by field, which made a month of hours take seconds to read; one
    opaque value per hour reads in a fraction of that, and so on MongoDB."""
    return zlib.compress(json.dumps(figures.to_doc(), separators=(",", ":")).encode())


def unpack(blob: bytes | None) -> Figures:
    return Figures.from_doc(json.loads(zlib.decompress(blob))) if blob else Figures()


def _rows(table: dict[str, list[int]]) -> list[dict[str, Any]]:
    return [
        {"k": key, "n": count, "sum": spent, "timed": timed}
        for key, (count, spent, timed) in sorted(table.items())
    ]


def _table(rows: list[dict[str, Any]]) -> dict[str, list[int]]:
    return {row["k"]: [row["n"], row["sum"], row["timed"]] for row in rows}
