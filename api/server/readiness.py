"""The database must be reachable before a request does any work: 503 with
``Retry-After`` when it is not.

The app starts without it (``lifespan``) and binds its documents on the first
request that finds it back (``Database.ensure_ready``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from pymongo.errors import PyMongoError
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.db.client import Database
from api.server import responses

log = logging.getLogger("api")


class Readiness:
    def __init__(self, app: ASGIApp, database: Database) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.database.ensure_ready()
        except PyMongoError as error:
            await unavailable(scope, error)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def unavailable(scope: Scope, error: PyMongoError) -> ASGIApp:
    """The answer when the database fails before the request is executed."""
    log.warning("database unavailable: %s", error)
    return responses.graphql_error(Headers(scope=scope), responses.unavailable())


def lifespan(database: Database) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def starting(app: Starlette) -> AsyncIterator[None]:
        try:
            await database.ensure_ready()
        except PyMongoError as error:
            # Serve anyway: /readyz reports the outage, GraphQL answers
            # SERVICE_UNAVAILABLE, and the first request after the database
            # returns finishes the start-up.
            log.error("database not reachable at start-up: %s", error)
        yield
        await database.close()

    return starting
