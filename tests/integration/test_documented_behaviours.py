"""Behaviours the docs promise, each over real HTTP (and the real command line
where an operator would use it): docs/security.md, docs/operations.md,
docs/ingestion.md and docs/api.md."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from bson import ObjectId
from strawberry.relay import GlobalID

from api.auth.http import SESSION_COOKIE
from api.auth.roles import Role
from api.auth.secrets import digest
from api.auth.service import create_user, create_write_key
from api.settings import Settings
from tests.api_process import start_api, stop_api
from tests.conftest import Api
from tests.ingest_helpers import event
from tests.integration.test_access_cli import cli
from tests.ratelimits import a_fresh_window

PASSWORD = "correct horse battery"
ME = "{ me { kind subject } }"
CUSTOMERS = "{ customers { totalCount } }"
SIGN_IN = """mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { me { subject } } }"""


def batch() -> dict[str, Any]:
    return {"events": [event("v1", datetime.now(UTC) - timedelta(minutes=1))]}


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@asynccontextmanager
async def api_process(settings: Settings, env: Mapping[str, str]) -> AsyncIterator[str]:
    """``python -m api serve`` on the test's database, configured by ``env``."""
    process, url = await asyncio.to_thread(
        start_api, settings.mongodb_uri, settings.mongodb_db, env
    )
    try:
        yield url
    finally:
        await asyncio.to_thread(stop_api, process)


# ---------------------------------------------------------------- sessions


async def sign_in(url: str, email: str, password: str) -> tuple[dict[str, Any], str | None]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as anonymous:
        response = await anonymous.post(
            "/graphql", json={"query": SIGN_IN, "variables": {"email": email, "password": password}}
        )
    assert response.status_code == 200, response.text
    return response.json(), response.cookies.get(SESSION_COOKIE)


