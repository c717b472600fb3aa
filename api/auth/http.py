"""Who sent a request: a bearer credential, or the SPA's session cookie.

``Authorization: Bearer`` takes an API key (``ctk_…``), a website's write key
(``ctw_…``) or, when single sign-on is configured, a JWT from the identity
provider. Without it, the session cookie set at sign-in is used. A credential
that is present but wrong is an error (401), never silently anonymous: a
client with a revoked key should hear so.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from api.auth import oidc
from api.auth.roles import ANONYMOUS, Principal
from api.auth.secrets import API_KEY_PREFIX, WRITE_KEY_PREFIX
from api.auth.service import api_key_principal, session_principal, write_key_principal
from api.settings import Settings
from api.text import text_problem

SESSION_COOKIE = "ct_session"


class BadCredentialError(Exception):
    """A credential was sent and refused; the message is safe to show."""


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


async def credential_principal(token: str, settings: Settings) -> Principal:
    found: Principal | None
    if text_problem(token):
        # No credential holds such text; the lookup could not even be encoded.
        raise BadCredentialError("the bearer credential is invalid, expired or revoked")
    if token.startswith(API_KEY_PREFIX):
        found = await api_key_principal(token)
    elif token.startswith(WRITE_KEY_PREFIX):
        found = await write_key_principal(token)
    elif settings.oidc_enabled and oidc.looks_like_jwt(token):
        found = await oidc.token_principal(
            token,
            jwks_url=settings.oidc_jwks_url,
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            role_claim=settings.oidc_role_claim,
        )
    else:
        raise BadCredentialError(
            "the bearer credential is not an API key, write key or known token"
        )
    if found is None:
        raise BadCredentialError("the bearer credential is invalid, expired or revoked")
    return found


async def authenticate(request: Request, settings: Settings) -> Principal:
    token = bearer(request)
    if token is not None:
        return await credential_principal(token, settings)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        # An expired session is simply signed out: the SPA shows sign-in.
        return await session_principal(cookie) or ANONYMOUS
    return ANONYMOUS


def client_ip(request: Request, settings: Settings) -> str:
    if settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        # The proxy appends the address it saw: the last entry is the one it vouches for.
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.client.host if request.client else "unknown"


def set_session_cookie(response: Response, token: str, lifetime: timedelta, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        # Strict: the cookie never rides on a request started by another site,
        # which is the CSRF defence for the cookie-authenticated API.
        samesite="strict",
    )


def clear_session_cookie(response: Response, secure: bool) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="strict"
    )
