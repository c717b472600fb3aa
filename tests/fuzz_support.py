"""What the fuzz tests share: byte-level snapshots of the test database and
their difference, the checks every error must pass, and the one place where
requests to ``POST /v1/track`` get their credentials: a website's write key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bson
import httpx
from bson.codec_options import CodecOptions
from bson.json_util import dumps
from bson.raw_bson import RawBSONDocument
from pymongo.asynchronous.database import AsyncDatabase

from api.analytics.slices import minute_of
from api.analytics.slices import name as slice_name

if TYPE_CHECKING:
    from tests.conftest import Api

ROOT = Path(__file__).resolve().parents[1]

# The codes a client may ever see (schema/errors.py); INTERNAL_SERVER_ERROR is
# the one that must never come back.
ALLOWED_CODES = frozenset(
    {
        "BAD_USER_INPUT",
        "NOT_FOUND",
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "QUERY_TOO_COMPLEX",
        "RATE_LIMITED",
        "SERVICE_UNAVAILABLE",
    }
)
# A stack trace or a source path in a message leaks the server's insides.
_LEAK = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|site-packages"
    r"|(?:/[\w.-]+)+/[\w.-]+\.py\b" + "|" + re.escape(str(ROOT))
)

# Written by the access layer on every request, whatever was asked: rate-limit
# counters, and a key's "last used" time. Left out of snapshots, since they say
# who called, not what the call changed.
BOOKKEEPING_COLLECTIONS = frozenset({"rate_limits"})
BOOKKEEPING_FIELDS: Mapping[str, frozenset[str]] = {
    "api_keys": frozenset({"lastUsedAt"}),
    "write_keys": frozenset({"lastUsedAt"}),
}

_RAW = CodecOptions(document_class=RawBSONDocument)
_DECODED: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)

# collection -> the _id as canonical Extended JSON -> the document's BSON bytes
Snapshot = dict[str, dict[str, bytes]]


def leaks(message: str) -> bool:
    return bool(_LEAK.search(message))


async def snapshot(db: AsyncDatabase[dict[str, Any]]) -> Snapshot:
    """Every document of every collection, as the bytes the server returns."""
    taken: Snapshot = {}
    for name in sorted(await db.list_collection_names()):
        if name in BOOKKEEPING_COLLECTIONS or name.startswith("system."):
            continue
        ignored = BOOKKEEPING_FIELDS.get(name, frozenset())
        documents: dict[str, bytes] = {}
        async for raw in db.get_collection(name, codec_options=_RAW).find({}):
            assert isinstance(raw, RawBSONDocument)
            data = bytes(raw.raw)
            if ignored:
                decoded = bson.decode(data)
                data = bson.encode({k: v for k, v in decoded.items() if k not in ignored})
            documents[dumps(raw["_id"])] = data
        taken[name] = documents
    return taken


def decode(data: bytes) -> dict[str, Any]:
    return bson.decode(data, codec_options=_DECODED)


@dataclass
class Diff:
    """Documents added, changed (before, after) and removed, by collection."""

    added: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    changed: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = field(default_factory=dict)
    removed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def collections(self) -> set[str]:
        return set(self.added) | set(self.changed) | set(self.removed)

    def touched(self, collection: str) -> list[dict[str, Any]]:
        """The documents of a collection as they are now, added or changed."""
        return self.added.get(collection, []) + [
            after for _, after in self.changed.get(collection, [])
        ]

    def describe(self) -> str:
        lines = []
        for name, docs in sorted(self.added.items()):
            lines += [f"+ {name} {doc!r}" for doc in docs]
        for name, pairs in sorted(self.changed.items()):
            lines += [f"~ {name} {before!r}\n    -> {after!r}" for before, after in pairs]
        for name, docs in sorted(self.removed.items()):
            lines += [f"- {name} {doc!r}" for doc in docs]
        return "\n".join(lines)


def diff(before: Snapshot, after: Snapshot) -> Diff:
    result = Diff()
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, {}), after.get(name, {})
        added = [decode(new[key]) for key in sorted(new.keys() - old.keys())]
        removed = [decode(old[key]) for key in sorted(old.keys() - new.keys())]
        changed = [
            (decode(old[key]), decode(new[key]))
            for key in sorted(old.keys() & new.keys())
            if old[key] != new[key]
        ]
        if added:
            result.added[name] = added
        if removed:
            result.removed[name] = removed
        if changed:
            result.changed[name] = changed
    return result


# ---------------------------------------------------------------- ingestion

# "" is no offset at all: the server takes such a time as UTC.
OFFSETS = ["Z", "+00:00", "+05:45", "-03:30", "+14:00", "-12:00", ""]


def iso_time(moment: datetime, offset: str, timespec: str) -> str:
    """``moment`` in ISO 8601 with one of OFFSETS."""
    if offset in ("", "Z"):
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec=timespec) + offset
    shift = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    zone = timezone(shift if offset[0] == "+" else -shift)
    return moment.astimezone(zone).isoformat(timespec=timespec)


WRITTEN_BY_INGESTION = frozenset(
    {"events", "customers", "sessions", "analytics_hours", "analytics_days", "analytics_slices"}
)


@dataclass
class Written:
    """What an answer of the ingestion API reports as written."""

    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # eventId -> input
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # inputs
    identified: set[str] = field(default_factory=set)  # distinct ids


def unexplained(changes: Diff, written: Written, after: Snapshot) -> list[str]:
    """The changes that no write reported in an answer of ``trackEvents``,
    ``identifyCustomer`` or ``POST /v1/track`` accounts for; ``after`` is the
    snapshot the changes end in.

    * events: exactly the accepted ones are added; none changes or goes;
    * customers: only those of accepted events and of an accepted identify
      call change; a duplicate changes none
      (test_fuzz_ingest.py::test_duplicate_event_id_of_another_customer_writes_nothing);
    * sessions: only those that gained an event change;
    * analytics hours and days: only ``seq`` changes (marked stale), of the
      hours of the accepted events and the start hours, before and after, of
      the sessions they join;
    * analytics slices: only the ``seq`` of the slices the accepted events
      fall in;
    * nothing else.
    """
    problems = []
    if changes.removed:
        problems.append("documents were removed")
    for name in sorted(changes.collections() - WRITTEN_BY_INGESTION):
        problems.append(f"{name} changed")

    added = changes.added.get("events", [])
    if changes.changed.get("events"):
        problems.append("a stored event changed")
    stored = sorted(event["eventId"] for event in added)
    if stored != sorted(written.accepted):
        problems.append(f"events stored {stored}, accepted {sorted(written.accepted)}")

    accepted = {event["distinctId"] for event in written.accepted.values()}
    for customer in changes.touched("customers"):
        if customer["distinctId"] not in accepted | written.identified:
            problems.append(f"customer {customer['distinctId']!r} changed")

    owners = {doc["_id"]: doc["distinctId"] for doc in _documents(after, "customers")}
    gained = {event["sessionId"] for event in added}
    for session in changes.touched("sessions"):
        if session["_id"] not in gained:
            owner = owners.get(session["customerId"])
            problems.append(f"session {session['_id']} of {owner!r} changed without a new event")

    hours = {event["hour"] for event in added}
    hours |= {session["startHour"] for session in changes.touched("sessions")}
    hours |= {before["startHour"] for before, _ in changes.changed.get("sessions", [])}
    days = {hour[:10] for hour in hours}
    for name, keys in (("analytics_hours", hours), ("analytics_days", days)):
        for doc in changes.touched(name):
            if doc["_id"] not in keys:
                problems.append(f"{name} {doc['_id']} marked stale, but no write touched it")
        for doc in changes.added.get(name, []):
            if "figures" in doc:
                problems.append(f"{name} {doc['_id']} computed by a write")
        for before, now in changes.changed.get(name, []):
            if _without_seq(before) != _without_seq(now):
                problems.append(f"{name} {before['_id']} changed more than its seq")
    problems += _unexplained_slices(changes, added)
    return problems


def _unexplained_slices(changes: Diff, added: list[dict[str, Any]]) -> list[str]:
    marked: dict[str, set[str]] = {}
    for event in added:
        marked.setdefault(event["hour"], set()).add(slice_name(minute_of(event["timestamp"])))
    pairs = [({"_id": doc["_id"]}, doc) for doc in changes.added.get("analytics_slices", [])]
    pairs += changes.changed.get("analytics_slices", [])
    problems = []
    for before, now in pairs:
        for slot in sorted((set(before) | set(now)) - {"_id"}):
            old, new = before.get(slot) or {}, now.get(slot) or {}
            if old == new:
                continue
            if slot not in marked.get(now["_id"], set()):
                problems.append(f"slice {now['_id']} {slot} marked, but no event fell in it")
            elif {k: v for k, v in old.items() if k != "seq"} != {
                k: v for k, v in new.items() if k != "seq"
            }:
                problems.append(f"slice {now['_id']} {slot} changed more than its seq")
    return problems


def _documents(taken: Snapshot, collection: str) -> list[dict[str, Any]]:
    return [decode(data) for data in taken.get(collection, {}).values()]


def _without_seq(doc: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in doc.items() if key != "seq"}


async def ingest_credentials(api: Api) -> dict[str, str]:
    """The headers that send a request to ``POST /v1/track`` as a website: its
    write key as bearer, in place of ``api.http``'s admin key. A bearer header
    fits every body, JSON or not, where a ``writeKey`` field only fits in a JSON
    object."""
    return {"Authorization": f"Bearer {await api.website_key()}"}


async def post_track(
    api: Api, content: bytes, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """Send a raw body to ``POST /v1/track`` as a website."""
    credentials = await ingest_credentials(api)
    return await api.http.post(
        "/v1/track", content=content, headers={**(headers or {}), **credentials}
    )
