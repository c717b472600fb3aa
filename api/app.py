"""The ASGI application: GraphQL, health checks and GraphiQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from pymongo.errors import PyMongoError
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL

from api import graphiql, web
from api.db import Database
from api.ingestion import http as ingestion_http
from api.settings import Settings, Stage
from api.telemetry.http import traced
from api.telemetry.setup import configure as configure_telemetry
from schema import schema
from schema.context import Context

log = logging.getLogger("api")

UNAVAILABLE = {
    "errors": [
        {
            "message": "the database is unavailable, retry shortly",
            "extensions": {"code": "SERVICE_UNAVAILABLE"},
        }
    ]
}


class GraphQLApp(GraphQL[Context, None]):
    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(settings=request.app.state.settings, request=request, response=response)

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        return graphiql.page()


class DatabaseGuard:
    """Answers GraphQL requests with SERVICE_UNAVAILABLE until the database has
    been reached once (and the documents bound); GET still serves GraphiQL."""

    def __init__(self, database: Database, app: GraphQLApp) -> None:
        self.database = database
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "POST":
            try:
                await self.database.ensure_ready()
            except PyMongoError:
                await JSONResponse(UNAVAILABLE, 503)(scope, receive, send)
                return
        await self.app(scope, receive, send)


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
        graphql_ide="graphiql" if settings.stage != Stage.PROD else None,
    )

    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", DatabaseGuard(database, graphql_app), methods=["GET", "POST"]),
        *graphiql.routes,
        *ingestion_http.routes,
        *web.routes,
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.database = database
    app.state.telemetry = telemetry
    return traced(app)
