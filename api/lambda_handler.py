"""AWS Lambda entry point: ``api.lambda_handler.handler`` (Mangum over the same app).

Built once per container (cold start): settings, the database client and
telemetry are reused by every invocation. Lifespan events are off, because
Mangum would run them on every invocation; the app binds its documents on the
first request instead (``api.db.Database.ensure_ready``). Spans, metrics and
logs are flushed before each invocation returns, since a frozen container
cannot export in the background.

Only what serving needs is imported here: the local server, the demo data and
the command line (``api.__main__``, ``api.seed``) stay out of the cold start.
"""

from __future__ import annotations

from typing import Any

from mangum import Mangum
from starlette.types import ASGIApp, Receive, Scope, Send

from api.app import create_app
from api.logs import configure as configure_logs
from api.settings import ConfigError, load_settings
from api.telemetry.setup import configure as configure_telemetry

# What API Gateway calls the stage of an HTTP API that has no path prefix.
DEFAULT_STAGE = "$default"


class StageStripped:
    """Routes ``/<stage>/graphql`` to ``/graphql``.

    A REST API and an HTTP API with a named stage put the stage in front of the
    path. Mangum can only strip one base path fixed at start-up, while the stage
    comes with each event (one function may serve several stages), so it is
    read from the event here. ``root_path`` is left alone: Starlette's mounts
    (the SPA's static files) would read a root path that is not a prefix of
    ``path`` as a different route, and our middlewares match on ``path``.

    A stage named like one of the app's first path segments (``v1``,
    ``graphql``) would be stripped from requests that do not carry it; name
    stages otherwise.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            event = scope.get("aws.event") or {}
            stage = (event.get("requestContext") or {}).get("stage")
            if stage and stage != DEFAULT_STAGE:
                prefix = f"/{stage}"
                path: str = scope["path"]
                if path == prefix or path.startswith(f"{prefix}/"):
                    scope = {**scope, "path": path[len(prefix) :] or "/"}
        await self.app(scope, receive, send)


def cookies_in_multi_value_headers(response: dict[str, Any]) -> dict[str, Any]:
    """Every Set-Cookie of a v1 (REST API) response under ``multiValueHeaders``.

    Mangum moves a header there only once it repeats, so one cookie lands in
    ``headers`` and two in ``multiValueHeaders``; API Gateway merges both, but
    where the session cookie is should not depend on how many cookies a
    response sets. v2 responses carry cookies in their own ``cookies`` list.
    """
    single = response.get("headers") or {}
    if "multiValueHeaders" in response and "set-cookie" in single:
        multi = response["multiValueHeaders"]
        multi["set-cookie"] = [single.pop("set-cookie"), *multi.get("set-cookie", [])]
    return response


try:
    settings = load_settings()
except ConfigError as error:
    raise SystemExit(str(error)) from None

configure_logs(settings.log_level.value)
telemetry = configure_telemetry(settings)
_asgi = Mangum(StageStripped(create_app(settings)), lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return cookies_in_multi_value_headers(_asgi(event, context))
    finally:
        telemetry.flush()
