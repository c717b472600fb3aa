"""What stands before the GraphQL endpoint: the database must be reachable,
the caller is identified and counted against their rate limit."""

from __future__ import annotations

import logging
from typing import Any

from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api import mediatype
from api.auth.http import BadCredentialError, authenticate, client_ip
from api.auth.roles import Kind, Permission, Principal
from api.db.client import Database
from api.ratelimit import service as ratelimit
from api.settings import Settings

log = logging.getLogger("api")

PRINCIPAL = "principal"
# How long a client should wait when the database is away: about the time a
# replica set takes to elect a new primary.
RETRY_AFTER_SECONDS = 5


def graphql_error(
    request: Request,
    status: int,
    code: str,
    message: str,
    extensions: dict[str, Any] | None = None,
    /,
    **headers: str,
) -> JSONResponse:
    """A refusal shaped like a GraphQL error, in the media type the client asked for."""
    body = {"errors": [{"message": message, "extensions": {"code": code, **(extensions or {})}}]}
    media_type = mediatype.content_type(mediatype.of(request.headers))
    return JSONResponse(body, status, headers=headers or None, media_type=media_type)


def rate_limited(request: Request, error: ratelimit.RateLimitedError) -> JSONResponse:
    """The answer to every rate limit, before or during execution (schema/errors.py)."""
    return graphql_error(
        request,
        429,
        "RATE_LIMITED",
        str(error),
        {"retryAfter": error.retry_after},
        **{"Retry-After": str(error.retry_after)},
    )


def unavailable(request: Request) -> JSONResponse:
    return graphql_error(
        request,
        503,
        "SERVICE_UNAVAILABLE",
        "the database is unavailable, retry shortly",
        **{"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def rate_scope(principal: Principal, request: Request, settings: Settings) -> tuple[str, str, int]:
    """Which counter a request is charged to, and its limit per minute."""
    if principal.kind == Kind.WEBSITE:
        return "write", principal.subject, settings.rate_limit_per_write_key
    if principal.kind != Kind.ANONYMOUS:
        return principal.kind.value, principal.subject, settings.rate_limit_per_key
    return "ip", client_ip(request, settings), settings.rate_limit_per_ip


async def admit(request: Request, settings: Settings) -> Principal | Response:
    """The request's principal, or the response refusing it."""
    try:
        principal = await authenticate(request, settings)
    except BadCredentialError as error:
        return graphql_error(
            request, 401, "UNAUTHENTICATED", str(error), **{"WWW-Authenticate": "Bearer"}
        )
    scope, who, limit = rate_scope(principal, request, settings)
    if limit:
        try:
            await ratelimit.charge(scope, who, limit)
        except ratelimit.RateLimitedError as error:
            return rate_limited(request, error)
    return principal


GRAPHIQL_REFUSED = """<!doctype html><html lang="en"><meta charset="utf-8">
<title>GraphiQL: sign in</title><body>
<h1>GraphiQL needs the analyst role</h1>
<p>{reason} <a href="/signin?next=/graphql">Sign in</a> with an analyst or admin account.</p>
</body></html>"""


class GraphQLGuard:
    def __init__(self, database: Database, settings: Settings, app: ASGIApp) -> None:
        self.database = database
        self.settings = settings
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            await self.database.ensure_ready()
            admitted = await admit(request, self.settings)
        except PyMongoError as error:
            log.warning("database unavailable: %s", error)
            await unavailable(request)(scope, receive, send)
            return
        if isinstance(admitted, Response):
            await admitted(scope, receive, send)
            return
        if scope["method"] == "GET":
            refused = self._graphiql_refusal(admitted)
            if refused is not None:
                await refused(scope, receive, send)
                return
        scope.setdefault("state", {})[PRINCIPAL] = admitted
        await self.app(scope, receive, send)

    def _graphiql_refusal(self, principal: Principal) -> Response | None:
        if not self.settings.graphiql_enabled:
            return HTMLResponse("GraphiQL is turned off here.", 404)
        if not principal.can(Permission.RAW_EVENTS):
            reason = "You are signed in without it." if principal.authenticated else ""
            status = 403 if principal.authenticated else 401
            return HTMLResponse(GRAPHIQL_REFUSED.format(reason=reason), status)
        return None


def principal_of(request: Any) -> Principal | None:
    state = getattr(request, "scope", {}).get("state", {})
    found = state.get(PRINCIPAL)
    return found if isinstance(found, Principal) else None
