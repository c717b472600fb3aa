"""``POST /v1/track``: the same batch as the ``trackEvents`` mutation, as plain
JSON over HTTP, for browsers (``navigator.sendBeacon`` sends ``text/plain``,
which also avoids a CORS preflight) and for servers. What it does with the
batch is the ingestion service's (api/ingestion/service.py)."""

from __future__ import annotations

import logging

from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth.http import BadCredentialError, credential_principal
from api.auth.roles import Permission
from api.core import strictjson
from api.core.errors import Code, InputError
from api.ingestion.service import track
from api.ratelimit.service import RateLimitedError
from api.server import ratelimit, responses
from api.server.authentication import authenticate
from api.server.cors import EXPOSE_HEADERS
from api.server.responses import Problem, bad_input, track_error

log = logging.getLogger("api.ingestion")

# A full batch of 500 events with 8 KiB of metadata each fits.
MAX_BODY_BYTES = 5 * 1024 * 1024


def _cors(request: Request) -> dict[str, str]:
    """Only an allowed origin learns the policy; no credentials, ever: a write
    key or bearer token authenticates, never a cookie."""
    origin = request.headers.get("origin")
    allowed = request.app.state.settings.allowed_origins
    if origin and ("*" in allowed or origin in allowed):
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Authorization",
            "Access-Control-Expose-Headers": ", ".join(EXPOSE_HEADERS),
            "Access-Control-Max-Age": "86400",
            "Vary": "Origin",
        }
    return {"Vary": "Origin"}


async def _read_body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return body


async def _refusal(request: Request, body_key: object, cors: dict[str, str]) -> Response | None:
    """Who may send: a website's write key (in the body, as the snippet sends it,
    or as a bearer token) or an admin credential; each is rate limited."""
    settings = request.app.state.settings
    try:
        if isinstance(body_key, str) and body_key:
            principal = await credential_principal(body_key, settings)
        else:
            principal = await authenticate(request, settings)
    except BadCredentialError as error:
        return track_error(Problem(401, Code.UNAUTHENTICATED, str(error)), cors)
    if not principal.authenticated:
        return track_error(Problem(401, Code.UNAUTHENTICATED, "send a website's writeKey"), cors)
    if not principal.can(Permission.INGEST):
        problem = Problem(403, Code.FORBIDDEN, "this credential cannot send events")
        return track_error(problem, cors)
    try:
        await ratelimit.charge(principal, request, settings)
    except RateLimitedError as error:
        # As GraphQL answers it, in this endpoint's error shape.
        return track_error(responses.rate_limited(error), cors)
    return None


async def track_endpoint(request: Request) -> Response:
    cors = _cors(request)
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=cors)
    body = await _read_body(request)
    if body is None:
        return bad_input(f"body larger than {MAX_BODY_BYTES} bytes", cors, 413)
    try:
        payload = strictjson.loads(body)
    except strictjson.TooDeepError:
        return bad_input("body nests too deeply", cors)
    except ValueError:
        return bad_input("body is not valid JSON", cors)
    if not isinstance(payload, dict) or not isinstance(payload.get("events", []), list):
        return bad_input(
            'body must be {"events": [...], "identify": {...}, "context": {...}}', cors
        )
    try:
        await request.app.state.database.ensure_ready()
        refused = await _refusal(request, payload.get("writeKey"), cors)
        if refused is not None:
            return refused
        result = await track(
            payload.get("events", []),
            request.app.state.settings,
            payload.get("identify"),
            user_agent=request.headers.get("user-agent"),
            raw_context=payload.get("context"),
        )
    except (InputError, ValueError) as error:
        return bad_input(str(error), cors)
    except PyMongoError as error:
        log.warning("ingestion failed, client will retry: %s", error)
        return track_error(responses.unavailable("the database is unavailable, retry"), cors)
    identified: dict[str, object] = {}
    # "identify": null is no call at all, as when it is left out: a snippet
    # may send it for a visitor it knows nothing of.
    if payload.get("identify") is not None:
        identified = {
            "identify": {"status": "rejected", "reason": result.identify_error}
            if result.identify_error
            else {"status": "accepted"}
        }
    return JSONResponse(
        {
            **identified,
            "accepted": result.count("accepted"),
            "duplicates": result.count("duplicate"),
            "rejected": result.count("rejected"),
            "results": [
                {"eventId": item.event_id, "status": item.status}
                | ({"reason": item.reason} if item.reason else {})
                for item in result.results
            ],
        },
        headers=cors,
    )


routes = [Route("/v1/track", track_endpoint, methods=["POST", "OPTIONS"])]
