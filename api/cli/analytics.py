"""``python -m api analytics rebuild``: the repair path of the aggregates."""

from __future__ import annotations

import time
from datetime import datetime

from api.analytics.hours import rebuild
from api.cli.command import connected
from api.core.errors import InputError
from api.core.timerange import utc_span
from api.insights.store import store_for
from api.settings import Settings


async def run_rebuild(settings: Settings, start: datetime | None, end: datetime | None) -> int:
    try:
        start, end = utc_span("range", start, end)
    except InputError as error:
        # Named as the flags are: the same checks as the API's, in the CLI's words.
        print(
            "--to must be after --from"
            if error.argument == "range"
            else f"--from/--to: {error.reason}"
        )
        return 2
    async with connected(settings):
        began = time.perf_counter()
        hours = await rebuild(start, end)
        print(f"rebuilt {hours:,} hours of analytics in {time.perf_counter() - began:.1f} s")
        # The store is rewritten whole whatever the range: each day from all its events.
        result = await store_for(settings).sync(wait=True, rebuild=True)
        print(f"rebuilt the analytical store: {result.describe()}")
        return 0
