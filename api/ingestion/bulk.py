"""Events loaded from NDJSON (one event object a line, the fields of
``POST /v1/track``; ``-`` reads standard input), for ``python -m api import
FILE`` (api/cli/imports.py).

Every batch goes through ``track``, the same pipeline as the API, so an import
has the same exactly-once effect: importing a file twice, or again after an
interruption, stores each event once (the second time they are duplicates).
A line that is not JSON, or an event that is invalid, is rejected with its line
number and never stops the import.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from api.core import strictjson
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


def open_source(path: Path) -> tuple[BinaryIO, int | None]:
    """The stream and its size in bytes (None for standard input)."""
    if str(path) == "-":
        return sys.stdin.buffer, None
    stream = path.open("rb")
    return stream, path.stat().st_size


def batches(stream: BinaryIO, size: int, tally: Tally) -> Iterator[tuple[Batch, int]]:
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
            batch.append((number, strictjson.loads(line)))
        except strictjson.TooDeepError:
            tally.reject(number, "not valid JSON (nested too deeply)")
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            tally.reject(number, f"not valid JSON ({error})")
        if len(batch) == size:
            yield batch, position
            batch = []
    yield batch, position


async def send(batch: Batch, settings: Settings, tally: Tally) -> None:
    result = await track([event for _, event in batch], settings)
    for item in result.results:
        if item.status == "accepted":
            tally.accepted += 1
        elif item.status == "duplicate":
            tally.duplicates += 1
        else:
            tally.reject(batch[item.index][0], item.reason or "rejected")
