"""Fixtures: one real database server per test run, one database per test,
and the real app behind a real HTTP server."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.monitoring import (
    CommandFailedEvent,
    CommandListener,
    CommandStartedEvent,
    CommandSucceededEvent,
)

from api.auth.documents import ApiKey, StaffSession, WriteKey
from api.auth.roles import Role
from api.auth.service import create_api_key, create_write_key
from api.db.client import init_documents, make_client
from api.ratelimit.documents import RateCounter
from api.server.app import create_app
from api.settings import Settings
from infra import localdb
from tests.api_process import serve

# The analytical store of every test (and of the servers they start) in a
# folder of this run, never the dev data's; no background sync unless a test
# asks for one (it would add its commands to the ones tests count).
os.environ.setdefault("INSIGHTS_DIR", tempfile.mkdtemp(prefix="tracking-test-insights-"))
os.environ.setdefault("INSIGHTS_SYNC_SECONDS", "0")

# Commands the driver sends on its own; they are not the app's queries.
_HOUSEKEEPING = {"hello", "isMaster", "ismaster", "ping", "buildInfo", "buildinfo", "endSessions"}


# Checking the caller and counting their rate limit: the same small cost on
# every request (tests/integration/test_authorization.py), not the query's.
_ACCESS_COLLECTIONS = {
    model.Settings.name for model in (ApiKey, StaffSession, WriteKey, RateCounter)
}


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    """MONGODB_URI when set (CI with a MongoDB service), else a private server."""
    if os.environ.get("MONGODB_URI"):
        yield os.environ["MONGODB_URI"]
        return
    # Not under pytest's own temporary folder: that one is private to root, and
    # PostgreSQL (FerretDB's storage) runs as its own user.
    folder = Path(tempfile.mkdtemp(prefix="tracking-test-db-"))
    folder.chmod(0o755)
    server = localdb.spawn(folder, localdb.free_port())
    yield server.uri
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def settings(mongo_uri: str) -> Settings:
    return Settings(mongodb_uri=mongo_uri, mongodb_db=f"test_{uuid.uuid4().hex[:12]}")


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """The test's own database, with the documents bound to it."""
    client: AsyncMongoClient[dict[str, Any]] = make_client(settings)
    await init_documents(client, settings.mongodb_db)
    yield client[settings.mongodb_db]
    await client.drop_database(settings.mongodb_db)
    await client.close()


@dataclass
class CommandCounter(CommandListener):
    """Counts the database commands the app sends, by name."""

    counts: Counter[str] = field(default_factory=Counter)

    def started(self, event: CommandStartedEvent) -> None:
        if event.command_name in _HOUSEKEEPING:
            return
        if event.command.get(event.command_name) in _ACCESS_COLLECTIONS:
            return
        self.counts[event.command_name] += 1

    def succeeded(self, event: CommandSucceededEvent) -> None:
        pass

    def failed(self, event: CommandFailedEvent) -> None:
        pass

    def total(self) -> int:
        return sum(self.counts.values())

    def reset(self) -> None:
        self.counts.clear()


# What the test clients send as User-Agent: a visitor's browser. httpx's own
# ("python-httpx/...") is a script's, which ingestion stores as a bot's and
# analytics leave out; tests of bots send their own.
BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
AS_BROWSER = {"User-Agent": BROWSER}


class GraphQLCaller:
    """``graphql`` and ``data`` over ``http``, with whatever credential it sends."""

    http: httpx.AsyncClient

    async def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        """The data of a query that must succeed."""
        body = await self.graphql(query, **variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@dataclass
class Api(GraphQLCaller):
    """The served app; ``http`` sends an admin API key unless told otherwise."""

    url: str
    http: httpx.AsyncClient
    commands: CommandCounter
    admin_key: str = ""
    # Made on first use by website_key(): the write key of a website sending here.
    write_key: str = ""

    async def website_key(self) -> str:
        """The write key of one website, the same for the whole test."""
        if not self.write_key:
            self.write_key = (await create_write_key("tests.example", "test")).key
        return self.write_key

    async def key_for(self, role: Role) -> str:
        _, secret = await create_api_key(f"test {role.value}", role, "test")
        return secret

    async def client(self, token: str | None = None) -> httpx.AsyncClient:
        """Another client of the same server: with ``token`` as bearer, or anonymous."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.url, timeout=30, headers=AS_BROWSER | headers)


def unreachable(settings: Settings) -> Settings:
    """The same settings pointing at a port where no database listens."""
    return settings.model_copy(
        update={
            "mongodb_uri": f"mongodb://127.0.0.1:{localdb.free_port()}/",
            "mongodb_timeout_ms": 300,
        }
    )


@pytest.fixture
async def admin_headers(db: AsyncDatabase[dict[str, Any]]) -> dict[str, str]:
    """An admin API key's header, for clients of an API started some other way."""
    _, secret = await create_api_key("tests", Role.ADMIN, "test")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
async def api(settings: Settings, db: AsyncDatabase[dict[str, Any]]) -> AsyncIterator[Api]:
    """The app served over real HTTP, on the test's own database."""
    counter = CommandCounter()
    _, admin_key = await create_api_key("tests", Role.ADMIN, "test")
    async with (
        serve(create_app(settings, listeners=[counter])) as url,
        httpx.AsyncClient(
            base_url=url,
            timeout=30,
            headers={"Authorization": f"Bearer {admin_key}", **AS_BROWSER},
        ) as http,
    ):
        counter.reset()
        yield Api(url=url, http=http, commands=counter, admin_key=admin_key)


# How a website sends its write key to POST /v1/track: as the snippet does, in
# the JSON body, or as a bearer token (servers, and bodies that are not JSON).
Way = Literal["body", "bearer"]
WAYS: tuple[Way, ...] = ("body", "bearer")


@dataclass
class Website(GraphQLCaller):
    """A tracked website of the served app: only its write key, never an admin's."""

    key: str
    http: httpx.AsyncClient  # sends the write key as bearer
    anonymous: httpx.AsyncClient  # sends no credential at all

    async def track(
        self, body: dict[str, Any], way: Way = "bearer", content_type: str = "application/json"
    ) -> httpx.Response:
        """POST /v1/track with ``body`` as JSON and the write key sent ``way``."""
        if way == "body":
            content = json.dumps({**body, "writeKey": self.key}).encode()
            client = self.anonymous
        else:
            content = json.dumps(body).encode()
            client = self.http
        return await client.post(
            "/v1/track", content=content, headers={"Content-Type": content_type}
        )

    async def send(self, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
        """A raw body, JSON or not, to POST /v1/track; the key goes as bearer."""
        return await self.http.post("/v1/track", content=content, headers=headers)


@pytest.fixture
async def website(api: Api) -> AsyncIterator[Website]:
    """The website of ``api.website_key()``, with clients that carry no admin key."""
    key = await api.website_key()
    async with (
        httpx.AsyncClient(
            base_url=api.url, timeout=30, headers={"Authorization": f"Bearer {key}", **AS_BROWSER}
        ) as http,
        httpx.AsyncClient(base_url=api.url, timeout=30, headers=AS_BROWSER) as anonymous,
    ):
        yield Website(key=key, http=http, anonymous=anonymous)
