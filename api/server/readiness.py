"""The database must be reachable before a request does any work: 503 with
``Retry-After`` when it is not.

The app starts without it (``lifespan``) and binds its documents on the first
request that finds it back (``Database.ensure_ready``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from pymongo.errors import PyMongoError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from api.customers.search import load_readers
from api.db.client import Database
from api.ingestion.context import load_parsers
from api.insights.store import store_for
from api.insights.sync import periodically
from api.server.gate import Gate
from api.settings import Settings

log = logging.getLogger("api")


class Readiness(Gate):
    async def check(self, request: Request) -> Response | None:
        await request.app.state.database.ensure_ready()
        return None


def lifespan(
    database: Database, settings: Settings
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def starting(app: Starlette) -> AsyncIterator[None]:
        try:
            await database.ensure_ready()
        except PyMongoError as error:
            # Serve anyway: /readyz reports the outage, GraphQL answers
            # SERVICE_UNAVAILABLE, and the first request after the database
            # returns finishes the start-up.
            log.error("database not reachable at start-up: %s", error)
        # Not awaited: the process serves while the readers load.
        loop = asyncio.get_running_loop()
        loading = [loop.run_in_executor(None, load) for load in (load_readers, load_parsers)]
        # The analytical store kept current (api/insights/sync.py).
        syncing = None
        if settings.insights_sync_seconds > 0:
            store = store_for(settings)
            syncing = asyncio.create_task(
                periodically(store, database, settings.insights_sync_seconds)
            )
        yield
        for future in loading:
            future.cancel()  # a no-op once running: the thread ends by itself
        if syncing is not None:
            syncing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await syncing
        await database.close()

    return starting
