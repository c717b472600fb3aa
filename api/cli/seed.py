"""``python -m api seed``: deterministic demo data (api/demo/seed.py) loaded
into the database, then its hourly analytics computed."""

from __future__ import annotations

from pymongo.errors import BulkWriteError

from api.analytics.hours import rebuild
from api.cli.command import connected
from api.demo.seed import load, midnight_utc
from api.settings import Settings


async def run(settings: Settings, customers: int, seed: int, if_empty: bool) -> int:
    """With ``if_empty``, a database that already has customers is left alone
    (a line says so; 0). Otherwise ``load`` with today's midnight UTC as the
    anchor, then a one-line summary (counts, seconds, docs/s), and 0.

    A load that collides with documents already present (same seed twice, or an
    email taken) prints what was rejected and returns 1."""
    name = settings.mongodb_db
    async with connected(settings) as database:
        if if_empty and await database["customers"].find_one({}, {"_id": 1}) is not None:
            print(f"database {name!r} already has customers; nothing seeded")
            return 0
        try:
            stats = await load(database, customers, seed, midnight_utc())
        except BulkWriteError as error:
            rejected = len(error.details.get("writeErrors", []))
            first = error.details.get("writeErrors", [{}])[0].get("errmsg", "")
            print(
                f"seed into {name!r} stopped: {rejected} documents rejected ({first}); "
                "the database already holds data - use an empty database or --if-empty"
            )
            return 1
        total = stats.customers + stats.sessions + stats.events
        rate = total / stats.seconds if stats.seconds > 0 else 0.0
        print(
            f"seeded {stats.customers:,} customers, {stats.sessions:,} sessions and "
            f"{stats.events:,} events into {name!r} in {stats.seconds:.1f} s "
            f"({rate:,.0f} docs/s)"
        )
        # Seeding writes raw documents, bypassing ingestion: compute the hourly
        # analytics from them once.
        hours = await rebuild()
        print(f"computed analytics for {hours:,} hours")
        return 0
