"""A day's events as one file, from the store after syncing it
(``python -m api export``, and the daily export to S3 on Lambda)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from api.insights.store import TEMP_MARK, Store, _quote, replace_durably

Format = Literal["parquet", "csv"]


def _paths(out: Path) -> tuple[Path, Path]:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    return out, out.with_name(f"{out.name}{TEMP_MARK}{uuid.uuid4().hex}")


async def export_day(store: Store, day: date, fmt: Format, out: Path) -> int:
    """Writes ``day``'s events (UTC) to ``out``, in time order; the number of rows.
    The file appears whole or not at all."""
    await store.sync(wait=True)
    out, temporary = _paths(out)
    start = day.isoformat()
    end = (day + timedelta(days=1)).isoformat()
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER"
    try:
        async with store.reader() as con:
            # Our own dates and path, quoted: no outside text in the SQL.
            query = (
                "COPY (SELECT * FROM events "  # noqa: S608
                f"WHERE timestamp >= TIMESTAMPTZ {_quote(start + ' 00:00:00+00')} "
                f"AND timestamp < TIMESTAMPTZ {_quote(end + ' 00:00:00+00')} "
                f"ORDER BY timestamp, id) TO {_quote(str(temporary))} ({options})"
            )
            await asyncio.to_thread(con.execute, query)
            counted = con.execute(
                "SELECT count(*) FROM events WHERE timestamp >= ?::TIMESTAMPTZ "
                "AND timestamp < ?::TIMESTAMPTZ",
                [start + " 00:00:00+00", end + " 00:00:00+00"],
            ).fetchone()
        replace_durably(temporary, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return int(counted[0]) if counted else 0
