"""``python -m api import FILE``: load events from NDJSON (one event object a
line, the fields of ``POST /v1/track``; ``-`` reads standard input).

Every batch goes through ``track``, the same pipeline as the API, so an import
has the same exactly-once effect: importing a file twice, or again after an
interruption, stores each event once (the second time they are duplicates).
A line that is not JSON, or an event that is invalid, is rejected with its line
number and never stops the import.
"""

from __future__ import annotations

import codecs
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pymongo.errors import PyMongoError
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

from api.db.client import init_documents, make_client
from api.ingestion.service import track
from api.settings import Settings

SHOWN_REASONS = 10

Batch = list[tuple[int, Any]]  # (line number, parsed JSON)


@dataclass
class Tally:
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    lines: int = 0
    reasons: list[tuple[int, str]] = field(default_factory=list)  # the earliest lines only

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        self.reasons.append((line, reason))
        if len(self.reasons) > SHOWN_REASONS:
            self.reasons.sort()
            self.reasons.pop()

    @property
    def events(self) -> int:
        return self.accepted + self.duplicates + self.rejected


def _open(path: Path) -> tuple[BinaryIO, int | None]:
    """The stream and its size in bytes (None for standard input)."""
    if str(path) == "-":
        return sys.stdin.buffer, None
    stream = path.open("rb")
    return stream, path.stat().st_size


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _batches(stream: BinaryIO, size: int, tally: Tally) -> Iterator[tuple[Batch, int]]:
    """Batches of parsed lines and the bytes read so far; bad JSON is tallied here."""
    batch: Batch = []
    position = 0
    for number, line in enumerate(stream, start=1):
        position += len(line)
        tally.lines += 1
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        if not line.strip():
            continue
        try:
            batch.append((number, json.loads(line, parse_constant=_no_constants)))
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            tally.reject(number, f"not valid JSON ({error})")
        except RecursionError:
            tally.reject(number, "not valid JSON (nested too deeply)")
        if len(batch) == size:
            yield batch, position
            batch = []
    yield batch, position


async def _send(batch: Batch, settings: Settings, tally: Tally) -> None:
    result = await track([event for _, event in batch], settings)
    for item in result.results:
        if item.status == "accepted":
            tally.accepted += 1
        elif item.status == "duplicate":
            tally.duplicates += 1
        else:
            tally.reject(batch[item.index][0], item.reason or "rejected")


def _progress() -> Progress:
    return Progress(
        TextColumn("importing"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("{task.fields[events]:,} events"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


async def run_import(settings: Settings, path: Path, batch_size: int = 500) -> int:
    """Import ``path``; 0 when every line was stored or already there, 1 when any
    was rejected (the good ones are imported all the same), 2 when nothing could
    be started."""
    if not 1 <= batch_size <= settings.ingest_max_batch:
        print(f"--batch-size must be between 1 and {settings.ingest_max_batch}")
        return 2
    try:
        stream, size = _open(path)
    except OSError as error:
        print(f"cannot read {path}: {error.strerror}")
        return 2
    tally = Tally()
    client = make_client(settings)
    try:
        await init_documents(client, settings.mongodb_db)
        started = time.perf_counter()
        with _progress() as bar:
            task = bar.add_task("import", total=size, events=0)
            for batch, position in _batches(stream, batch_size, tally):
                if batch:
                    await _send(batch, settings, tally)
                bar.update(task, completed=position, events=tally.events)
        seconds = time.perf_counter() - started
    except PyMongoError as error:
        print(
            f"import stopped by a database error after {tally.lines:,} lines: {error}\n"
            "what was imported is kept; run the same import again to finish it"
        )
        return 1
    finally:
        await client.close()
        if size is not None:  # not standard input
            stream.close()

    for line, reason in tally.reasons:
        print(f"line {line}: {reason}")
    if tally.rejected > len(tally.reasons):
        print(f"... and {tally.rejected - len(tally.reasons):,} more rejected lines")
    rate = tally.events / seconds if seconds > 0 else 0.0
    print(
        f"accepted {tally.accepted:,}, duplicates {tally.duplicates:,}, "
        f"rejected {tally.rejected:,}, lines {tally.lines:,}, "
        f"{seconds:.1f} s, {rate:,.0f} events/s"
    )
    return 1 if tally.rejected else 0
