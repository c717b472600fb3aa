"""``api.main:app``: the app built from the environment's settings.

A bad setting ends the process with one readable line, not a traceback.
"""

from __future__ import annotations

from api.app import create_app
from api.logs import configure
from api.settings import ConfigError, load_settings

try:
    settings = load_settings()
except ConfigError as error:
    raise SystemExit(str(error)) from None

configure(settings.log_level.value)
app = create_app(settings)