async def with_cookie(url: str, token: str, query: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        response = await client.post(
            "/graphql", json={"query": query}, headers={"Cookie": f"{SESSION_COOKIE}={token}"}
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_users_set_password_ends_every_session_of_that_user(api: Api, settings):
    """docs/operations.md, "A credential leaked": ``users set-password`` ends
    all their sessions; other users stay signed in."""
    await create_user("ann@example.com", PASSWORD, Role.ANALYST, "test")
    await create_user("bob@example.com", PASSWORD, Role.ANALYST, "test")
    tokens = []
    for _ in range(2):  # two browsers
        body, token = await sign_in(api.url, "ann@example.com", PASSWORD)
        assert "errors" not in body and token, body
        tokens.append(token)
    _, other = await sign_in(api.url, "bob@example.com", PASSWORD)
    assert other
    for token in tokens:
        assert (await with_cookie(api.url, token, ME))["data"]["me"]["subject"] == "ann@example.com"

    result = await cli(
        settings,
        *("users", "set-password", "--email", "ann@example.com", "--password-stdin"),
        stdin="a new and long password\n",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "password of ann@example.com changed; their sessions were ended\n"

    for token in tokens:
        assert (await with_cookie(api.url, token, ME))["data"]["me"] is None
        assert codes(await with_cookie(api.url, token, CUSTOMERS)) == ["UNAUTHENTICATED"]
    assert (await with_cookie(api.url, other, ME))["data"]["me"]["subject"] == "bob@example.com"
    assert codes((await sign_in(api.url, "ann@example.com", PASSWORD))[0]) == ["UNAUTHENTICATED"]
    body, token = await sign_in(api.url, "ann@example.com", "a new and long password")
    assert "errors" not in body and token


# ---------------------------------------------------------------- ingestion settings


async def test_rate_limit_per_write_key(settings, db):
    """docs/security.md, "Rate limits": RATE_LIMIT_PER_WRITE_KEY requests a
    minute per write key, however the key is sent; over it 429 RATE_LIMITED
    with Retry-After; another website's key is not charged."""
    limited = (await create_write_key("limited.example", "test")).key
    other = (await create_write_key("other.example", "test")).key
    async with (
        api_process(settings, {"RATE_LIMIT_PER_WRITE_KEY": "3"}) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        await a_fresh_window()
        bearer = {"Authorization": f"Bearer {limited}"}
        sent = [
            await http.post("/v1/track", json={**batch(), "writeKey": limited}),
            await http.post("/v1/track", json=batch(), headers=bearer),
            await http.post("/v1/track", json={**batch(), "writeKey": limited}),
        ]
        assert [response.status_code for response in sent] == [200, 200, 200]
        for refused in (
            await http.post("/v1/track", json=batch(), headers=bearer),
            await http.post("/v1/track", json={**batch(), "writeKey": limited}),
        ):
            assert refused.status_code == 429, refused.text
            assert refused.json()["error"]["code"] == "RATE_LIMITED"
            assert 1 <= int(refused.headers["retry-after"]) <= 60
        allowed = await http.post("/v1/track", json={**batch(), "writeKey": other})
        assert allowed.status_code == 200, allowed.text
    assert await db["events"].count_documents({}) == 4


async def test_track_origins_star_allows_any_origin(settings, db):
    """docs/ingestion.md: TRACK_ORIGINS=* sends CORS headers to any origin,
    for the preflight and for the events themselves."""
    key = (await create_write_key("shop.example", "test")).key
    async with (
        api_process(settings, {"TRACK_ORIGINS": "*"}) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        for origin in ("https://any-shop.example", "http://localhost:5173"):
            preflight = await http.options(
                "/v1/track",
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type",
                },
            )
            assert preflight.status_code in (200, 204), preflight.text
            assert preflight.headers["access-control-allow-origin"] in (origin, "*")
            assert "POST" in preflight.headers["access-control-allow-methods"]
            sent = await http.post(
                "/v1/track", json={**batch(), "writeKey": key}, headers={"Origin": origin}
            )
            assert sent.status_code == 200, sent.text
            assert sent.headers["access-control-allow-origin"] in (origin, "*")


# ---------------------------------------------------------------- keys

CREATE_WRITE_KEY = "mutation($w: String!) { createWriteKey(website: $w) { id key revokedAt } }"
REVOKE_WRITE_KEY = "mutation($id: ID!) { revokeWriteKey(id: $id) { id website revokedAt } }"
REVOKE_API_KEY = "mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }"


async def test_revoke_write_key_over_graphql(api: Api, db):
    """docs/security.md: a revoked write key's events are refused with 401,
    in the body or as bearer; revoking again changes nothing."""
    made = (await api.data(CREATE_WRITE_KEY, w="shop.example"))["createWriteKey"]
    assert made["revokedAt"] is None
    async with await api.client() as anonymous:
        sent = await anonymous.post("/v1/track", json={**batch(), "writeKey": made["key"]})
        assert sent.status_code == 200, sent.text

        revoked = (await api.data(REVOKE_WRITE_KEY, id=made["id"]))["revokeWriteKey"]
        assert (revoked["id"], revoked["website"]) == (made["id"], "shop.example")
        assert revoked["revokedAt"] is not None
        for refused in (
            await anonymous.post("/v1/track", json={**batch(), "writeKey": made["key"]}),
            await anonymous.post(
                "/v1/track", json=batch(), headers={"Authorization": f"Bearer {made['key']}"}
            ),
        ):
            assert refused.status_code == 401, refused.text
            assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
    again = (await api.data(REVOKE_WRITE_KEY, id=made["id"]))["revokeWriteKey"]
    assert again["revokedAt"] == revoked["revokedAt"]
    assert await db["events"].count_documents({}) == 1
    log = await api.data('{ auditLog(action: "writeKey.revoke") { nodes { target } } }')
    assert len(log["auditLog"]["nodes"]) == 1


async def test_revoking_an_unknown_key_is_not_found(api: Api, db):
    """docs/api.md: NOT_FOUND when a revoke's key does not exist; nothing is recorded."""
    for mutation, type_name in ((REVOKE_WRITE_KEY, "WriteKey"), (REVOKE_API_KEY, "ApiKey")):
        missing = str(GlobalID(type_name, str(ObjectId())))
        body = await api.graphql(mutation, id=missing)
        assert body["data"] is None
        assert codes(body) == ["NOT_FOUND"], body
        assert missing in body["errors"][0]["message"]
    assert await db["audit_log"].count_documents({"action": {"$regex": "revoke"}}) == 0


# ---------------------------------------------------------------- the audit log

AUDIT_PAGE = """query($first: Int, $after: String, $action: String) {
  auditLog(first: $first, after: $after, action: $action) {
    edges { cursor node { at action target } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def every_page(api: Api, size: int, action: str | None = None) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        found = (await api.data(AUDIT_PAGE, first=size, after=after, action=action))["auditLog"]
        assert len(found["edges"]) <= size
        seen += [edge["node"] for edge in found["edges"]]
        if not found["pageInfo"]["hasNextPage"]:
            return seen
        assert found["edges"], "a next page after an empty one"
        after = found["pageInfo"]["endCursor"]
        assert after == found["edges"][-1]["cursor"]


async def test_audit_log_pages_with_after(api: Api, db):
    """docs/security.md: ``auditLog(action, first, after)``, newest first
    (schema); pages follow one another without a gap or a repeat, with or
    without the action filter."""
    for index in range(23):
        key = await create_write_key(f"site{index}.example", "test")
        if index % 3 == 0:
            await api.data(REVOKE_WRITE_KEY, id=str(GlobalID("WriteKey", str(key.id))))
    stored = await db["audit_log"].find().sort([("at", -1), ("_id", -1)]).to_list()
    assert len(stored) > 20  # more than a default page

    def expected(action: str | None) -> list[tuple[str, str]]:
        return [(doc["action"], doc["target"]) for doc in stored if action in (None, doc["action"])]

    for size, action in ((5, None), (7, "writeKey.create"), (3, "writeKey.revoke")):
        pages = await every_page(api, size, action)
        assert [(node["action"], node["target"]) for node in pages] == expected(action)
        moments = [datetime.fromisoformat(node["at"]) for node in pages]
        assert moments == sorted(moments, reverse=True)
    # The default page, then the rest after its end.
    first = (await api.data(AUDIT_PAGE))["auditLog"]
    assert len(first["edges"]) == 20 and first["pageInfo"]["hasNextPage"]
    rest = (await api.data(AUDIT_PAGE, after=first["pageInfo"]["endCursor"]))["auditLog"]
    targets = [edge["node"]["target"] for edge in first["edges"] + rest["edges"]]
    assert targets == [target for _, target in expected(None)][: len(targets)]
    assert len(targets) == min(len(stored), 40)


# ---------------------------------------------------------------- lastUsedAt


async def last_used(db, collection: str, query: dict[str, Any]) -> datetime | None:
    found = await db[collection].find_one(query)
    assert found is not None
    moment: datetime | None = found.get("lastUsedAt")
    return moment


async def test_last_used_at_is_written_at_most_once_a_minute(api: Api, db, website):
    """docs/security.md: ``lastUsedAt`` is kept to the minute, one write a
    minute at most, for API keys and write keys alike."""
    viewer = await api.key_for(Role.VIEWER)
    async with await api.client(viewer) as http:

        async def use_api_key() -> None:
            assert (await http.post("/graphql", json={"query": CUSTOMERS})).status_code == 200

        async def use_write_key() -> None:
            assert (await website.track(batch())).status_code == 200

        api_key = {"keyHash": digest(viewer)}
        write_key = {"key": website.key}
        for use, collection, query in (
            (use_api_key, "api_keys", api_key),
            (use_write_key, "write_keys", write_key),
        ):
            assert await last_used(db, collection, query) is None
            await use()
            first = await last_used(db, collection, query)
            assert first is not None
            assert abs(datetime.now(UTC) - first) < timedelta(seconds=10)
            await use()
            assert await last_used(db, collection, query) == first

            # Used 30 s ago: not written again; two minutes ago: written.
            recently = first - timedelta(seconds=30)
            await db[collection].update_one(query, {"$set": {"lastUsedAt": recently}})
            await use()
            assert await last_used(db, collection, query) == recently
            long_ago = first - timedelta(minutes=2)
            await db[collection].update_one(query, {"$set": {"lastUsedAt": long_ago}})
            await use()
            moved = await last_used(db, collection, query)
            assert moved is not None and moved >= first
