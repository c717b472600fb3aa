"""Who sent a request: a bearer credential, or the SPA's session cookie.

Like Starlette's ``AuthenticationMiddleware``, ``Authentication`` only
identifies the caller and stores the principal in the scope; what they may do
is the schema's to decide. ``Authorization: Bearer`` takes an API key
(``ctk_…``), a website's write key (``ctw_…``) or, when single sign-on is
configured, a JWT from the identity provider (api/auth/http.py). Without it,
the session cookie set at sign-in is used. A credential that is present but
wrong is an error (401), never silently anonymous: a client with a revoked key
should hear so.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from api.auth.http import SESSION_COOKIE, BadCredentialError, credential_principal
from api.auth.roles import ANONYMOUS, Principal
from api.auth.service import session_principal
from api.server import responses
from api.server.gate import Gate
from api.settings import Settings

PRINCIPAL = "principal"


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


async def authenticate(request: Request, settings: Settings) -> Principal:
    token = bearer(request)
    if token is not None:
        return await credential_principal(token, settings)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        # An expired session is simply signed out: the SPA shows sign-in.
        return await session_principal(cookie) or ANONYMOUS
    return ANONYMOUS


class Authentication(Gate):
    async def check(self, request: Request) -> Response | None:
        try:
            principal = await authenticate(request, request.app.state.settings)
        except BadCredentialError as error:
            return responses.graphql_error(request.headers, responses.unauthenticated(str(error)))
        request.scope.setdefault("state", {})[PRINCIPAL] = principal
        return None


def principal_of(request: Any) -> Principal | None:
    state = getattr(request, "scope", {}).get("state", {})
    found = state.get(PRINCIPAL)
    return found if isinstance(found, Principal) else None
