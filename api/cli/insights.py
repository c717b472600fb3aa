"""``python -m api insights sync|rebuild|status`` and ``python -m api export``:
the analytical store (api/insights/store.py, docs/analytics.md)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from api.cli.command import connected
from api.insights.export import Format, export_day
from api.insights.store import store_for
from api.settings import Settings


async def run_insights(settings: Settings, action: str) -> int:
    async with connected(settings):
        store = store_for(settings)
        if action == "status":
            print(json.dumps(await store.status(), indent=2))
            return 0
        # The command waits for a writer at work (the API's sync) and then writes.
        result = await store.sync(wait=True, rebuild=action == "rebuild")
        print(f"insights {action}: {result.describe()} ({store.root})")
        return 0


async def run_export(settings: Settings, day: date, fmt: Format, out: Path | None) -> int:
    target = out or Path(f"events-{day.isoformat()}.{fmt}")
    async with connected(settings):
        rows = await export_day(store_for(settings), day, fmt, target)
    print(f"exported {rows:,} events of {day.isoformat()} to {target}", file=sys.stderr)
    return 0
