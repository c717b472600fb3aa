"""Sign-in throttling over real HTTP from two client addresses on loopback
(the server listens on 127.0.0.1; a client bound to 127.0.0.2 reaches it from
its own address), and the one answer every rate limit gives."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from api.auth.roles import Role
from api.auth.service import create_api_key, create_user, create_write_key
from api.server.app import create_app
from api.settings import Settings
from tests.api_process import serve
from tests.ingest_helpers import NOW, event
from tests.ratelimits import a_fresh_window

Db = AsyncDatabase[dict[str, Any]]
EMAIL, PASSWORD = "grace@staff.test", "a password long enough"
SIGN_IN = """mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { me { subject } }
}"""
ATTACKER, STAFF = "127.0.0.2", "127.0.0.1"


@asynccontextmanager
async def clients(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    """The served app, and one anonymous client from each address."""
    async with serve(create_app(settings)) as url:
        made = [
            httpx.AsyncClient(
                base_url=url,
                timeout=30,
                transport=httpx.AsyncHTTPTransport(local_address=address),
            )
            for address in (ATTACKER, STAFF)
        ]
        try:
            yield tuple(made)
        finally:
            for client in made:
                await client.aclose()


@pytest.fixture(autouse=True)
async def one_window() -> None:
    """Every test here counts sign-ins against a minute's limit."""
    await a_fresh_window(20)


