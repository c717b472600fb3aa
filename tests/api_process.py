"""The API over real HTTP for tests and benchmarks: in this event loop
(``serve``), or as its own process (``start_api``) where process-wide
telemetry or a real shutdown matters."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

import httpx
import uvicorn
from pymongo import AsyncMongoClient
from starlette.types import ASGIApp

from api.auth.roles import Role
from api.auth.service import create_api_key
from api.db.client import init_documents
from infra import localdb
from infra.localdb import free_port

ROOT = Path(__file__).resolve().parents[1]


def start_api(
    uri: str,
    database: str,
    env: Mapping[str, str] | None = None,
    log: IO[str] | IO[bytes] | int = subprocess.DEVNULL,
    workers: int = 1,
    base: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    by_hand: bool = False,
) -> tuple[subprocess.Popen[bytes], str]:
    """``python -m api serve`` on a free port, once ready. Its environment:
    ``base`` (default: this process's), then the database, then ``env``.
    ``by_hand``: ``uvicorn api.main:app`` with uvicorn's defaults instead."""
    port = free_port()
    variables = {
        **(os.environ if base is None else base),
        "MONGODB_URI": uri,
        "MONGODB_DB": database,
        **(env or {}),
    }
    command = ["api", "serve"] if not by_hand else ["uvicorn", "api.main:app"]
    process = subprocess.Popen(
        [sys.executable, "-m", *command, "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=variables,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError("the API did not become ready")


async def admin_key(uri: str, database: str) -> str:
    """An admin API key in ``database``, for clients of an API in another
    process (this binds the documents to a client of its own, closed after)."""
    client = AsyncMongoClient[dict[str, Any]](uri, tz_aware=True)
    try:
        await init_documents(client, database)
        _, secret = await create_api_key("benchmarks", Role.ADMIN, "test")
        return secret
    finally:
        await client.close()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def stop_api(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=15)


@asynccontextmanager
async def serve(app: ASGIApp) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on a free port in this event loop; yields its URL."""
    port = localdb.free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="critical",
            lifespan="on",
            # As python -m api serve runs it.
            proxy_headers=False,
            server_header=False,
            # A request stuck on an absent database must not hold the test's end.
            timeout_graceful_shutdown=5,
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
