"""Single sign-on: bearer JWTs from an identity provider whose public keys are
served as a JWKS by a real HTTP server next to the real app."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.server.app import create_app
from api.settings import Settings
from tests.api_process import serve
from tests.factories import insert_customers, insert_sessions

ISSUER = "https://idp.tracking.test/"
AUDIENCE = "tracking-api"
# A namespaced claim, as some providers require: proves the setting is used.
ROLE_CLAIM = "https://tracking.test/roles"
ME = "{ me { kind role subject permissions } }"
EVENTS = "{ events(first: 100) { totalCount nodes { databaseId } } }"
CUSTOMERS = "{ customers(first: 100) { totalCount } }"


@dataclass(frozen=True)
class Keys:
    rsa_key: rsa.RSAPrivateKey
    ec_key: ec.EllipticCurvePrivateKey
    # Same size and kind as the published RSA key, never published.
    stranger: rsa.RSAPrivateKey

    def jwks(self) -> dict[str, Any]:
        rsa_jwk = RSAAlgorithm.to_jwk(self.rsa_key.public_key(), as_dict=True)
        ec_jwk = ECAlgorithm.to_jwk(self.ec_key.public_key(), as_dict=True)
        return {
            "keys": [
                {**rsa_jwk, "kid": "rsa-1", "alg": "RS256", "use": "sig"},
                {**ec_jwk, "kid": "ec-1", "alg": "ES256", "use": "sig"},
            ]
        }

    def rsa_public_pem(self) -> bytes:
        return self.rsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys(
        rsa_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec_key=ec.generate_private_key(ec.SECP256R1()),
        stranger=rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )


def claims(role: Any = "analyst", drop: tuple[str, ...] = (), **changes: Any) -> dict[str, Any]:
    moment = int(time.time())
    body: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "idp|user-42",
        "email": "ana@example.com",
        "iat": moment,
        "exp": moment + 300,
        ROLE_CLAIM: role,
        **changes,
    }
    for name in drop:
        body.pop(name)
    return body


def sign(key: Any, body: dict[str, Any], kid: str = "rsa-1", alg: str = "RS256") -> str:
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict[str, Any], body: dict[str, Any], secret: bytes | None) -> str:
    """A JWT built by hand: unsigned (``secret`` None) or HMAC-SHA256 signed."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(body).encode())}"
    signature = b""
    if secret is not None:
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


@dataclass
class Sso:
    """The app served with single sign-on, and the provider's JWKS endpoint."""

    http: httpx.AsyncClient
    jwks_requests: list[str] = field(default_factory=list)

    async def post(self, token: str, query: str) -> httpx.Response:
        return await self.http.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )

    async def data(self, token: str, query: str) -> dict[str, Any]:
        response = await self.post(token, query)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
async def sso(settings: Settings, db: Any, keys: Keys) -> AsyncIterator[Sso]:
    jwks_requests: list[str] = []
    # A fresh path per test: the app caches a JWKS client per URL, and a port
    # may be handed out again.
    path = f"/{uuid.uuid4().hex}/jwks.json"

    async def jwks(request: Request) -> Response:
        jwks_requests.append(request.url.path)
        return JSONResponse(keys.jwks())

    async with serve(Starlette(routes=[Route(path, jwks)])) as idp:
        sso_settings = settings.model_copy(
            update={
                "oidc_issuer": ISSUER,
                "oidc_audience": AUDIENCE,
                "oidc_jwks_url": idp + path,
                "oidc_role_claim": ROLE_CLAIM,
            }
        )
        assert sso_settings.oidc_enabled
        async with (
            serve(create_app(sso_settings)) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as http,
        ):
            yield Sso(http=http, jwks_requests=jwks_requests)


async def test_analyst_token_reads_raw_events(sso, keys, db):
    customers = await insert_customers(3)
    await insert_sessions(customers[0], 2, events_each=3)
    await insert_sessions(customers[2], 1, events_each=4)
    stored = {str(doc["_id"]) for doc in await db["events"].find().to_list()}
    assert len(stored) == 10

    token = sign(keys.rsa_key, claims("analyst"))
    me = (await sso.data(token, ME))["me"]
    assert me == {
        "kind": "token",
        "role": "ANALYST",
        "subject": "ana@example.com",
        "permissions": ["raw_events", "read"],
    }
    events = (await sso.data(token, EVENTS))["events"]
    assert events["totalCount"] == 10
    assert {node["databaseId"] for node in events["nodes"]} == stored

    # A P-256 key of the same JWKS; without an email the subject is `sub`.
    ec_token = sign(keys.ec_key, claims("analyst", drop=("email",)), kid="ec-1", alg="ES256")
    assert (await sso.data(ec_token, ME))["me"]["subject"] == "idp|user-42"
    assert (await sso.data(ec_token, EVENTS))["events"]["totalCount"] == 10
    # The keys were fetched once and then served from the app's cache.
    assert len(sso.jwks_requests) == 1


