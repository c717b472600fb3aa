"""``python -m api import FILE``: events from NDJSON through the ingestion
pipeline (api/ingestion/bulk.py), with a progress bar and a summary."""

from __future__ import annotations

import time
from pathlib import Path

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

from api.cli.command import connected
from api.ingestion.bulk import Tally, batches, open_source, send
from api.settings import Settings


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
        stream, size = open_source(path)
    except OSError as error:
        print(f"cannot read {path}: {error.strerror}")
        return 2
    tally = Tally()
    try:
        async with connected(settings):
            started = time.perf_counter()
            with _progress() as bar:
                task = bar.add_task("import", total=size, events=0)
                for batch, position in batches(stream, batch_size, tally):
                    if batch:
                        await send(batch, settings, tally)
                    bar.update(task, completed=position, events=tally.events)
            seconds = time.perf_counter() - started
    except PyMongoError as error:
        print(
            f"import stopped by a database error after {tally.lines:,} lines: {error}\n"
            "what was imported is kept; run the same import again to finish it"
        )
        return 1
    finally:
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
