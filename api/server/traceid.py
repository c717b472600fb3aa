"""The trace id on every response: ``X-Trace-Id``, the plain id a user can
read out to an SRE.

``traceresponse`` (W3C draft) comes from the response propagator set up in
api/telemetry/setup.py; the request span from OpenTelemetry's ASGI middleware,
just outside this one (api/server/app.py).
"""

from __future__ import annotations

from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class TraceIdHeader:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_trace_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                context = trace.get_current_span().get_span_context()
                if context.is_valid:
                    headers = list(message.get("headers", []))
                    headers.append((b"x-trace-id", format(context.trace_id, "032x").encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_trace_id)
