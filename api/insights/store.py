"""The analytical store: the events as Parquet files, one per UTC day, read with DuckDB.

MongoDB stays the system of record; this is a copy for analysts' queries,
rewritten a whole day at a time (docs/analytics.md, "The analytical store").

Layout under ``<INSIGHTS_DIR>/<database>/``::

    events/day=2026-11-29/events.parquet   every event of that UTC day
    customers.parquet                      a snapshot of the customers
    manifest.json                          per day: the hours' seq it was written from
    .lock                                  held by the one writer

Staleness: ingestion bumps ``seq`` of every hour it touches (and then of its
day) before and after writing events, and erasure after deleting them. A day
is written from the seqs of its hours read *before* its events (the day's own
seq, read before those, says which days to look at), and stored with them (in the
file's key-value metadata and in the manifest); it is stale when any hour's
current seq differs. An event written while a day is being read bumps its
hour after the insert, so the day stays stale and is written again: late,
never missing. A day file is always all of the day's events, keyed by id, and
replaces the previous one atomically, so nothing is counted twice or missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import resource
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from opentelemetry import trace

from api.analytics.documents import AnalyticsDay, AnalyticsHour
from api.analytics.hours import day_hours
from api.core.steps import Step, no_stop
from api.customers.documents import Customer
from api.db.lookup import each_by_id
from api.events.documents import Event
from api.insights.properties import MAX_SHREDDED, flatten, shredded_columns
from api.insights.readers import Reader, Readers, entry, signature_of
from api.sessions.documents import Session
from api.settings import Settings
from api.telemetry.slow import collecting, slowest

log = logging.getLogger("api.insights")
tracer = trace.get_tracer("tracking.insights")

# The contract of the two views (names, types, order).
EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "VARCHAR"),
    ("name", "VARCHAR"),
    ("timestamp", "TIMESTAMPTZ"),
    ("customer_id", "VARCHAR"),
    ("session_id", "VARCHAR"),
    ("page", "VARCHAR"),
    ("properties", "VARCHAR"),
    ("bot", "BOOLEAN"),
    # The properties' leaves as parallel lists (api/insights/properties.py):
    # what queries read, several times cheaper than parsing the JSON per row.
    ("prop_paths", "VARCHAR[]"),
    ("prop_kinds", "VARCHAR[]"),
    ("prop_texts", "VARCHAR[]"),
    ("prop_numbers", "DOUBLE[]"),
    ("referrer", "VARCHAR"),
    ("referrer_domain", "VARCHAR"),
    ("utm_source", "VARCHAR"),
    ("utm_medium", "VARCHAR"),
    ("utm_campaign", "VARCHAR"),
    ("utm_term", "VARCHAR"),
    ("utm_content", "VARCHAR"),
    ("browser", "VARCHAR"),
    ("browser_version", "VARCHAR"),
    ("os", "VARCHAR"),
    ("os_version", "VARCHAR"),
    ("device_type", "VARCHAR"),
    ("language", "VARCHAR"),
    ("screen_width", "INTEGER"),
    ("screen_height", "INTEGER"),
    ("country", "VARCHAR"),
    ("device", "VARCHAR"),
)
# Column <- key of the event's ``context`` sub-document.
CONTEXT_KEYS = {
    "referrer": "referrer",
    "referrer_domain": "referrerDomain",
    "utm_source": "utmSource",
    "utm_medium": "utmMedium",
    "utm_campaign": "utmCampaign",
    "utm_term": "utmTerm",
    "utm_content": "utmContent",
    "browser": "browser",
    "browser_version": "browserVersion",
    "os": "os",
    "os_version": "osVersion",
    "device_type": "deviceType",
    "language": "language",
    "screen_width": "screenWidth",
    "screen_height": "screenHeight",
}
CUSTOMER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "VARCHAR"),
    ("distinct_id", "VARCHAR"),
    ("name", "VARCHAR"),
    ("email", "VARCHAR"),
    ("country", "VARCHAR"),
    ("language", "VARCHAR"),
    ("created_at", "TIMESTAMPTZ"),
    ("last_seen_at", "TIMESTAMPTZ"),
)
SESSION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "VARCHAR"),
    ("country", "VARCHAR"),
    ("device", "VARCHAR"),
)
# A temporary file's name has this in it; no reader ever opens one.
TEMP_MARK = ".tmp-"
READ_BATCH = 1000
# More days than this moved since the last sync: all hours read in one pass
# instead of 24 lookups a day.
HOUR_LOOKUP_DAYS = 8
ALL_HOURS_SECONDS = 60.0


@dataclass
class SyncResult:
    """What a sync did; ``skipped`` when another writer held the lock."""

    days_written: list[str] = field(default_factory=list)
    days_removed: list[str] = field(default_factory=list)
    rows: int = 0
    files: int = 0
    bytes: int = 0
    customers: bool = False
    seconds: float = 0.0
    skipped: bool = False

    def describe(self) -> str:
        if self.skipped:
            return "skipped: another writer holds the lock"
        what = f"{len(self.days_written)} days ({self.rows:,} rows, {self.bytes:,} bytes)"
        if self.days_removed:
            what += f", {len(self.days_removed)} removed"
        if self.customers:
            what += ", customers snapshot"
        return f"wrote {what} in {self.seconds:.2f} s"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _columns(columns: Iterable[tuple[str, str]]) -> str:
    """A DuckDB struct literal of column types, for read_json."""
    return "{" + ", ".join(f"{_quote(name)}: {_quote(kind)}" for name, kind in columns) + "}"


def _empty(columns: Iterable[tuple[str, str]]) -> str:
    typed = ", ".join(f"NULL::{kind} AS {name}" for name, kind in columns)
    return f"SELECT {typed} WHERE false"


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = int(value)
    return number if -(2**31) <= number < 2**31 else None


def event_row(doc: dict[str, Any]) -> dict[str, Any]:
    """One event document as a row of ``events`` (without the session's columns)."""
    found = doc.get("context")
    context: dict[str, Any] = found if isinstance(found, dict) else {}
    metadata = doc.get("metadata") or {}
    row: dict[str, Any] = {
        "id": str(doc["_id"]),
        "name": _text(doc.get("type")),
        "timestamp": _utc(doc.get("timestamp")),
        "customer_id": _text(doc.get("customerId")),
        "session_id": _text(doc.get("sessionId")),
        "page": _text(doc.get("page")),
        "properties": json.dumps(metadata, default=str, ensure_ascii=False, sort_keys=True),
        "bot": bool(doc.get("bot", False)),
    }
    paths, kinds, texts, numbers = flatten(metadata if isinstance(metadata, dict) else {})
    row |= {"prop_paths": paths, "prop_kinds": kinds, "prop_texts": texts}
    row["prop_numbers"] = numbers
    for column, key in CONTEXT_KEYS.items():
        value = context.get(key)
        row[column] = _int(value) if column.startswith("screen_") else _text(value)
    return row


def customer_row(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(doc["_id"]),
        "distinct_id": _text(doc.get("distinctId")),
        "name": _text(doc.get("name")),
        "email": _text(doc.get("email")),
        "country": _text(doc.get("country")),
        "language": _text(doc.get("language")),
        "created_at": _utc(doc.get("createdAt")),
        "last_seen_at": _utc(doc.get("lastSeenAt")),
    }


def _write_lines(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_durably(temporary: Path, final: Path) -> None:
    """``temporary`` becomes ``final`` in one step: a reader opens the old
    file or the new one, never part of one, even across a crash."""
    _fsync(temporary)
    os.replace(temporary, final)
    _fsync(final.parent)


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}{TEMP_MARK}{uuid.uuid4().hex}")
    temporary.write_bytes(data)
    replace_durably(temporary, path)


def days_between(start: datetime, end: datetime) -> list[str]:
    """The UTC days [start, end) touches."""
    first = start.astimezone(UTC).date()
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).date()
    days = []
    while first <= last:
        days.append(first.isoformat())
        first += timedelta(days=1)
    return days


