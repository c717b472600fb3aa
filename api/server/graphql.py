"""``/graphql``: Strawberry's ASGI app, and the gate before GraphiQL.

Queries run by POST alone; a GET only shows GraphiQL, to staff who may read
raw events (the analyst role), where GraphiQL is turned on."""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from api.auth.roles import ANONYMOUS, Permission, Principal
from api.core import strictjson
from api.server import graphiql, mediatype, responses
from api.server.authentication import principal_of
from api.settings import Settings
from schema.context import Context
from schema.errors import bounded

# Request state: the media type negotiated, and whether the answer is a
# request error (nothing executed), which graphql-response+json answers 400.
MEDIA_TYPE = "graphql.media_type"
REQUEST_ERROR = "graphql.request_error"


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI app, answering in the media type Accept asks for
    (api/server/mediatype.py): with ``application/graphql-response+json`` a request
    error (a document that does not parse or validate, variables that do not
    coerce, an operation over the limits) is HTTP 400, with no ``data``; with
    ``application/json`` it stays 200. An Accept allowing neither is 406."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            principal = principal_of(Request(scope)) or ANONYMOUS
            refused = graphiql_refusal(principal, scope["app"].state.settings)
            if refused is not None:
                await refused(scope, receive, send)
                return
        # GET only shows GraphiQL (HTML): queries run by POST alone.
        if scope["type"] != "http" or scope["method"] != "POST":
            await super().__call__(scope, receive, send)
            return
        media_type = mediatype.negotiate(Headers(scope=scope).get("accept"))
        if media_type is None:
            refusal = responses.graphql_error(Headers(scope=scope), responses.not_acceptable())
            await refusal(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state[MEDIA_TYPE] = media_type
        if media_type == mediatype.JSON:
            await super().__call__(scope, receive, send)
            return

        async def send_as_graphql_response(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # Strawberry's JSON answers; not its plain-text refusals.
                if headers.get("content-type") == mediatype.JSON:
                    headers["content-type"] = mediatype.content_type(mediatype.GRAPHQL_RESPONSE)
                    if message["status"] == 200 and state.get(REQUEST_ERROR):
                        message["status"] = 400
            await send(message)

        await super().__call__(scope, receive, send_as_graphql_response)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        answer = await super().process_result(request, result)
        # Errors without a path, and no data: refused before executing anything.
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            state = request.scope.setdefault("state", {})
            state[REQUEST_ERROR] = True
            if state.get(MEDIA_TYPE) == mediatype.GRAPHQL_RESPONSE:
                answer.pop("data", None)
        return answer

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as error:
            # "Unknown operation named ..." quotes the operationName it was sent.
            raise HTTPException(error.status_code, bounded(error.reason)) from None

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(
            settings=request.app.state.settings,
            request=request,
            response=response,
            principal=principal_of(request) or ANONYMOUS,
        )

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        return graphiql.page()

    def decode_json(self, data: str | bytes) -> object:
        # Refused as unreadable JSON (400), as POST /v1/track does: NaN and
        # Infinity are not JSON, and nesting deeper than the parser's stack
        # would otherwise escape as a 500.
        try:
            return strictjson.loads(data)
        except ValueError as error:
            raise json.JSONDecodeError(str(error), "", 0) from None


def graphiql_refusal(principal: Principal, settings: Settings) -> Response | None:
    """GraphiQL is for staff who may read raw events, where it is turned on."""
    if not settings.graphiql_enabled:
        return responses.graphiql_off()
    if not principal.can(Permission.RAW_EVENTS):
        return responses.graphiql_refused(principal.authenticated)
    return None
