"""``python -m api customers reindex``: stored customers' search terms and
sort names recomputed (api/customers/reindex.py)."""

from __future__ import annotations

import time

from api.cli.command import connected
from api.customers.reindex import reindex
from api.settings import Settings


async def run_reindex(settings: Settings) -> int:
    async with connected(settings):
        began = time.perf_counter()
        result = await reindex()
        print(
            f"reindexed {result.changed:,} of {result.customers:,} customers"
            f" in {time.perf_counter() - began:.1f} s"
        )
        return 0
