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
from strawberry.asgi import GraphQL

from api import graphiql
from api.db import init_documents, make_client
from api.settings import Settings, Stage
from schema import schema
from schema.context import Context

log = logging.getLogger("api")


class GraphQLApp(GraphQL[Context, None]):
    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(request=request, response=response)

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        return graphiql.page()


def create_app(settings: Settings, listeners: Sequence[CommandListener] = ()) -> Starlette:
    client = make_client(settings, listeners)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await init_documents(client, settings.mongodb_db)
        except PyMongoError as error:
            # Serve anyway: /readyz reports the outage and requests fail fast
            # until the database answers; indexes are made on the next start.
            log.error("database not reachable at start-up: %s", error)
        yield
        await client.close()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await client.admin.command("ping")
        except PyMongoError as error:
            return JSONResponse({"status": "unavailable", "reason": type(error).__name__}, 503)
        return JSONResponse({"status": "ready"})

    graphql = GraphQLApp(
        schema,
        graphql_ide="graphiql" if settings.stage != Stage.PROD else None,
    )
    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        *graphiql.routes,
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.mongo = client
    return app
