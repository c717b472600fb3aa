"""What the gates before ``/graphql`` share: each lets an HTTP request through
or answers it itself, and a database that fails while a gate asks it is 503
with ``Retry-After``, as it is when Readiness finds it away. The settings and
the database are the app's (``request.app.state``)."""

from __future__ import annotations

import logging

from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.server import responses

log = logging.getLogger("api")


class Gate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            try:
                refused = await self.check(request)
            except PyMongoError as error:
                log.warning("database unavailable: %s", error)
                refused = responses.graphql_error(request.headers, responses.unavailable())
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def check(self, request: Request) -> Response | None:
        """The answer refusing ``request``; None lets it through."""
        raise NotImplementedError
