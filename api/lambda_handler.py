"""AWS Lambda entry point: ``api.lambda_handler.handler`` (Mangum over the same app).

Built once per container (cold start): settings, the database client and
telemetry are reused by every invocation. Lifespan events are off, because
Mangum would run them on every invocation; the app binds its documents on the
first request instead (``api.db.client.Database.ensure_ready``). Spans, metrics and
logs are flushed before each invocation returns, since a frozen container
cannot export in the background.

Only what serving needs is imported here: the local server, the demo data and
the command line (``api.cli``, ``api.demo``) stay out of the cold start.

Deployed, the MongoDB URI and the origin secret are not in the environment:
``MONGODB_URI_PARAMETER`` and ``ORIGIN_SECRET_PARAMETER`` name SSM SecureString
parameters, read with decryption in one call at cold start. With an origin
secret, only requests carrying it in ``X-Origin-Verify`` (which CloudFront
adds) reach the app; anything sent straight to the API's origin domain (its
execute-api endpoint is disabled) is refused.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Sequence
from typing import Any

from mangum import Mangum
from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from api.core.errors import Code
from api.logs import configure as configure_logs
from api.server.app import create_app
from api.settings import ConfigError, Settings, load_settings, settings_or_exit
from api.telemetry.setup import configure as configure_telemetry

# What API Gateway calls the stage of an HTTP API that has no path prefix.
DEFAULT_STAGE = "$default"
# Lower case, as HTTP API events carry header names.
ORIGIN_HEADER = "x-origin-verify"


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


def read_parameters(names: Sequence[str]) -> dict[str, str]:
    """SSM parameters' values, decrypted, in one request."""
    # Lambda's Python runtime comes with boto3, so the bundle leaves it out
    # (infra/lambda_package.py); only this path imports it.
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    # Many containers starting at once can exceed SSM's request rate: retry
    # with backoff, but give up well inside Lambda's 10 s of initialisation.
    config = Config(
        connect_timeout=2, read_timeout=3, retries={"mode": "standard", "max_attempts": 4}
    )
    listed = ", ".join(names)
    try:
        answer = boto3.client("ssm", config=config).get_parameters(
            Names=list(names), WithDecryption=True
        )
    except (BotoCoreError, ClientError) as error:
        reason = " ".join(str(error).split())
        raise ConfigError(f"invalid configuration: reading SSM {listed}: {reason}") from None
    missing = sorted(answer.get("InvalidParameters") or [])
    if missing:
        raise ConfigError(f"invalid configuration: no SSM parameter {', '.join(missing)}")
    return {parameter["Name"]: parameter["Value"] for parameter in answer["Parameters"]}


def lambda_settings() -> tuple[Settings, tuple[str, ...]]:
    """The settings, with the URI from SSM if so configured, and the origin
    secrets requests must carry (none: no check)."""
    settings = load_settings()
    uri_name, secret_name = settings.mongodb_uri_parameter, settings.origin_secret_parameter
    names = [name for name in (uri_name, secret_name) if name]
    if not names:
        return settings, ()
    values = read_parameters(names)
    if uri_name:
        try:
            settings = Settings(mongodb_uri=values[uri_name])
        except ValidationError as error:
            # Not describe(): it would print the value, password included.
            reasons = "; ".join(item["msg"] for item in error.errors())
            message = f"invalid configuration: the value of {uri_name}: {reasons}"
            raise ConfigError(message) from None
    secrets: tuple[str, ...] = ()
    if secret_name:
        # "new,old" while the secret is rotated: both are accepted.
        secrets = tuple(part.strip() for part in values[secret_name].split(",") if part.strip())
        if not secrets:
            raise ConfigError(f"invalid configuration: the value of {secret_name} is empty")
    return settings, secrets


def through_origin(event: dict[str, Any], secrets: Sequence[str]) -> bool:
    """Whether the event carries one of ``secrets`` in X-Origin-Verify. The
    header is taken out of the event either way: the app never sees it, so
    it is never logged or traced."""
    sent = ""
    for field in ("headers", "multiValueHeaders"):
        headers = event.get(field) or {}
        for name in [name for name in headers if name.lower() == ORIGIN_HEADER]:
            value = headers.pop(name)
            sent = sent or (value[0] if isinstance(value, list) and value else str(value))
    given = sent.encode()
    # Every secret compared, in constant time: no early exit to time.
    matches = [hmac.compare_digest(given, secret.encode()) for secret in secrets]
    return bool(sent) and any(matches)


def refused() -> dict[str, Any]:
    body = {
        "error": {
            "code": Code.FORBIDDEN.value,
            "message": "requests come through the site's address",
        }
    }
    return {
        "statusCode": 403,
        "headers": {"content-type": "application/json", "x-content-type-options": "nosniff"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


settings, origin_secrets = settings_or_exit(lambda_settings)

configure_logs(settings.log_level.value)
telemetry = configure_telemetry(settings)
_asgi = Mangum(StageStripped(create_app(settings)), lifespan="off")


def insights_sync(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """EventBridge, every minute: the analytical store's stale days written to S3."""
    from api.insights.jobs import sync_once

    try:
        return asyncio.run(sync_once(settings))
    finally:
        telemetry.flush()


def insights_export(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """EventBridge, daily: the previous UTC day's events to the bucket's exports/."""
    from api.insights.jobs import export_previous_day

    try:
        return asyncio.run(export_previous_day(settings))
    finally:
        telemetry.flush()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if origin_secrets and not through_origin(event, origin_secrets):
        return refused()
    try:
        return cookies_in_multi_value_headers(_asgi(event, context))
    finally:
        telemetry.flush()
