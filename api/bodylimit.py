"""Refuses request bodies over a size with HTTP 413, before anything reads them.

Wraps the GraphQL endpoint: Strawberry reads and decodes the whole JSON body
before any GraphQL limit (schema/limits.py) can look at it, so without this a
client could make us hold and decode a body of any size.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import mediatype

# schema.errors.Code.QUERY_TOO_COMPLEX; api/ does not import the GraphQL layer.
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"


def too_large(maximum: int, actual: int, complete: bool, media_type: str) -> JSONResponse:
    """The 413 answer, shaped like a GraphQL error so clients handle it alike, in
    the media type negotiated from Accept.

    ``complete`` is false when we stopped reading: the body is at least ``actual``.
    """
    size = f"{actual:,} bytes" if complete else f"at least {actual:,} bytes"
    return JSONResponse(
        {
            "errors": [
                {
                    "message": (
                        f"request body of {size} exceeds the limit of {maximum:,} "
                        f"by {'' if complete else 'at least '}{actual - maximum:,}"
                    ),
                    "extensions": {
                        "code": QUERY_TOO_COMPLEX,
                        "limit": "bodySize",
                        "maximum": maximum,
                        "actual": actual,
                    },
                }
            ]
        },
        status_code=413,
        media_type=mediatype.content_type(media_type),
    )


class BodyLimit:
    """ASGI wrapper: ``BodyLimit(app, max_bytes)`` passes requests whose body has at
    most ``max_bytes`` bytes to ``app`` and answers 413 to the others.

    A declared Content-Length over the limit is refused without reading anything;
    otherwise the body is read (stopping as soon as it passes the limit) and
    handed to ``app`` whole.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        media_type = mediatype.of(headers)
        declared = headers.get("content-length", "")
        # The server has already refused a malformed Content-Length; a chunked
        # body has none and is counted as it arrives.
        if declared.isdigit() and int(declared) > self.max_bytes:
            refusal = too_large(self.max_bytes, int(declared), True, media_type)
            await refusal(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                # The rest is never read: its size is unknown, and no business of ours.
                refusal = too_large(self.max_bytes, len(body), not more, media_type)
                await refusal(scope, receive, send)
                return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                # Later calls wait for the client to disconnect, as they would unwrapped.
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)
