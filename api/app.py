"""The ASGI application: GraphQL, health checks and GraphiQL."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from cross_web import HTTPException
from pymongo.errors import PyMongoError
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from api import graphiql, mediatype, web
from api.auth.roles import ANONYMOUS
from api.bodylimit import BodyLimit
from api.core import strictjson
from api.cors import CORS, EXPOSE_HEADERS
from api.db.client import Database
from api.guard import GraphQLGuard, graphql_error, principal_of
from api.ingestion import http as ingestion_http
from api.security import SecurityHeaders
from api.settings import Settings
from api.telemetry.http import traced
from api.telemetry.setup import configure as configure_telemetry
from schema import schema
from schema.context import Context
from schema.errors import bounded

log = logging.getLogger("api")


# Request state: the media type negotiated, and whether the answer is a
# request error (nothing executed), which graphql-response+json answers 400.
MEDIA_TYPE = "graphql.media_type"
REQUEST_ERROR = "graphql.request_error"


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI app, answering in the media type Accept asks for
    (api/mediatype.py): with ``application/graphql-response+json`` a request
    error (a document that does not parse or validate, variables that do not
    coerce, an operation over the limits) is HTTP 400, with no ``data``; with
    ``application/json`` it stays 200. An Accept allowing neither is 406."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # GET only shows GraphiQL (HTML): queries run by POST alone.
        if scope["type"] != "http" or scope["method"] != "POST":
            await super().__call__(scope, receive, send)
            return
        media_type = mediatype.negotiate(Headers(scope=scope).get("accept"))
        if media_type is None:
            refusal = graphql_error(
                Request(scope),
                406,
                "NOT_ACCEPTABLE",
                f"Accept allows neither {mediatype.GRAPHQL_RESPONSE} nor {mediatype.JSON}",
            )
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


def create_app(settings: Settings, listeners: Sequence[CommandListener] = ()) -> ASGIApp:
    telemetry = configure_telemetry(settings)
    database = Database(settings, listeners)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await database.ensure_ready()
        except PyMongoError as error:
            # Serve anyway: /readyz reports the outage, GraphQL answers
            # SERVICE_UNAVAILABLE, and the first request after the database
            # returns finishes the start-up.
            log.error("database not reachable at start-up: %s", error)
        yield
        await database.close()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await database.ping()
        except PyMongoError as error:
            return JSONResponse({"status": "unavailable", "reason": type(error).__name__}, 503)
        return JSONResponse({"status": "ready"})

    graphql_app = GraphQLApp(
        schema,
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        # Only POST runs operations: a GET that changed nothing could still be
        # made to leak through a cross-site image or link.
        allow_queries_via_get=False,
    )
    # Staff SPAs on another origin (a CDN) call with their cookie; tracked
    # websites never call /graphql from a browser.
    graphql_endpoint = CORS(
        # The body limit before any database work is done for the request.
        BodyLimit(GraphQLGuard(database, settings, graphql_app), settings.graphql_max_body_bytes),
        allow_origins=settings.staff_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Authorization", "traceparent"],
        expose_headers=EXPOSE_HEADERS,
        max_age=600,
    )

    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql_endpoint, methods=["GET", "POST", "OPTIONS"]),
        *graphiql.routes,
        *ingestion_http.routes,
        *web.routes,
    ]
    # Level 6: nearly level 9's size for a fraction of its time, on files
    # compressed again on every request. /graphql included: docs/security.md
    # says why BREACH does not apply.
    compression = Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app = Starlette(routes=routes, middleware=[compression], lifespan=lifespan)
    app.state.settings = settings
    app.state.database = database
    app.state.telemetry = telemetry
    return traced(SecurityHeaders(app, hsts=settings.secure_cookies))
