"""Every error the server answers by itself, before or beside GraphQL, and
the ``Retry-After`` it asks a client to wait.

A refusal is a ``Problem``: status, code, message, extensions and headers.
GraphQL's endpoint sends it shaped like a GraphQL error (``errors[0]``, in the
media type negotiated from Accept), ``POST /v1/track`` as ``{"error": ...}``;
what a rate limit or an outage answers is written once, here. Errors met
while executing are coded by the schema (schema/errors.py), with the same
codes and the same wait.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse

from api.core.errors import RETRY_AFTER_SECONDS, Code
from api.ratelimit.service import RateLimitedError
from api.server import mediatype

UNAVAILABLE = "the database is unavailable, retry shortly"


@dataclass(frozen=True)
class Problem:
    status: int
    code: Code
    message: str
    extensions: Mapping[str, object] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


def retry_after(seconds: int) -> dict[str, str]:
    return {"Retry-After": str(seconds)}


def rate_limited(error: RateLimitedError) -> Problem:
    """The answer to every rate limit: 429, ``retryAfter`` and ``Retry-After``."""
    return Problem(
        429,
        Code.RATE_LIMITED,
        str(error),
        {"retryAfter": error.retry_after},
        retry_after(error.retry_after),
    )


def unavailable(message: str = UNAVAILABLE) -> Problem:
    return Problem(503, Code.SERVICE_UNAVAILABLE, message, headers=retry_after(RETRY_AFTER_SECONDS))


def unauthenticated(message: str) -> Problem:
    return Problem(401, Code.UNAUTHENTICATED, message, headers={"WWW-Authenticate": "Bearer"})


def not_acceptable() -> Problem:
    message = f"Accept allows neither {mediatype.GRAPHQL_RESPONSE} nor {mediatype.JSON}"
    return Problem(406, Code.NOT_ACCEPTABLE, message)


def too_large(maximum: int, actual: int, complete: bool) -> Problem:
    """The 413 answer to a body over the limit. ``complete`` is false when we
    stopped reading: the body is at least ``actual``."""
    size = f"{actual:,} bytes" if complete else f"at least {actual:,} bytes"
    return Problem(
        413,
        Code.QUERY_TOO_COMPLEX,
        (
            f"request body of {size} exceeds the limit of {maximum:,} "
            f"by {'' if complete else 'at least '}{actual - maximum:,}"
        ),
        {"limit": "bodySize", "maximum": maximum, "actual": actual},
    )


def graphql_error(request_headers: Mapping[str, str], problem: Problem) -> JSONResponse:
    """A refusal shaped like a GraphQL error, in the media type the client asked for."""
    body = {
        "errors": [
            {
                "message": problem.message,
                "extensions": {"code": problem.code.value, **problem.extensions},
            }
        ]
    }
    media_type = mediatype.content_type(mediatype.of(request_headers))
    return JSONResponse(
        body, problem.status, headers=dict(problem.headers) or None, media_type=media_type
    )


def track_error(problem: Problem, cors: Mapping[str, str]) -> JSONResponse:
    """A refusal of ``POST /v1/track``, with the endpoint's CORS headers."""
    body = {"error": {"code": problem.code.value, "message": problem.message, **problem.extensions}}
    return JSONResponse(body, problem.status, headers={**cors, **problem.headers})


def bad_input(message: str, cors: Mapping[str, str], status: int = 400) -> JSONResponse:
    return track_error(Problem(status, Code.BAD_USER_INPUT, message), cors)


def unavailable_page() -> PlainTextResponse:
    """The demo shop's answer while the database is away."""
    return PlainTextResponse(
        f"{UNAVAILABLE}\n",
        503,
        headers={**retry_after(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )


GRAPHIQL_REFUSED = """<!doctype html><html lang="en"><meta charset="utf-8">
<title>GraphiQL: sign in</title><body>
<h1>GraphiQL needs the analyst role</h1>
<p>{reason} <a href="/signin?next=/graphql">Sign in</a> with an analyst or admin account.</p>
</body></html>"""


def graphiql_off() -> HTMLResponse:
    return HTMLResponse("GraphiQL is turned off here.", 404)


def graphiql_refused(signed_in: bool) -> HTMLResponse:
    reason = "You are signed in without it." if signed_in else ""
    return HTMLResponse(GRAPHIQL_REFUSED.format(reason=reason), 403 if signed_in else 401)