class Store:
    """The store of one database; one per process (``store_for``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = Path(settings.insights_dir).resolve() / settings.mongodb_db
        self.mirror: Any = None
        self._all_hours_read = -ALL_HOURS_SECONDS
        self._readers = Readers()
        _raise_open_files_limit()
        if settings.insights_s3_bucket:
            from api.insights.s3 import Mirror

            self.mirror = Mirror(settings, self.root)

    # ---- paths ---------------------------------------------------------------

    def day_file(self, day: str) -> Path:
        return self.root / "events" / f"day={day}" / "events.parquet"

    @property
    def customers_file(self) -> Path:
        return self.root / "customers.parquet"

    @property
    def manifest_file(self) -> Path:
        return self.root / "manifest.json"

    def day_files(self) -> dict[str, Path]:
        """The day files there are now, by day."""
        found = {}
        for path in sorted((self.root / "events").glob("day=*/events.parquet")):
            found[path.parent.name.removeprefix("day=")] = path
        return found

    def files_for(self, start: datetime, end: datetime) -> list[Path]:
        """The day files a query of [start, end) reads (days without a file have no events)."""
        present = self.day_files()
        return [present[day] for day in days_between(start, end) if day in present]

    # ---- reading -------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def reader(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> AsyncIterator[duckdb.DuckDBPyConnection]:
        """A DuckDB connection of its own with the views ``events`` and
        ``customers`` over the files current now; with ``start`` and ``end``,
        ``events`` holds only the days of [start, end) (fewer files opened).

        Each file is opened here and DuckDB reads it through
        ``/proc/self/fd/<n>``: a file replaced while the connection is in use
        stays readable as it was (the open descriptor keeps its inode), so every
        query on this connection sees the same complete files, and nothing is
        left behind if the process dies. A reader on files that have not
        changed since is taken from those kept open (api/insights/readers.py)."""
        if self.mirror is not None:
            await asyncio.to_thread(self.mirror.pull)
        paths = [
            str(path)
            for path in (
                self.files_for(start, end)
                if start is not None and end is not None
                else list(self.day_files().values())
            )
        ]
        wanted = signature_of([*paths, str(self.customers_file)])
        reader = self._readers.take(wanted)
        if reader is None:
            reader = self._open(paths)
        try:
            yield reader.con
        except BaseException:
            reader.close()  # its connection may be mid-statement
            raise
        else:
            self._readers.give(reader)

    def _open(self, paths: list[str]) -> Reader:
        reader = Reader(_database().cursor(), [], (), self._readers.generation)
        con, held = reader.con, reader.held
        try:
            con.execute("SET TimeZone = 'UTC'")
            opened = [(path, self._hold(Path(path), held)) for path in paths]
            days = [fd_path for _, fd_path in opened if fd_path]
            self._view(con, "events", EVENT_COLUMNS, days, every_column=True)
            self._layout(con, days)
            customers = self._hold(self.customers_file, held)
            self._view(con, "customers", CUSTOMER_COLUMNS, [customers] if customers else [])
            named = [path for path, fd_path in opened if fd_path]
            if customers:
                named.append(str(self.customers_file))
            # What the held descriptors are, not what the paths are now.
            reader.signature = tuple(
                entry(path, os.fstat(fd)) for path, fd in zip(named, held, strict=True)
            )
        except BaseException:
            reader.close()
            raise
        return reader

    @staticmethod
    def _hold(path: Path, held: list[int]) -> str | None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:  # removed since it was listed
            return None
        held.append(fd)
        return f"/proc/self/fd/{fd}"

    @staticmethod
    def _layout(con: duckdb.DuckDBPyConnection, days: list[str]) -> None:
        """``events_layout`` (api/insights/sql.py, Layout): the property paths
        shredded in any day read, and whether some day kept paths in the
        lists only. Any, not every: the view reads the days by name, so a day
        without a path's columns gives NULL there, and a day that kept every
        path in columns has no event with a path it has no column for. From
        the files themselves as they are held: a manifest could be a step
        behind a file just replaced."""
        found = (
            con.execute(
                "SELECT file_name, decode(key), decode(value) FROM parquet_kv_metadata(?) "
                "WHERE decode(key) IN ('overflow', 'paths')",
                [days],
            ).fetchall()
            if days
            else []
        )
        complete: set[str] = set()
        paths: set[str] = set()
        for name, key, value in found:
            if key == "overflow" and value == "false":
                complete.add(name)
            elif key == "paths":
                paths |= set(json.loads(value))
        overflow = len(complete) < len(days)
        con.execute("CREATE TEMP TABLE events_layout (overflow BOOLEAN, paths VARCHAR[])")
        con.execute("INSERT INTO events_layout VALUES (?, ?)", [overflow, sorted(paths)])

    @staticmethod
    def _view(
        con: duckdb.DuckDBPyConnection,
        name: str,
        columns: tuple[tuple[str, str], ...],
        paths: list[str],
        every_column: bool = False,
    ) -> None:
        if not paths:
            con.execute(f"CREATE TEMP VIEW {name} AS {_empty(columns)}")
            return
        listed = ", ".join(_quote(path) for path in paths)
        # Events: also the day files' own property columns (api/insights/properties.py).
        selected = "*" if every_column else ", ".join(column for column, _ in columns)
        con.execute(
            # Our own paths and column names, quoted: no outside text in the SQL.
            f"CREATE TEMP VIEW {name} AS SELECT {selected} "  # noqa: S608
            f"FROM read_parquet([{listed}], union_by_name = true)"
        )

    # ---- writing -------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _locked(self, wait: bool) -> AsyncIterator[bool]:
        """The writer's lock (flock on ``.lock``): True once held, False when
        another holds it and ``wait`` is off. Polled rather than blocking in a
        thread, so a cancelled waiter leaves nothing behind."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not wait:
                        yield False
                        return
                    await asyncio.sleep(0.05)
            yield True
        finally:
            os.close(fd)  # releases the lock

    async def sync(
        self,
        *,
        wait: bool = True,
        rebuild: bool = False,
        force_customers: bool = False,
        after_step: Step = no_stop,
    ) -> SyncResult:
        """Writes the stale days (all days when ``rebuild``) and the customers'
        snapshot if it changed. ``wait``: wait for another writer to finish
        (else skip). ``after_step`` ("temp", "replaced", "day", "customers")
        lets the tests stop the work there."""
        began = time.perf_counter()
        self._readers.expire()
        name = "insights.rebuild" if rebuild else "insights.sync"
        with tracer.start_as_current_span(name) as span, collecting() as spans:
            async with self._locked(wait) as holding:
                if not holding:
                    span.set_attribute("insights.skipped", True)
                    return SyncResult(skipped=True)
                try:
                    result = await self._sync(rebuild, force_customers, after_step)
                except BaseException:
                    self._readers.retire()  # some files may have been replaced
                    raise
                if result.days_written or result.days_removed or result.customers:
                    self._readers.retire()
            result.seconds = time.perf_counter() - began
            span.set_attributes(
                {
                    "insights.days_written": len(result.days_written),
                    "insights.days_removed": len(result.days_removed),
                    "insights.rows": result.rows,
                    "insights.files": result.files,
                    "insights.bytes": result.bytes,
                    "insights.customers": result.customers,
                    "insights.seconds": round(result.seconds, 3),
                }
            )
        if result.seconds * 1000 >= self.settings.slow_operation_ms:
            log.warning(
                "slow insights sync",
                extra={
                    "operation": name,
                    "duration_ms": round(result.seconds * 1000, 1),
                    "days_written": len(result.days_written),
                    "rows": result.rows,
                    "bytes": result.bytes,
                    "slowest_spans": slowest(spans),
                },
            )
        return result

    async def _sync(self, rebuild: bool, force_customers: bool, after_step: Step) -> SyncResult:
        result = SyncResult()
        self._remove_leftovers()
        manifest = await asyncio.to_thread(self._manifest)
        written: dict[str, Any] = manifest.setdefault("days", {})
        # Read before any event: see the module's docstring. The days' seq
        # first (bumped after their hours'), then the hours of the days whose
        # seq moved: a sync with nothing new reads a document a day, not 24.
        day_seqs = await day_seq_map()
        moved = [day for day, seq in day_seqs.items() if written.get(day, {}).get("daySeq") != seq]
        # All hours now and then all the same: a writer that died between
        # bumping its hours and their day leaves only the hours moved.
        every_hour = time.monotonic() - self._all_hours_read >= ALL_HOURS_SECONDS
        if rebuild or every_hour or len(moved) > HOUR_LOOKUP_DAYS:
            self._all_hours_read = time.monotonic()
            current = await hour_seqs()
        else:
            current = {day: await hour_seqs_of(day) for day in moved}
        if rebuild:
            for day in await event_days():
                current.setdefault(day, {})
        elif not every_hour:
            current = {day: seqs for day, seqs in current.items() if day in moved}
        stale = sorted(
            day
            for day, seqs in current.items()
            if rebuild or written.get(day, {}).get("seqs") != seqs
        )
        noted = False
        for day in set(current) - set(stale):
            # Its day moved, its hours did not (an analytics rebuild): noted, so
            # their hours are not read again.
            if written[day].get("daySeq") != day_seqs.get(day):
                written[day]["daySeq"] = day_seqs.get(day)
                noted = True
        if noted and not stale:
            await asyncio.to_thread(self._save_manifest, manifest)
        # Most days stale (a rebuild, a new store): one pass over all events
        # beats an equality per hour of each day (a full scan each on FerretDB).
        read: dict[str, tuple[Path, set[Any]]] = {}
        if stale and (rebuild or len(stale) * 2 >= len(day_seqs)):
            read = await self._read_all(set(stale))
        for day in stale:
            previous = None if rebuild or day in read else written.get(day, {}).get("seqs")
            rows, size = await self._write_day(
                day, current[day], previous, after_step, read.pop(day, None)
            )
            written[day] = {
                "seqs": current[day], "daySeq": day_seqs.get(day), "rows": rows, "bytes": size,
            }  # fmt: skip
            await asyncio.to_thread(self._save_manifest, manifest)
            result.days_written.append(day)
            result.rows += rows
            result.bytes += size
            result.files += 1
            await after_step("day")
        if rebuild:
            # Days with neither events nor hours any more (a wiped database).
            for day, path in self.day_files().items():
                if day not in current:
                    await asyncio.to_thread(self._remove, path)
                    written.pop(day, None)
                    result.days_removed.append(day)
            await asyncio.to_thread(self._save_manifest, manifest)
        if await self._write_customers(manifest, force_customers or rebuild):
            await asyncio.to_thread(self._save_manifest, manifest)
            result.customers = True
            result.files += 1
            result.bytes += self.customers_file.stat().st_size
            await after_step("customers")
        return result

    def _remove_leftovers(self) -> None:
        """Temporary files of a writer that died: only a writer (holding the
        lock) makes them, and no reader opens them."""
        for path in self.root.rglob(f"*{TEMP_MARK}*"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def manifest(self) -> dict[str, Any]:
        """What the writer recorded: per day, the seqs it was written from."""
        return self._manifest()

    def _manifest(self) -> dict[str, Any]:
        if self.mirror is not None:
            remote = self.mirror.manifest()
            if remote is not None:
                return remote
        try:
            loaded: dict[str, Any] = json.loads(self.manifest_file.read_text(encoding="utf-8"))
            return loaded
        except (FileNotFoundError, ValueError):
            # Unknown: every day is stale and written again.
            return {}

    def _save_manifest(self, manifest: dict[str, Any]) -> None:
        write_atomically(self.manifest_file, json.dumps(manifest, sort_keys=True).encode())
        if self.mirror is not None:
            self.mirror.upload(self.manifest_file)

    def _remove(self, path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        if self.mirror is not None:
            self.mirror.delete(path)

    async def _write_day(
        self,
        day: str,
        seqs: dict[str, int],
        previous: dict[str, int] | None,
        after_step: Step,
        already: tuple[Path, set[Any]] | None = None,
    ) -> tuple[int, int]:
        """Writes the day's file, all its events; (rows, bytes).

        Only the hours whose seq changed since ``previous`` (what the current
        file was written from) are read from MongoDB; the others' rows come
        from the current file, which holds exactly what they hold: every
        writer of events bumps their hour after writing. So a sync while
        websites send events reads the current hour, not the whole day."""
        final = self.day_file(day)
        final.parent.mkdir(parents=True, exist_ok=True)
        kept: list[str] = []
        if previous is not None and await asyncio.to_thread(_file_seqs, final) == previous:
            kept = [hour for hour in day_hours(day) if previous.get(hour) == seqs.get(hour)]
        token = f"{TEMP_MARK}{os.getpid()}-{uuid.uuid4().hex}"
        events_json = already[0] if already else final.parent / f"events.ndjson{token}"
        sessions_json = final.parent / f"sessions.ndjson{token}"
        temporary = final.parent / f"events.parquet{token}"
        try:
            events_json.touch()
            session_ids: set[Any] = already[1] if already else set()
            collection = Event.get_pymongo_collection()
            for hour in day_hours(day):
                if hour in kept or already:
                    continue
                # One equality per hour: an index read on MongoDB and FerretDB alike.
                batch = []
                async for doc in collection.find({"hour": hour}, batch_size=READ_BATCH):
                    batch.append(event_row(doc))
                    session_ids.add(doc.get("sessionId"))
                await asyncio.to_thread(_write_lines, events_json, batch)
            sessions = await session_rows(session_ids)
            sessions_json.touch()
            await asyncio.to_thread(_write_lines, sessions_json, sessions)
            metadata = {"day": day, "seqs": json.dumps(seqs, sort_keys=True)}
            rows = await asyncio.to_thread(
                self._copy_day,
                events_json,
                sessions_json,
                final if kept else None,
                kept,
                temporary,
                metadata,
            )
            _fsync(temporary)
            await after_step("temp")
            replace_durably(temporary, final)
            await after_step("replaced")
            if self.mirror is not None:
                await asyncio.to_thread(self.mirror.upload, final)
            return rows, final.stat().st_size
        finally:
            for path in (events_json, sessions_json, temporary):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    async def _read_all(self, days: set[str]) -> dict[str, tuple[Path, set[Any]]]:
        """Every event of ``days`` in one pass: each day's rows in a temporary
        file of its folder, and its sessions' ids."""
        token = f"{TEMP_MARK}{os.getpid()}-{uuid.uuid4().hex}"
        read: dict[str, tuple[Path, set[Any]]] = {}
        pending: dict[str, list[dict[str, Any]]] = {}
        for day in days:
            folder = self.day_file(day).parent
            folder.mkdir(parents=True, exist_ok=True)
            read[day] = (folder / f"events.ndjson{token}", set())
            pending[day] = []
        cursor = Event.get_pymongo_collection().find({}, batch_size=READ_BATCH)
        async for doc in cursor:
            day = str(doc.get("hour", ""))[:10]
            if day not in read:
                continue
            pending[day].append(event_row(doc))
            read[day][1].add(doc.get("sessionId"))
            if len(pending[day]) >= READ_BATCH:
                await asyncio.to_thread(_write_lines, read[day][0], pending[day])
                pending[day] = []
        for day, rows in pending.items():
            await asyncio.to_thread(_write_lines, read[day][0], rows)
        return read

    @staticmethod
    def _copy_day(
        events: Path,
        sessions: Path,
        current: Path | None,
        kept: list[str],
        out: Path,
        metadata: dict[str, str],
    ) -> int:
        """The day file from the re-read rows and the kept hours of the
        current file; the number of rows."""
        event_columns = [c for c in EVENT_COLUMNS if c[0] not in ("country", "device")]
        selected = ", ".join(
            f"s.{name}" if name in ("country", "device") else f"e.{name}"
            for name, _ in EVENT_COLUMNS
        )
        names = ", ".join(name for name, _ in EVENT_COLUMNS)
        fresh = f"""
            SELECT {selected}
            FROM read_json({_quote(str(events))}, format = 'newline_delimited',
                           columns = {_columns(event_columns)}) AS e
            LEFT JOIN read_json({_quote(str(sessions))}, format = 'newline_delimited',
                                columns = {_columns(SESSION_COLUMNS)}) AS s
                   ON s.id = e.session_id
        """  # noqa: S608
        if current is not None and kept:
            hours = ", ".join(_quote(hour) for hour in kept)
            fresh += f"""
                UNION ALL
                SELECT {names} FROM read_parquet({_quote(str(current))})
                WHERE strftime(timestamp, '%Y-%m-%dT%H') IN ({hours})
            """  # noqa: S608
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.execute(f"CREATE TEMP VIEW day AS {fresh}")
            # The day's property paths, most used first: each gets columns of its
            # own (api/insights/properties.py); the file says which, and whether
            # some were left in the lists only.
            found = con.execute(
                "SELECT path FROM (SELECT unnest(prop_paths) AS path FROM day) "
                "GROUP BY path ORDER BY count(*) DESC, path LIMIT ?",
                [MAX_SHREDDED + 1],
            ).fetchall()
            paths = sorted(path for (path,) in found[:MAX_SHREDDED])
            overflow = "true" if len(found) > MAX_SHREDDED else "false"
            metadata = {**metadata, "overflow": overflow, "paths": json.dumps(paths)}
            kv = ", ".join(f"{key}: {_quote(value)}" for key, value in metadata.items())
            shredded = f", {shredded_columns(paths)}" if paths else ""
            # Our own paths and values, quoted (property paths by shredded_columns).
            query = f"""
                COPY (
                    SELECT *{shredded} FROM (
                        SELECT {names} FROM day
                        QUALIFY row_number() OVER (PARTITION BY id ORDER BY id) = 1
                    )
                    ORDER BY timestamp, id
                ) TO {_quote(str(out))} (FORMAT parquet, COMPRESSION zstd, KV_METADATA {{{kv}}})
            """  # noqa: S608
            con.execute(query)
            # From the file's footer: no second pass over the rows.
            counted = con.execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()
            rows = int(counted[0]) if counted else 0
        finally:
            con.close()
        return rows

    async def _write_customers(self, manifest: dict[str, Any], force: bool) -> bool:
        """The customers' snapshot, when their count or latest lastSeenAt
        changed, when it is older than INSIGHTS_CUSTOMERS_SECONDS, or when forced."""
        collection = Customer.get_pymongo_collection()
        count = await collection.count_documents({})
        latest = await collection.find_one({}, {"lastSeenAt": 1}, sort=[("lastSeenAt", -1)])
        mark = [count, _utc(latest.get("lastSeenAt")) if latest else None]
        known = manifest.get("customers", {})
        age = time.time() - known.get("written", 0)
        fresh = known.get("mark") == mark and age < self.settings.insights_customers_seconds
        if fresh and not force and self.customers_file.exists():
            return False
        token = f"{TEMP_MARK}{os.getpid()}-{uuid.uuid4().hex}"
        rows_json = self.root / f"customers.ndjson{token}"
        temporary = self.root / f"customers.parquet{token}"
        fields = {"distinctId": 1, "name": 1, "email": 1, "country": 1, "language": 1,
                  "createdAt": 1, "lastSeenAt": 1}  # fmt: skip
        try:
            rows_json.touch()
            batch = []
            async for doc in collection.find({}, fields, batch_size=READ_BATCH):
                batch.append(customer_row(doc))
                if len(batch) >= 10_000:
                    await asyncio.to_thread(_write_lines, rows_json, batch)
                    batch = []
            await asyncio.to_thread(_write_lines, rows_json, batch)
            await asyncio.to_thread(_copy_customers, rows_json, temporary)
            replace_durably(temporary, self.customers_file)
            if self.mirror is not None:
                await asyncio.to_thread(self.mirror.upload, self.customers_file)
        finally:
            for path in (rows_json, temporary):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        manifest["customers"] = {"mark": mark, "written": time.time(), "rows": count}
        return True

    # ---- status --------------------------------------------------------------

    async def status(self) -> dict[str, Any]:
        """What is stored and how much of it is stale."""
        manifest = await asyncio.to_thread(self._manifest)
        written = manifest.get("days", {})
        current = await hour_seqs()
        stale = sorted(
            day for day, seqs in current.items() if written.get(day, {}).get("seqs") != seqs
        )
        files = self.day_files()
        return {
            "root": str(self.root),
            "s3": self.mirror.describe() if self.mirror is not None else None,
            "days": len(files),
            "rows": sum(entry.get("rows", 0) for entry in written.values()),
            "bytes": sum(path.stat().st_size for path in files.values()),
            "stale_days": stale,
            "customers": manifest.get("customers", {}).get("rows"),
        }


def _raise_open_files_limit() -> None:
    """A reader keeps every day file open (730 days of retention is 730
    descriptors, and DuckDB opens them again while scanning): the soft limit
    up to the hard one, as servers usually allow."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _copy_customers(rows: Path, out: Path) -> None:
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(
            f"COPY (SELECT * FROM read_json({_quote(str(rows))}, "  # noqa: S608
            "format = 'newline_delimited', "
            f"columns = {_columns(CUSTOMER_COLUMNS)}) ORDER BY id) "
            f"TO {_quote(str(out))} (FORMAT parquet, COMPRESSION zstd)"
        )
    finally:
        con.close()


async def day_seq_map() -> dict[str, int]:
    """Every analytics day's seq."""
    cursor = AnalyticsDay.get_pymongo_collection().find({}, {"seq": 1}, batch_size=READ_BATCH)
    return {str(doc["_id"]): int(doc.get("seq", 0)) async for doc in cursor}


async def hour_seqs_of(day: str) -> dict[str, int]:
    """The seq of the day's hours: an ``_id`` equality each."""
    docs = await each_by_id(AnalyticsHour.get_pymongo_collection(), day_hours(day), {"seq": 1})
    return {str(doc["_id"]): int(doc.get("seq", 0)) for doc in docs}


async def hour_seqs() -> dict[str, dict[str, int]]:
    """Every analytics hour's seq, by day."""
    by_day: dict[str, dict[str, int]] = {}
    cursor = AnalyticsHour.get_pymongo_collection().find({}, {"seq": 1}, batch_size=READ_BATCH)
    async for doc in cursor:
        key = str(doc["_id"])
        by_day.setdefault(key[:10], {})[key] = int(doc.get("seq", 0))
    return by_day


async def event_days() -> set[str]:
    """The days that have events, hours marked or not (a full scan: rebuilds only)."""
    cursor = Event.get_pymongo_collection().find({}, {"hour": 1}, batch_size=READ_BATCH)
    return {str(doc["hour"])[:10] async for doc in cursor if doc.get("hour")}


async def session_rows(ids: set[Any]) -> list[dict[str, Any]]:
    """Country and device of these sessions, without a join on the server:
    an ``_id`` equality each (``each_by_id``)."""
    keys = sorted((key for key in ids if key is not None), key=str)
    fields = {"country": 1, "device": 1}
    found = await each_by_id(Session.get_pymongo_collection(), keys, fields)
    return [
        {"id": str(doc["_id"]), "country": _text(doc.get("country")),
         "device": _text(doc.get("device"))}
        for doc in found
    ]  # fmt: skip


def _file_seqs(path: Path) -> dict[str, int] | None:
    """The hours' seqs a day file was written from (its key-value metadata)."""
    if not path.exists():
        return None
    con = duckdb.connect()
    try:
        found = con.execute(
            "SELECT value FROM parquet_kv_metadata(?) WHERE key = 'seqs'", [str(path)]
        ).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if not found:
        return None
    loaded: dict[str, int] = json.loads(found[0])
    return loaded


_stores: dict[tuple[str, ...], Store] = {}
_engine: list[duckdb.DuckDBPyConnection] = []


def _database() -> duckdb.DuckDBPyConnection:
    """The process's one DuckDB database, in memory, holding no data: opening
    one costs about 0.1 s (measured), a cursor of it nothing, so each reader
    takes a cursor, whose temporary views no other reader sees."""
    if not _engine:
        _engine.append(duckdb.connect())
    return _engine[0]


def store_for(settings: Settings) -> Store:
    """The process's store for these settings."""
    key = (
        str(Path(settings.insights_dir).resolve()),
        settings.mongodb_db,
        settings.insights_s3_bucket,
        settings.insights_s3_prefix,
        settings.insights_s3_endpoint,
    )
    store = _stores.get(key)
    if store is None:
        store = _stores[key] = Store(settings)
    return store
