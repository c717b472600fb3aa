"""Signing in, sessions, API keys, write keys, rate limits and the headers and
switches that differ between stages, all over real HTTP on a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pymongo.asynchronous.database import AsyncDatabase

from api.auth.roles import Role
from api.auth.secrets import digest
from api.auth.service import (
    create_api_key,
    create_user,
    create_write_key,
    set_disabled,
    set_role,
)
from api.server.app import create_app
from api.settings import Settings, Stage
from tests.api_process import serve
from tests.conftest import Api
from tests.ingest_helpers import event

Db = AsyncDatabase[dict[str, Any]]
EMAIL, PASSWORD = "grace@staff.test", "a password long enough"
SIGN_IN = """mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { me { subject role kind } expiresAt }
}"""
ME = "{ me { subject role kind permissions } }"
CUSTOMERS = "{ customers(first: 1) { totalCount } }"


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


async def post(
    http: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None, **variables: Any
) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@asynccontextmanager
async def signed_in(api: Api, role: Role = Role.VIEWER) -> AsyncIterator[httpx.AsyncClient]:
    await create_user(EMAIL, PASSWORD, role, "test")
    async with await api.client() as http:
        body = await post(http, SIGN_IN, email=EMAIL.upper(), password=PASSWORD)
        me = body["data"]["signIn"]["me"]
        assert me == {"subject": EMAIL, "role": role.name, "kind": "staff"}
        yield http


async def test_sign_in_sets_a_strict_http_only_cookie_that_authenticates(api: Api) -> None:
    await create_user(EMAIL, PASSWORD, Role.VIEWER, "test")
    async with await api.client() as http:
        assert codes(await post(http, CUSTOMERS)) == ["UNAUTHENTICATED"]
        response = await http.post(
            "/graphql", json={"query": SIGN_IN, "variables": {"email": EMAIL, "password": PASSWORD}}
        )
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("ct_session=")
        for flag in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age=43200"):
            assert flag.lower() in cookie.lower(), cookie
        assert "secure" not in cookie.lower()  # dev over http://; other stages: next test
        assert (await post(http, ME))["data"]["me"]["permissions"] == ["read"]
        assert (await post(http, CUSTOMERS))["data"]["customers"]["totalCount"] == 0


async def test_cookies_are_secure_outside_dev(settings: Settings, db: Db) -> None:
    await create_user(EMAIL, PASSWORD, Role.VIEWER, "test")
    staging = settings.model_copy(update={"stage": Stage.STAGING})
    async with serve(create_app(staging)) as url, httpx.AsyncClient(base_url=url) as http:
        response = await http.post(
            "/graphql", json={"query": SIGN_IN, "variables": {"email": EMAIL, "password": PASSWORD}}
        )
        assert "; secure" in response.headers["set-cookie"].lower()
        assert "max-age=63072000" in response.headers["strict-transport-security"]


async def test_wrong_password_and_unknown_email_are_told_apart_by_nobody(api: Api) -> None:
    await create_user(EMAIL, PASSWORD, Role.VIEWER, "test")
    async with await api.client() as http:
        wrong = await post(http, SIGN_IN, email=EMAIL, password="not the password")
        unknown = await post(http, SIGN_IN, email="nobody@staff.test", password=PASSWORD)
    assert wrong["errors"][0]["message"] == unknown["errors"][0]["message"]
    assert codes(wrong) == codes(unknown) == ["UNAUTHENTICATED"]


async def test_sign_out_revokes_the_session_even_if_the_cookie_is_kept(api: Api, db: Db) -> None:
    async with signed_in(api) as http:
        token = http.cookies["ct_session"]
        assert (await post(http, "mutation { signOut }"))["data"]["signOut"] is True
        stored = await db["staff_sessions"].find_one({"tokenHash": digest(token)})
        assert stored is not None and stored["revokedAt"] is not None
        assert await db["staff_sessions"].count_documents({"tokenHash": token}) == 0
    async with await api.client() as replay:
        replay.cookies.set("ct_session", token)
        assert codes(await post(replay, CUSTOMERS)) == ["UNAUTHENTICATED"]


async def test_expired_sessions_and_disabled_users_are_signed_out(api: Api, db: Db) -> None:
    async with signed_in(api) as http:
        await db["staff_sessions"].update_many(
            {}, {"$set": {"expiresAt": datetime.now(UTC) - timedelta(seconds=1)}}
        )
        assert codes(await post(http, CUSTOMERS)) == ["UNAUTHENTICATED"]
        await post(http, SIGN_IN, email=EMAIL, password=PASSWORD)
        assert "errors" not in await post(http, CUSTOMERS)
        await set_disabled(EMAIL, True, "test")
        assert codes(await post(http, CUSTOMERS)) == ["UNAUTHENTICATED"]
        assert codes(await post(http, SIGN_IN, email=EMAIL, password=PASSWORD)) == [
            "UNAUTHENTICATED"
        ]


async def test_a_role_change_applies_to_open_sessions_at_once(api: Api) -> None:
    events = "{ events(first: 1) { nodes { id } } }"
    async with signed_in(api) as http:
        assert codes(await post(http, events)) == ["FORBIDDEN"]
        await set_role(EMAIL, Role.ANALYST, "test")
        assert "errors" not in await post(http, events)


async def test_api_keys_are_stored_hashed_and_stop_at_revocation(api: Api, db: Db) -> None:
    created = await api.data(
        'mutation { createApiKey(name: "BI export", role: VIEWER) '
        "{ secret apiKey { id prefix role lastUsedAt } } }"
    )
    secret = created["createApiKey"]["secret"]
    key = created["createApiKey"]["apiKey"]
    assert secret.startswith(key["prefix"]) and key["lastUsedAt"] is None
    stored = await db["api_keys"].find_one({"name": "BI export"})
    assert stored is not None and secret not in str(stored) and stored["keyHash"] == digest(secret)

    async with await api.client(secret) as http:
        assert (await post(http, ME))["data"]["me"]["kind"] == "api_key"
        assert "errors" not in await post(http, CUSTOMERS)
        listed = await api.data("{ apiKeys { nodes { name lastUsedAt } } }")
        used = {item["name"]: item["lastUsedAt"] for item in listed["apiKeys"]["nodes"]}
        assert used["BI export"] is not None
        await api.data("mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }", id=key["id"])
        response = await http.post("/graphql", json={"query": CUSTOMERS})
        assert response.status_code == 401
        assert codes(response.json()) == ["UNAUTHENTICATED"]
        assert response.headers["www-authenticate"] == "Bearer"
    audit = await api.data("{ auditLog { nodes { action actor } } }")
    actions = [entry["action"] for entry in audit["auditLog"]["nodes"]]
    assert actions[:2] == ["apiKey.revoke", "apiKey.create"]


async def test_write_keys_send_events_and_nothing_else(api: Api, db: Db) -> None:
    key = (await create_write_key("shop", "test")).key
    now = datetime.now(UTC) - timedelta(minutes=1)
    batch = {"events": [event("v1", now)], "writeKey": key}
    async with await api.client() as anonymous:
        refused = await anonymous.post("/v1/track", json={"events": [event("v1", now)]})
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
        accepted = await anonymous.post("/v1/track", json=batch)
        assert accepted.status_code == 200 and accepted.json()["accepted"] == 1
        wrong = await anonymous.post("/v1/track", json={**batch, "writeKey": "ctw_nope"})
        assert wrong.status_code == 401
        viewer = await api.key_for(Role.VIEWER)
        forbidden = await anonymous.post(
            "/v1/track",
            json={"events": [event("v2", now)]},
            headers={"Authorization": f"Bearer {viewer}"},
        )
        assert forbidden.status_code == 403
    async with await api.client(key) as website:
        assert codes(await post(website, CUSTOMERS)) == ["FORBIDDEN"]
        assert (await post(website, ME))["data"]["me"]["kind"] == "website"
    assert await db["events"].count_documents({}) == 1


async def test_rate_limits_hold_across_instances(settings: Settings, db: Db, api: Api) -> None:
    """Two app instances on one database share each key's counter."""
    limited = settings.model_copy(update={"rate_limit_per_key": 3})
    key = await api.key_for(Role.VIEWER)
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        serve(create_app(limited)) as first,
        serve(create_app(limited)) as second,
        httpx.AsyncClient(headers=headers) as http,
    ):
        answers = []
        for url in (first, second, first, second):
            answers.append(await http.post(f"{url}/graphql", json={"query": CUSTOMERS}))
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert codes(refused.json()) == ["RATE_LIMITED"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # Another key has its own allowance.
    async with serve(create_app(limited)) as url, await api.client() as http:
        other = {"Authorization": f"Bearer {await api.key_for(Role.VIEWER)}"}
        response = await http.post(f"{url}/graphql", json={"query": CUSTOMERS}, headers=other)
        assert response.status_code == 200


async def test_anonymous_callers_are_limited_per_address(settings: Settings, db: Db) -> None:
    limited = settings.model_copy(update={"rate_limit_per_ip": 2, "trust_forwarded_for": True})
    async with serve(create_app(limited)) as url, httpx.AsyncClient(base_url=url) as http:

        async def status(address: str) -> int:
            headers = {"X-Forwarded-For": f"203.0.113.9, {address}"}
            response = await http.post("/graphql", json={"query": ME}, headers=headers)
            return response.status_code

        assert [await status("198.51.100.1") for _ in range(3)] == [200, 200, 429]
        assert await status("198.51.100.2") == 200


async def test_sign_in_failures_are_limited_per_address_and_account(
    settings: Settings, db: Db
) -> None:
    """More in tests/integration/test_signin_throttle.py, from two addresses."""
    limited = settings.model_copy(update={"rate_limit_sign_in": 2, "sign_in_failure_ms": 0})
    await create_user(EMAIL, PASSWORD, Role.VIEWER, "test")
    async with serve(create_app(limited)) as url, httpx.AsyncClient(base_url=url) as http:
        answers = [
            await http.post(
                "/graphql", json={"query": SIGN_IN, "variables": {"email": EMAIL, "password": p}}
            )
            for p in ("guess", "guess", "guess", PASSWORD)
        ]
    assert [(a.status_code, codes(a.json())) for a in answers] == [
        (200, ["UNAUTHENTICATED"]),
        (200, ["UNAUTHENTICATED"]),
        (429, ["RATE_LIMITED"]),
        # From the address that failed, even the right password waits.
        (429, ["RATE_LIMITED"]),
    ]
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 60


async def test_production_turns_off_introspection_and_graphiql(settings: Settings, db: Db) -> None:
    prod = settings.model_copy(update={"stage": Stage.PROD})
    introspection = "{ __schema { queryType { name } } }"
    _, secret = await create_api_key("schema reader", Role.VIEWER, "test")
    staff = {"Authorization": f"Bearer {secret}"}
    async with serve(create_app(prod)) as url, httpx.AsyncClient(base_url=url) as http:
        assert codes(await post(http, introspection)) == ["FORBIDDEN"]
        assert (await post(http, "{ __typename }"))["data"] == {"__typename": "Query"}
        assert (await http.get("/graphql", headers={"Accept": "text/html"})).status_code == 404
        assert (await http.get("/demo/")).status_code == 404
    opened = prod.model_copy(update={"graphql_introspection": True})
    async with serve(create_app(opened)) as url, httpx.AsyncClient(base_url=url) as http:
        assert "errors" not in await post(http, introspection, headers=staff)
        # Turned on, it is still only for staff, like "Did you mean" suggestions.
        assert codes(await post(http, introspection)) == ["FORBIDDEN"]


async def test_only_staff_may_introspect(api: Api) -> None:
    introspection = '{ __type(name: "Customer") { fields { name } } }'
    assert "errors" not in await api.graphql(introspection)
    write_key = await api.website_key()
    for token in (None, write_key):
        async with await api.client(token) as http:
            body = await post(http, introspection)
        assert codes(body) == ["FORBIDDEN"]
        assert body["data"] is None or body["data"]["__type"] is None
        # Nothing of the type's fields comes back.
        assert "email" not in str(body)


async def test_graphiql_needs_the_analyst_role(api: Api) -> None:
    html = {"Accept": "text/html"}
    async with await api.client() as anonymous:
        page = await anonymous.get("/graphql", headers=html)
        assert page.status_code == 401 and "/signin?next=/graphql" in page.text
    async with await api.client(await api.key_for(Role.VIEWER)) as viewer:
        assert (await viewer.get("/graphql", headers=html)).status_code == 403
    async with await api.client(await api.key_for(Role.ANALYST)) as analyst:
        page = await analyst.get("/graphql", headers=html)
        assert page.status_code == 200 and "graphiql" in page.text.lower()
        policy = page.headers["content-security-policy"]
        assert "'nonce-" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]


async def test_security_headers_and_cors(settings: Settings, db: Db) -> None:
    spa_origin = "https://staff.example"
    configured = settings.model_copy(update={"cors_origins": spa_origin})
    async with serve(create_app(configured)) as url, httpx.AsyncClient(base_url=url) as http:
        for path in ("/graphql", "/healthz", "/tracker.js", "/"):
            response = await http.request("POST" if path == "/graphql" else "GET", path, json={})
            headers = response.headers
            assert headers["x-content-type-options"] == "nosniff", path
            assert headers["x-frame-options"] == "DENY", path
            assert headers["referrer-policy"] == "no-referrer", path
            assert "frame-ancestors 'none'" in headers["content-security-policy"], path
            corp = "cross-origin" if path == "/tracker.js" else "same-origin"
            assert headers["cross-origin-resource-policy"] == corp, path

        preflight = await http.options(
            "/graphql",
            headers={"Origin": spa_origin, "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == spa_origin
        assert preflight.headers["access-control-allow-credentials"] == "true"
        stranger = await http.options(
            "/graphql",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in stranger.headers
        simple = await http.post(
            "/graphql", json={"query": ME}, headers={"Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in simple.headers
