"""The MongoDB client, Beanie initialisation and index creation, shared by the
app, the CLI and the tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from beanie import Document, init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError
from pymongo.monitoring import CommandListener

from api.analytics.documents import AnalyticsDay, AnalyticsHour, AnalyticsSlices
from api.auth.documents import AUTH_DOCUMENTS
from api.customers.documents import Customer
from api.db.errors import is_duplicate_key
from api.events.documents import Event
from api.ratelimit.documents import RateCounter
from api.sessions.documents import Session
from api.settings import Settings

log = logging.getLogger("api.db")

DOCUMENT_MODELS: list[type[Document]] = [
    Customer,
    Session,
    Event,
    AnalyticsHour,
    AnalyticsDay,
    AnalyticsSlices,
    *AUTH_DOCUMENTS,
    RateCounter,
]


async def upsert_one(
    collection: AsyncCollection[dict[str, Any]], query: dict[str, Any], update: dict[str, Any]
) -> None:
    """An upsert that survives a concurrent upsert of the same document: the
    loser of the race gets a duplicate key and, retried, updates the winner's.
    (One command per document: FerretDB stalls on concurrent multi-document
    upsert batches.)"""
    try:
        await collection.update_one(query, update, upsert=True)
    except PyMongoError as error:
        if not is_duplicate_key(error):
            raise
        await collection.update_one(query, update, upsert=True)


def make_client(
    settings: Settings, listeners: Sequence[CommandListener] = ()
) -> AsyncMongoClient[dict[str, Any]]:
    timeout = settings.mongodb_timeout_ms
    return AsyncMongoClient(
        settings.mongodb_uri,
        tz_aware=True,
        # The driver's monitor wakes at most every 500 ms: below a second, a
        # request just after the database returns could time out before the
        # monitor has seen it back.
        serverSelectionTimeoutMS=max(timeout, 1000),
        connectTimeoutMS=timeout,
        socketTimeoutMS=timeout * 6,
        maxPoolSize=settings.mongodb_max_pool_size,
        retryWrites=True,
        retryReads=True,
        appname="tracking-api",
        event_listeners=list(listeners),
    )


async def ensure_indexes(database: AsyncDatabase[dict[str, Any]]) -> list[str]:
    """Create the declared indexes that are missing, one at a time; returns their names.

    Beanie's own index sync re-sends every index in one createIndexes command,
    and FerretDB 1.24 drops the connection when such a batch repeats indexes
    that already exist. Creating only what is missing is also cheaper at start-up.
    """
    created = []
    for model in DOCUMENT_MODELS:
        collection = database[model.get_collection_name()]
        existing = {index["name"] async for index in await collection.list_indexes()}
        for index in model.Settings.indexes:  # the IndexModels as declared
            name = index.document["name"]
            if name not in existing:
                await collection.create_indexes([index])
                created.append(f"{collection.name}.{name}")
    if created:
        log.info("created indexes: %s", ", ".join(created))
    return created


async def init_documents(client: AsyncMongoClient[dict[str, Any]], db_name: str) -> None:
    """Bind the documents to a database and create missing indexes (idempotent)."""
    database = client[db_name]
    await init_beanie(database=database, document_models=DOCUMENT_MODELS, skip_indexes=True)
    await ensure_indexes(database)


class Database:
    """The client plus lazy initialisation: the app starts even while the
    database is away, and binds the documents on the first request that finds
    it back."""

    def __init__(self, settings: Settings, listeners: Sequence[CommandListener] = ()) -> None:
        self.settings = settings
        self.client = make_client(settings, listeners)
        self._ready = False
        self._lock = asyncio.Lock()

    async def ensure_ready(self) -> None:
        if self._ready:
            return
        async with self._lock:
            if not self._ready:
                await init_documents(self.client, self.settings.mongodb_db)
                self._ready = True

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()
