"""Charges each request to its caller's rate limit: 429 with ``Retry-After``
once it is spent.

Which counter and limit a request is charged to follows from its principal
(stored by api/server/authentication.py); the counting and the refusal are
api/ratelimit/service.py's ``charge`` and ``RateLimitedError``, as for the
failed sign-ins the auth service counts.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.auth.http import client_ip
from api.auth.roles import ANONYMOUS, Kind, Principal
from api.ratelimit import service as ratelimit
from api.server import responses
from api.server.authentication import principal_of
from api.server.gate import Gate
from api.settings import Settings


def rate_scope(principal: Principal, request: Request, settings: Settings) -> tuple[str, str, int]:
    """Which counter a request is charged to, and its limit per minute."""
    if principal.kind == Kind.WEBSITE:
        return "write", principal.subject, settings.rate_limit_per_write_key
    if principal.kind != Kind.ANONYMOUS:
        return principal.kind.value, principal.subject, settings.rate_limit_per_key
    return "ip", client_ip(request, settings), settings.rate_limit_per_ip


async def charge(principal: Principal, request: Request, settings: Settings) -> None:
    """One request charged to ``principal``; RateLimitedError when over the limit."""
    scope, who, limit = rate_scope(principal, request, settings)
    if limit:
        await ratelimit.charge(scope, who, limit)


class RateLimit(Gate):
    async def check(self, request: Request) -> Response | None:
        try:
            await charge(principal_of(request) or ANONYMOUS, request, request.app.state.settings)
        except ratelimit.RateLimitedError as error:
            return responses.graphql_error(request.headers, responses.rate_limited(error))
        return None
