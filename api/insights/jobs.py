"""The store's scheduled work on Lambda (serverless.yml): the sync every
minute, and the export of the previous UTC day to the bucket under
``exports/``. Each run has its own event loop and database client."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from api.db.client import init_documents, make_client
from api.insights.export import export_day
from api.insights.store import store_for
from api.settings import Settings


async def sync_once(settings: Settings) -> dict[str, Any]:
    client = make_client(settings)
    try:
        await init_documents(client, settings.mongodb_db)
        # The function runs one at a time (reserved concurrency 1); the wait
        # only matters for an erasure's sync in an API container meanwhile.
        result = await store_for(settings).sync(wait=True)
    finally:
        await client.close()
    return {"days": result.days_written, "rows": result.rows, "bytes": result.bytes,
            "customers": result.customers, "seconds": round(result.seconds, 3)}  # fmt: skip


def export_key(settings: Settings, day: date) -> str:
    return f"exports/{settings.mongodb_db}/events-{day.isoformat()}.parquet"


async def export_previous_day(settings: Settings, today: date | None = None) -> dict[str, Any]:
    day = (today or datetime.now(UTC).date()) - timedelta(days=1)
    store = store_for(settings)
    client = make_client(settings)
    try:
        await init_documents(client, settings.mongodb_db)
        with tempfile.TemporaryDirectory(prefix="insights-export-") as folder:
            out = Path(folder) / f"events-{day.isoformat()}.parquet"
            rows = await export_day(store, day, "parquet", out)
            key = export_key(settings, day)
            if store.mirror is not None:
                store.mirror.put(out, key)
    finally:
        await client.close()
    return {"day": day.isoformat(), "rows": rows, "key": key}
