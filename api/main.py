"""``api.main:app``: the app built from the environment's settings.

A bad setting ends the process with one readable line, not a traceback.
"""

from __future__ import annotations

from api.logs import configure
from api.server.app import create_app
from api.settings import settings_or_exit

settings = settings_or_exit()

configure(settings.log_level.value)
app = create_app(settings)