async def test_viewer_token_reads_customers_but_not_raw_events(sso, keys):
    await insert_customers(4)
    token = sign(keys.rsa_key, claims("viewer"))
    assert (await sso.data(token, ME))["me"]["role"] == "VIEWER"
    assert (await sso.data(token, CUSTOMERS))["customers"]["totalCount"] == 4
    response = await sso.post(token, EVENTS)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["permission"] == "raw_events"


async def test_role_claim_takes_the_highest_known_role(sso, keys):
    cases = [
        (["viewer", "Analyst", "admin"], "ADMIN"),
        (["analyst", "viewer"], "ANALYST"),
        (["viewer", "owner"], "VIEWER"),
        ("ADMIN", "ADMIN"),
    ]
    seen = [(await sso.data(sign(keys.rsa_key, claims(role)), ME))["me"] for role, _ in cases]
    assert [(me["kind"], me["role"]) for me in seen] == [("token", want) for _, want in cases]


def refused_tokens(keys: Keys) -> dict[str, str]:
    viewer = sign(keys.rsa_key, claims("viewer"))
    header, _, signature = viewer.split(".")
    promoted = _b64(json.dumps(claims("admin")).encode())
    moment = int(time.time())
    return {
        "wrong audience": sign(keys.rsa_key, claims(aud="another-api")),
        "wrong issuer": sign(keys.rsa_key, claims(iss="https://evil.example/")),
        # Beyond the 30 s of leeway.
        "expired": sign(keys.rsa_key, claims(iat=moment - 600, exp=moment - 120)),
        "not yet valid": sign(keys.rsa_key, claims(nbf=moment + 600)),
        "no expiry": sign(keys.rsa_key, claims(drop=("exp",))),
        "no subject": sign(keys.rsa_key, claims(drop=("sub",))),
        "missing role": sign(keys.rsa_key, claims(drop=(ROLE_CLAIM,))),
        "unknown role": sign(keys.rsa_key, claims("superuser")),
        "empty role list": sign(keys.rsa_key, claims([])),
        "key not in the JWKS, published kid": sign(keys.stranger, claims()),
        "key not in the JWKS, unknown kid": sign(keys.stranger, claims(), kid="rsa-9"),
        "claims changed after signing": f"{header}.{promoted}.{signature}",
        "alg none": handmade({"alg": "none", "typ": "JWT", "kid": "rsa-1"}, claims(), None),
        "HS256 with the public key as secret": handmade(
            {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, claims("admin"), keys.rsa_public_pem()
        ),
    }


async def refusals(sso: Sso, tokens: dict[str, str]) -> dict[str, tuple[int, Any, Any]]:
    """Per case: the status, the error code and the WWW-Authenticate header."""
    refused = {}
    for case, token in tokens.items():
        assert token.startswith("eyJ") and token.count(".") == 2, case
        response = await sso.post(token, ME)
        is_json = response.headers.get("content-type", "").startswith("application/json")
        body = response.json() if is_json else {}
        refused[case] = (
            response.status_code,
            body["errors"][0]["extensions"]["code"] if "errors" in body else None,
            response.headers.get("www-authenticate"),
        )
    return refused


async def test_invalid_tokens_are_refused_with_401(sso, keys):
    # The control: the same provider's good token passes.
    assert (await sso.data(sign(keys.rsa_key, claims()), ME))["me"]["kind"] == "token"
    refused = await refusals(sso, refused_tokens(keys))
    assert refused == dict.fromkeys(refused, (401, "UNAUTHENTICATED", "Bearer"))


async def test_token_whose_alg_does_not_fit_the_key_is_refused_with_401(sso, keys):
    tokens = {
        "RS256 signature, EC kid": sign(keys.rsa_key, claims(), kid="ec-1"),
        "ES256 signature, RSA kid": sign(keys.ec_key, claims(), kid="rsa-1", alg="ES256"),
    }
    refused = await refusals(sso, tokens)
    assert refused == dict.fromkeys(refused, (401, "UNAUTHENTICATED", "Bearer"))


async def test_jwt_is_refused_when_sso_is_not_configured(api, keys):
    token = sign(keys.rsa_key, claims("admin"))
    async with await api.client(token) as client:
        response = await client.post("/graphql", json={"query": ME})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
