"""CORS for ``/graphql``: Starlette's middleware, telling a refused origin nothing.

Starlette's adds its credentials and expose headers to every answer to a
request with an ``Origin``, and its methods and headers to every preflight,
allowed or not. Here only an allowed origin gets ``Access-Control-*`` headers;
a refused one gets the answer a browser would block anyway, without the policy.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import Message, Send

# What a cross-origin script may read besides the safelisted headers: the trace
# id to quote to support, and how long to wait after a 429 or 503.
EXPOSE_HEADERS = ("X-Trace-Id", "traceresponse", "Retry-After")


class CORS(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 200:
            for name in [name for name in response.headers if name.startswith("access-control-")]:
                del response.headers[name]
        return response

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        origin = request_headers.get("origin")
        if (
            message["type"] == "http.response.start"
            and origin is not None
            and not self.is_allowed_origin(origin)
        ):
            # Still varies by Origin: an allowed one would get the headers.
            MutableHeaders(scope=message).add_vary_header("Origin")
            await send(message)
            return
        await super().send(message, send, request_headers)
