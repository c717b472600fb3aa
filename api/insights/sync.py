"""The API process's background sync: every INSIGHTS_SYNC_SECONDS, the stale
days written, so new events are in the store within a minute. With several
processes only the one that holds the writer's lock writes; the others skip
that round (never waiting: the next round comes soon)."""

from __future__ import annotations

import asyncio
import logging

from pymongo.errors import PyMongoError

from api.db.client import Database
from api.insights.store import Store

log = logging.getLogger("api.insights")


async def periodically(store: Store, database: Database, seconds: float) -> None:
    while True:
        try:
            # The documents are bound on the first call that finds the database.
            await database.ensure_ready()
            await store.sync(wait=False)
        except asyncio.CancelledError:
            raise
        except PyMongoError as error:
            log.warning("insights sync: database unavailable: %s", error)
        except Exception:
            # One failed round (a full disk, an S3 outage) must not end the loop.
            log.exception("insights sync failed")
        await asyncio.sleep(seconds)
