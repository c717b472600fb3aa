"""A caller's credential and address: the principal a bearer credential
stands for, the session cookie, and the address a request is counted against.

Read by the server's authentication (api/server/authentication.py) and by the
sign-in mutations, which set and clear the cookie.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from starlette.requests import Request
from starlette.responses import Response

from api.auth import oidc
from api.auth.roles import Principal
from api.auth.secrets import API_KEY_PREFIX, WRITE_KEY_PREFIX
from api.auth.service import api_key_principal, write_key_principal
from api.core.strings import text_problem
from api.settings import Settings

log = logging.getLogger("api")

SESSION_COOKIE = "ct_session"


class BadCredentialError(Exception):
    """A credential was sent and refused; the message is safe to show."""


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


# The counter of requests whose peer address cannot be told (below): they share
# one budget, as they would share the proxy's address.
UNKNOWN_PEER = "forwarded"


def client_ip(request: Request, settings: Settings) -> str:
    """The address a request is counted against: the peer's, unless the peer is
    a trusted proxy (``TRUST_FORWARDED_FOR``); then the nearest address in
    ``X-Forwarded-For`` that is not a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    forwarded = [
        entry.strip()
        for line in request.headers.getlist("x-forwarded-for")
        for entry in line.split(",")
        if entry.strip()
    ]
    trusted = settings.trust_forwarded_for
    if trusted is True:
        # The sender is the proxy, whatever its address: the last entry is the
        # one it added, the only one it vouches for.
        return _plain(forwarded[-1] if forwarded else peer)
    if "aws.event" not in request.scope and any(_same(peer, entry) for entry in forwarded):
        # uvicorn's own proxy headers (on by default for 127.0.0.1 when it is
        # started by hand) replace the peer with a forwarded entry the client
        # may have written; the real peer is lost, so it cannot pick a budget.
        # (Under Lambda the peer is API Gateway's sourceIp, which it appends too.)
        _warn_rewritten_peer()
        return UNKNOWN_PEER
    if not trusted or not _trusted(peer, trusted):
        return _plain(peer)
    for entry in reversed(forwarded):
        if not _trusted(entry, trusted):
            return _plain(entry)
    # Proxies all the way: the first is the closest we know to the client.
    return _plain(forwarded[0] if forwarded else peer)


@cache
def _warn_rewritten_peer() -> None:
    log.warning(
        "a client address came from X-Forwarded-For before the app saw it;"
        " start uvicorn with --no-proxy-headers (python -m api serve does)"
    )


def _address(text: str) -> IPv4Address | IPv6Address | None:
    """An address as a proxy writes it: bare, ``host:port`` or ``[v6]:port``."""
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ip_address(text)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _plain(text: str) -> str:
    """One spelling per address, without the port: a client's next connection
    comes from another port and must not open a new budget."""
    address = _address(text)
    return text if address is None else str(address)


def _same(peer: str, entry: str) -> bool:
    address = _address(peer)
    return peer == entry or (address is not None and address == _address(entry))


def _trusted(text: str, proxies: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in proxies)


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
