"""AWS Lambda entry point: ``api.lambda_handler.handler`` (Mangum over the same app).

Built once per container (cold start): settings, the database client and
telemetry are reused by every invocation. Lifespan events are off, because
Mangum would run them on every invocation; the app binds its documents on the
first request instead (``api.db.Database.ensure_ready``). Spans, metrics and
logs are flushed before each invocation returns, since a frozen container
cannot export in the background.
"""

from __future__ import annotations

from typing import Any

from mangum import Mangum

from api.app import create_app
from api.logs import configure as configure_logs
from api.settings import ConfigError, load_settings
from api.telemetry.setup import configure as configure_telemetry

try:
    settings = load_settings()
except ConfigError as error:
    raise SystemExit(str(error)) from None

configure_logs(settings.log_level.value)
telemetry = configure_telemetry(settings)
_asgi = Mangum(create_app(settings), lifespan="off")  # type: ignore[arg-type]  # any ASGI app


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return _asgi(event, context)
    finally:
        telemetry.flush()
