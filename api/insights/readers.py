"""Readers kept open between insight queries.

Opening a reader on 30 day files costs about 15 ms on a quiet machine
(a descriptor, a view over the files' footers and the layout read from
their metadata), as much as the engine spends on a breakdown at 10^5
events. A reader whose files have not changed since is as good as a new
one, so a store keeps the readers it opened, idle, keyed by what they hold:
each file's path, inode, modification time and size. A query whose files
all still stat the same takes one back; a file replaced since (a new inode)
makes a new key, so no query ever reads a file older than the one at its
path when it started.

An idle reader also holds its files open, so the space of a replaced file
(after an erasure, a customer's events) is only freed once it is closed.
Hence: every write of the store's own process retires them all at once, and
a reader idle for ``IDLE_SECONDS`` is closed (checked at every query and
every sync), which bounds how long a file
replaced by another process (a CLI sync, the scheduled job) stays on disk.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import duckdb

IDLE_SECONDS = 30.0
MOST_IDLE = 8  # per store: a few ranges (30 days, 7 days, today) and concurrent queries

# (path, inode, mtime ns, size) of each file a reader holds, in order.
Signature = tuple[tuple[str, int, int, int], ...]


def signature_of(paths: list[str]) -> Signature:
    """What the files at ``paths`` are now; a missing file is left out, as a
    reader leaves it out."""
    found = []
    for path in paths:
        try:
            found.append(entry(path, os.stat(path)))
        except FileNotFoundError:
            continue
    return tuple(found)


def entry(path: str, stat: os.stat_result) -> tuple[str, int, int, int]:
    """One file of a signature: by its path, or (fstat) by a held descriptor."""
    return (path, stat.st_ino, stat.st_mtime_ns, stat.st_size)


@dataclass
class Reader:
    con: duckdb.DuckDBPyConnection
    held: list[int]
    signature: Signature
    generation: int
    idle_since: float = field(default_factory=time.monotonic)

    def close(self) -> None:
        self.con.close()
        for fd in self.held:
            os.close(fd)
        self.held.clear()


class Readers:
    """The idle readers of one store. Used from its event loop only, so no lock."""

    def __init__(self) -> None:
        self._idle: list[Reader] = []
        self.generation = 0

    def take(self, signature: Signature) -> Reader | None:
        self.expire()
        for position, reader in enumerate(self._idle):
            if reader.signature == signature:
                return self._idle.pop(position)
        return None

    def give(self, reader: Reader) -> None:
        """Back to idle, unless the store wrote since it was opened."""
        if reader.generation != self.generation:
            reader.close()
            return
        reader.idle_since = time.monotonic()
        self._idle.append(reader)
        while len(self._idle) > MOST_IDLE:
            self._idle.pop(0).close()

    def retire(self) -> None:
        """After a write: every idle reader closed, those in use closed when given back."""
        self.generation += 1
        while self._idle:
            self._idle.pop().close()

    def expire(self) -> None:
        """Closes the readers idle for IDLE_SECONDS (at each take, and at each
        sync, so also when no query comes)."""
        now = time.monotonic()
        kept = []
        for reader in self._idle:
            if now - reader.idle_since >= IDLE_SECONDS:
                reader.close()
            else:
                kept.append(reader)
        self._idle = kept
