"""Each request starts in an empty ``contextvars`` context.

asyncio can hand one request's context to the next request on the same
keep-alive connection (CPython issue 140947): when a large body makes the server
pause reading, the request's task resumes it, and the event loop runs the
connection's later callbacks, so the next request's task too, in a copy of that
task's context. The next request then starts "inside" the previous one's span:
OpenTelemetry makes its span a child of that finished span, ignores its
``traceparent`` and answers with the previous caller's trace id.

Why a fresh context rather than detaching the OpenTelemetry context alone: every
context variable is per request (the span, the slow-span collector, the
driver's timeouts), so all of them must start from their defaults; a task is the
only way to run a coroutine in another context. uvicorn's ``reset_contextvars``
does the same one level up, but only for servers started with it, and not under
Lambda; this covers every way the app is served.
"""

from __future__ import annotations

import asyncio
import contextvars

from starlette.types import ASGIApp, Receive, Scope, Send


class FreshContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return

        async def request() -> None:
            await self.app(scope, receive, send)

        # Cancelling this task cancels the inner one and waits for it; errors
        # propagate as they would from a direct call.
        await asyncio.create_task(request(), context=contextvars.Context())
