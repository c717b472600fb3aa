"""The MongoDB client and Beanie initialisation, shared by the app, the CLI and the tests."""

from __future__ import annotations

from collections.abc import Sequence

from beanie import init_beanie
from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandListener

from api.customers.documents import Customer
from api.events.documents import Event
from api.sessions.documents import Session
from api.settings import Settings

DOCUMENT_MODELS = [Customer, Session, Event]


def make_client(
    settings: Settings, listeners: Sequence[CommandListener] = ()
) -> AsyncMongoClient[dict[str, object]]:
    timeout = settings.mongodb_timeout_ms
    return AsyncMongoClient(
        settings.mongodb_uri,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout,
        connectTimeoutMS=timeout,
        socketTimeoutMS=timeout * 6,
        retryWrites=True,
        retryReads=True,
        appname="tracking-api",
        event_listeners=list(listeners),
    )


async def init_documents(client: AsyncMongoClient[dict[str, object]], db_name: str) -> None:
    """Bind the documents to a database and create their indexes (idempotent)."""
    await init_beanie(database=client[db_name], document_models=DOCUMENT_MODELS)