async def sign_in(http: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    variables = {"email": email, "password": password}
    return await http.post("/graphql", json={"query": SIGN_IN, "variables": variables})


def outcome(response: httpx.Response) -> tuple[int, str]:
    errors = response.json().get("errors") or [{"extensions": {"code": "OK"}}]
    return response.status_code, errors[0]["extensions"]["code"]


def assert_rate_limited(response: httpx.Response) -> dict[str, Any]:
    """HTTP 429, Retry-After, RATE_LIMITED and retryAfter saying the same: the
    answer of every rate limit. The error, returned to compare shapes."""
    assert response.status_code == 429, response.text
    wait = response.headers["retry-after"]
    assert wait.isdigit() and 1 <= int(wait) <= 60, wait
    body = response.json()
    [error] = body["errors"] if "errors" in body else [body["error"]]
    fields = error.get("extensions", error)  # /v1/track has no extensions
    assert fields["code"] == "RATE_LIMITED"
    assert fields["retryAfter"] == int(wait)
    assert "Traceback" not in response.text
    return dict(error)


async def test_a_guesser_cannot_lock_out_the_owner(settings: Settings, db: Db) -> None:
    """OWASP: throttle per (address, account), never refuse the right password
    from another address because of someone else's failures."""
    await create_user(EMAIL, PASSWORD, Role.ADMIN, "test")
    quick = settings.model_copy(update={"sign_in_failure_ms": 100})
    assert quick.rate_limit_sign_in == 10
    async with clients(quick) as (attacker, staff):
        # One after another: FerretDB loses concurrent $inc on one document
        # (docs/security.md), MongoDB does not.
        guesses = [await sign_in(attacker, EMAIL, f"guess number {n}") for n in range(15)]
        assert [outcome(answer) for answer in guesses] == [(200, "UNAUTHENTICATED")] * 10 + [
            (429, "RATE_LIMITED")
        ] * 5
        for answer in guesses[10:]:
            assert_rate_limited(answer)
        # The owner, from their own address, signs in while the guesser is refused.
        mine = await sign_in(staff, EMAIL.upper(), PASSWORD)
        assert outcome(mine) == (200, "OK"), mine.text
        assert mine.json()["data"]["signIn"]["me"] == {"subject": EMAIL}
        assert "ct_session=" in mine.headers["set-cookie"]
        # From the guessing address even the right password waits (documented).
        assert_rate_limited(await sign_in(attacker, EMAIL, PASSWORD))
        # Another account from the guessing address still has its own allowance.
        other = await sign_in(attacker, "someone@staff.test", "a guess for them")
        assert outcome(other) == (200, "UNAUTHENTICATED")


async def test_one_address_trying_many_accounts_is_limited(settings: Settings, db: Db) -> None:
    await create_user(EMAIL, PASSWORD, Role.VIEWER, "test")
    limited = settings.model_copy(update={"rate_limit_sign_in_per_ip": 4, "sign_in_failure_ms": 0})
    async with clients(limited) as (attacker, staff):
        sprayed = [
            outcome(await sign_in(attacker, f"user{n}@staff.test", PASSWORD)) for n in range(6)
        ]
        assert sprayed == [(200, "UNAUTHENTICATED")] * 4 + [(429, "RATE_LIMITED")] * 2
        assert_rate_limited(await sign_in(attacker, EMAIL, PASSWORD))
        assert outcome(await sign_in(staff, EMAIL, PASSWORD)) == (200, "OK")


async def test_only_failures_count(settings: Settings, db: Db) -> None:
    """Staff behind one address (an office) signing in often are never limited."""
    await create_user(EMAIL, PASSWORD, Role.VIEWER, "test")
    limited = settings.model_copy(
        update={"rate_limit_sign_in": 2, "rate_limit_sign_in_per_ip": 2, "sign_in_failure_ms": 0}
    )
    async with clients(limited) as (_, staff):
        assert [outcome(await sign_in(staff, EMAIL, PASSWORD)) for _ in range(4)] == [
            (200, "OK")
        ] * 4
        wrong = [outcome(await sign_in(staff, EMAIL, "not it at all")) for _ in range(3)]
        assert wrong == [(200, "UNAUTHENTICATED")] * 2 + [(429, "RATE_LIMITED")]


async def test_a_failed_sign_in_takes_its_minimum_time(settings: Settings, db: Db) -> None:
    """Slows a guesser; an unknown email takes as long as a wrong password."""
    await create_user(EMAIL, PASSWORD, Role.VIEWER, "test")
    assert settings.sign_in_failure_ms == 1000
    async with clients(settings) as (_, staff):
        for email in (EMAIL, "nobody@staff.test"):
            started = time.monotonic()
            answer = await sign_in(staff, email, "not the password")
            took = time.monotonic() - started
            assert outcome(answer) == (200, "UNAUTHENTICATED")
            assert took >= 1.0, (email, took)


async def test_every_rate_limit_answers_alike(settings: Settings, db: Db) -> None:
    """Per key and per address before GraphQL runs, sign-in inside its
    resolver, and POST /v1/track: 429, Retry-After, RATE_LIMITED, retryAfter."""
    await create_user(EMAIL, PASSWORD, Role.VIEWER, "test")
    _, key = await create_api_key("reader", Role.VIEWER, "test")
    website = await create_write_key("Shop", "test")
    limited = settings.model_copy(
        update={
            "rate_limit_per_key": 1,
            "rate_limit_per_ip": 50,
            "rate_limit_per_write_key": 1,
            "rate_limit_sign_in": 1,
            "sign_in_failure_ms": 0,
        }
    )
    bearer = {"Authorization": f"Bearer {key}"}
    async with clients(limited) as (attacker, staff):
        query = {"query": "{ me { kind } }"}
        assert (await staff.post("/graphql", json=query, headers=bearer)).status_code == 200
        per_key = assert_rate_limited(await staff.post("/graphql", json=query, headers=bearer))

        assert outcome(await sign_in(attacker, EMAIL, "wrong guess")) == (200, "UNAUTHENTICATED")
        signin = assert_rate_limited(await sign_in(attacker, EMAIL, "wrong guess"))
        assert signin["message"].startswith("more than 1 failed sign-ins a minute; retry in ")
        assert set(signin["extensions"]) == set(per_key["extensions"]) == {"code", "retryAfter"}

        def batch(n: int) -> dict[str, Any]:
            return {"writeKey": website.key, "events": [event(f"t{n}", NOW)]}

        assert (await staff.post("/v1/track", json=batch(1))).status_code == 200
        track = assert_rate_limited(await staff.post("/v1/track", json=batch(2)))
        assert set(track) == {"code", "message", "retryAfter"}
