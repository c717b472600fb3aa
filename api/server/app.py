"""The ASGI application: its routes, and the middleware each request passes.

The outer list wraps everything, Starlette's error handling included, so that
even a 500 carries the security headers and the trace id. ``/graphql`` has a
list of its own, in the order a request meets it (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Route
from starlette.types import ASGIApp

from api.db.client import Database
from api.server import graphiql, health, static, track
from api.server.authentication import Authentication
from api.server.bodylimit import BodyLimit
from api.server.cors import CORS, EXPOSE_HEADERS
from api.server.freshcontext import FreshContext
from api.server.graphql import GraphQLApp
from api.server.ratelimit import RateLimit
from api.server.readiness import Readiness, lifespan
from api.server.security import SecurityHeaders
from api.server.traceid import TraceIdHeader
from api.settings import Settings
from api.telemetry.setup import configure as configure_telemetry
from schema import schema


def create_app(settings: Settings, listeners: Sequence[CommandListener] = ()) -> ASGIApp:
    telemetry = configure_telemetry(settings)
    database = Database(settings, listeners)

    graphql = GraphQLApp(
        schema,
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        # Only POST runs operations: a GET that changed nothing could still be
        # made to leak through a cross-site image or link.
        allow_queries_via_get=False,
    )
    graphql_middleware = [
        # Staff SPAs on another origin (a CDN) call with their cookie; tracked
        # websites never call /graphql from a browser.
        Middleware(
            CORS,
            allow_origins=settings.staff_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization", "traceparent"],
            expose_headers=EXPOSE_HEADERS,
            max_age=600,
        ),
        # The body limit before any database work is done for the request.
        Middleware(BodyLimit, settings.graphql_max_body_bytes),
        Middleware(Readiness),
        Middleware(Authentication),
        Middleware(RateLimit),
    ]
    routes = [
        *health.routes,
        Route(
            "/graphql",
            graphql,
            methods=["GET", "POST", "OPTIONS"],
            middleware=graphql_middleware,
        ),
        *graphiql.routes,
        *track.routes,
        *static.routes,
    ]
    middleware = [
        # Level 6: nearly level 9's size for a fraction of its time, on files
        # compressed again on every request. /graphql included: docs/security.md
        # says why BREACH does not apply.
        Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6),
    ]
    outer = [
        # Each request in a fresh context: otherwise a request could start
        # inside the span of the one before it on the same connection.
        Middleware(FreshContext),
        # Request spans for everything but health checks; W3C traceparent honoured.
        Middleware(
            OpenTelemetryMiddleware,
            excluded_urls="healthz,readyz",
            exclude_spans=["receive", "send"],
        ),
        Middleware(TraceIdHeader),
        Middleware(SecurityHeaders, hsts=settings.secure_cookies),
    ]

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan(database, settings))
    app.state.settings = settings
    app.state.database = database
    app.state.telemetry = telemetry
    return wrapped(app, outer)


def wrapped(app: ASGIApp, middleware: Sequence[Middleware]) -> ASGIApp:
    """``app`` inside ``middleware``, the first outermost, as Starlette builds its stack."""
    for cls, args, kwargs in reversed(middleware):
        app = cls(app, *args, **kwargs)
    return app
