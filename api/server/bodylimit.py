"""Refuses request bodies over a size with HTTP 413, before anything reads them.

Wraps the GraphQL endpoint: Strawberry reads and decodes the whole JSON body
before any GraphQL limit (schema/limits.py) can look at it, so without this a
client could make us hold and decode a body of any size.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.server import responses


class BodyLimit:
    """ASGI wrapper: ``BodyLimit(app, max_bytes)`` passes requests whose body has at
    most ``max_bytes`` bytes to ``app`` and answers 413 to the others.

    The 413 is shaped like a GraphQL error (api/server/responses.py), so clients
    handle it alike. A declared Content-Length over the limit is refused without
    reading anything; otherwise the body is read (stopping as soon as it passes
    the limit) and handed to ``app`` whole.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        # The server has already refused a malformed Content-Length; a chunked
        # body has none and is counted as it arrives.
        if declared.isdigit() and int(declared) > self.max_bytes:
            problem = responses.too_large(self.max_bytes, int(declared), True)
            await responses.graphql_error(headers, problem)(scope, receive, send)
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
                problem = responses.too_large(self.max_bytes, len(body), not more)
                await responses.graphql_error(headers, problem)(scope, receive, send)
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
