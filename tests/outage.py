"""A database that really goes away: the set-up of the outage tests
(``tests/integration/test_outage.py``, ``tests/e2e/test_tracker_outage.py``).

Each test gets its own FerretDB (not the session-wide one of ``conftest``),
so that it can kill the process the app talks to and start it again on the
same port and data (``infra.localdb.restart``); and the real app on it, over
real HTTP, with a short ``MONGODB_TIMEOUT_MS`` so that failures come fast.
Use the ``outage`` fixture with ``from tests.outage import outage as outage``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from api.auth.roles import Role
from api.auth.service import create_api_key, create_write_key
from api.server.app import create_app
from api.settings import Settings
from infra import localdb
from tests.api_process import serve

T = TypeVar("T")
Db = AsyncDatabase[dict[str, Any]]

# The app's database timeout: selecting a server, connecting. Short, so that a
# request that needs the absent database fails within about a second.
TIMEOUT_MS = 500
DATABASE = "outage"


@dataclass(frozen=True)
class Credentials:
    """What the outage tests' clients authenticate with; the one place that knows."""

    api_key: str  # an admin API key, sent as a bearer token by every request
    write_key: str  # a website's write key, sent in /v1/track bodies as the snippet does

    @staticmethod
    async def create() -> Credentials:
        """Stored through the app's documents: call once the app has bound them."""
        _, api_key = await create_api_key("outage tests", Role.ADMIN, "test")
        write_key = await create_write_key("Outage test site", "test")
        return Credentials(api_key, write_key.key)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


@dataclass
class Outage:
    """The app on a private database server that the test can stop and restart."""

    folder: Path
    server: localdb.Server  # the running one; a restart replaces it
    settings: Settings
    url: str
    http: httpx.AsyncClient  # to the app, authenticated with credentials.headers
    credentials: Credentials
    db: Db  # the test's own client, straight to the database
    running: bool = True  # is server's process up (stopped ones are reaped)

    async def stop_database(self) -> None:
        """Kill the process that speaks the MongoDB protocol, as a crash would:
        connections drop mid-request and the port refuses new ones. Storage
        (FerretDB's PostgreSQL cluster) stays up; to the app the database is gone."""
        pid = self.server.pid
        assert pid is not None and self.running
        os.kill(pid, signal.SIGKILL)
        self.running = False
        await asyncio.to_thread(localdb.terminate, pid)  # returns once reaped
        assert not await asyncio.to_thread(localdb.ping, self.server.uri, 200)

    async def start_database(self) -> None:
        """Start it again on the same port and data; returns once it answers."""
        self.server = await asyncio.to_thread(localdb.restart, self.folder, self.server)
        self.running = True

    async def graphql(self, query: str, **variables: Any) -> httpx.Response:
        return await self.http.post("/graphql", json={"query": query, "variables": variables})

    async def track(self, events: list[dict[str, Any]], **extra: Any) -> httpx.Response:
        """POST /v1/track as the snippet does: a text/plain JSON body."""
        body = {"events": events, "writeKey": self.credentials.write_key, **extra}
        return await self.http.post(
            "/v1/track", json=body, headers={"Content-Type": "text/plain;charset=UTF-8"}
        )


def _clean_up(folder: Path, server: localdb.Server, running: bool) -> None:
    """Stops the database process if it runs (a stopped one was reaped: its pid
    may belong to another process by now) and FerretDB's PostgreSQL cluster."""
    if running:
        server.stop()
    elif server.postgres is not None:
        server.postgres.stop()
    shutil.rmtree(folder, ignore_errors=True)


def _spawn() -> tuple[Path, localdb.Server]:
    # Not under pytest's temporary folder, which PostgreSQL's user cannot enter.
    folder = Path(tempfile.mkdtemp(prefix="tracking-outage-db-"))
    folder.chmod(0o755)
    return folder, localdb.spawn(folder, localdb.free_port())


@pytest.fixture
async def outage() -> AsyncIterator[Outage]:
    folder, server = await asyncio.to_thread(_spawn)
    stack: Outage | None = None
    try:
        settings = Settings(
            mongodb_uri=server.uri, mongodb_db=DATABASE, mongodb_timeout_ms=TIMEOUT_MS
        )
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            server.uri, tz_aware=True, serverSelectionTimeoutMS=5000
        )
        try:
            async with serve(create_app(settings)) as url:
                credentials = await Credentials.create()
                async with httpx.AsyncClient(
                    base_url=url, headers=credentials.headers, timeout=30
                ) as http:
                    stack = Outage(
                        folder, server, settings, url, http, credentials, client[DATABASE]
                    )
                    yield stack
        finally:
            await client.close()
    finally:
        if stack is None:
            await asyncio.to_thread(_clean_up, folder, server, True)
        else:
            await asyncio.to_thread(_clean_up, folder, stack.server, stack.running)


async def wait_for(
    fetch: Callable[[], Awaitable[T]], ready: Callable[[T], bool], what: str, seconds: float
) -> T:
    """Polls ``fetch`` until ``ready`` holds; fails with the last value seen."""
    deadline = time.monotonic() + seconds
    value = await fetch()
    while not ready(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s; last seen: {value!r}")
        await asyncio.sleep(0.1)
        value = await fetch()
    return value


async def until(ready: Callable[[], bool], what: str, seconds: float) -> None:
    """Waits until ``ready()`` holds, while other tasks run; fails after ``seconds``."""
    await wait_for(lambda: asyncio.sleep(0, ready()), bool, what, seconds)
