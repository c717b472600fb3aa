"""Single sign-on: bearer JWTs from the configured identity provider.

The provider signs tokens with keys published at its JWKS URL; we check the
signature, issuer, audience and expiry, and take the staff role from a claim.
Keys are cached per container (PyJWT's client), so a request costs no network
call once the key is known.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import jwt
from anyio import to_thread

from api.auth.roles import Kind, Principal, Role, staff

log = logging.getLogger("api.auth")

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
# Most to least privileged: a token carrying several roles gets the highest.
_RANK = [Role.ADMIN, Role.ANALYST, Role.VIEWER]


@lru_cache(maxsize=4)
def _jwks(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=600, timeout=5)


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


def _role(claim: Any) -> Role | None:
    values = claim if isinstance(claim, list) else [claim]
    names = {str(value).lower() for value in values}
    return next((role for role in _RANK if role.value in names), None)


def _verify(token: str, jwks_url: str, issuer: str, audience: str) -> dict[str, Any]:
    key = _jwks(jwks_url).get_signing_key_from_jwt(token)
    # The PyJWK, not its raw key: PyJWT then refuses a token whose algorithm
    # does not fit the key's type instead of failing inside the crypto library.
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=ALGORITHMS,
        audience=audience,
        issuer=issuer,
        options={"require": ["exp", "iss", "aud", "sub"]},
        leeway=30,
    )
    return claims


async def token_principal(
    token: str, *, jwks_url: str, issuer: str, audience: str, role_claim: str
) -> Principal | None:
    """The token's principal; None when it is invalid or carries no known role."""
    try:
        claims = await to_thread.run_sync(_verify, token, jwks_url, issuer, audience)
    except (jwt.PyJWTError, OSError) as error:
        log.info("bearer token refused: %s", error)
        return None
    role = _role(claims.get(role_claim))
    if role is None:
        log.info("bearer token for %s has no known role in %r", claims.get("sub"), role_claim)
        return None
    subject = str(claims.get("email") or claims["sub"])
    return staff(Kind.TOKEN, subject, role)
