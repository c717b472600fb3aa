"""What every command of ``python -m api`` starts and ends with: the
environment's settings, and the database with the documents bound."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from api.db.client import init_documents, make_client
from api.settings import Settings, settings_or_exit


def run(command: Callable[[Settings], Coroutine[Any, Any, int]]) -> int:
    """``command`` with the environment's settings (a bad one ends the process
    with its one-line error), on an event loop of its own; its exit status."""
    return asyncio.run(command(settings_or_exit()))


@asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """The database with the documents bound and missing indexes made; the
    client is closed when the command is done, however it ends."""
    client = make_client(settings)
    try:
        await init_documents(client, settings.mongodb_db)
        yield client[settings.mongodb_db]
    finally:
        await client.close()
