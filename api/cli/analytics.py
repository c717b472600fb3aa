"""``python -m api analytics rebuild``: the repair path of the aggregates."""

from __future__ import annotations

import time
from datetime import datetime

from api.analytics.hours import rebuild
from api.cli.command import connected
from api.core.timerange import as_utc
from api.settings import Settings


async def run_rebuild(settings: Settings, start: datetime | None, end: datetime | None) -> int:
    try:
        start = as_utc(start) if start else None
        end = as_utc(end) if end else None
    except ValueError as error:
        print(f"--from/--to: {error}")
        return 2
    if start and end and end <= start:
        print("--to must be after --from")
        return 2
    async with connected(settings):
        began = time.perf_counter()
        hours = await rebuild(start, end)
        print(f"rebuilt {hours:,} hours of analytics in {time.perf_counter() - began:.1f} s")
        return 0
