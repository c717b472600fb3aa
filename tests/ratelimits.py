"""Rate limits count in fixed one-minute windows (api/ratelimit/service.py):
a test that counts requests against a limit must not straddle two."""

from __future__ import annotations

import asyncio
import time

from api.ratelimit.service import WINDOW_SECONDS


async def a_fresh_window(margin: float = 10) -> None:
    """Wait for the next window if this one ends within ``margin`` seconds."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < margin:
        await asyncio.sleep(left + 0.5)
