"""HTTP tracing: the request span, and the trace id on every response.

``traceresponse`` (W3C draft) comes from the response propagator set up in
``setup.py``; ``X-Trace-Id`` is the plain id a user can read out to an SRE.
"""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.telemetry.context import FreshContext


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


def traced(app: ASGIApp) -> ASGIApp:
    """Request spans for everything but health checks; W3C traceparent honoured.

    Outermost, each request in a fresh context: otherwise a request could start
    inside the span of the one before it on the same connection.
    """
    return FreshContext(
        OpenTelemetryMiddleware(
            TraceIdHeader(app), excluded_urls="healthz,readyz", exclude_spans=["receive", "send"]
        )
    )
