"""Rate limits shared by every API instance: fixed one-minute windows counted
in MongoDB, so that they hold across Lambda containers and server workers.

One atomic ``$inc`` (an upsert) per request. A window's counter is a document
of its own; old ones are swept when a key opens a new window (FerretDB has no
TTL indexes; on MongoDB an index on ``expiresAt`` with ``expireAfterSeconds``
would do it, see docs/data-model.md).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import PyMongoError

from api.db.errors import is_duplicate_key
from api.ratelimit.documents import RateCounter

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window ends
    counter: str  # the window's document, to give a hit back


class RateLimitedError(Exception):
    """A caller went over a limit. Every way out of the app answers it alike:
    HTTP 429, ``Retry-After`` and the code ``RATE_LIMITED`` with ``retryAfter``."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


async def charge(scope: str, who: str, limit: int, what: str = "requests") -> Decision:
    """``hit``, raising RateLimitedError when over the limit."""
    decision = await hit(scope, who, limit)
    if not decision.allowed:
        raise RateLimitedError(
            f"more than {limit} {what} a minute; retry in {decision.retry_after} s",
            decision.retry_after,
        )
    return decision


async def give_back(decision: Decision) -> None:
    """Uncount a hit: what turned out not to count (a sign-in that succeeded)
    leaves the window as it was."""
    collection = RateCounter.get_pymongo_collection()
    await collection.update_one({"_id": decision.counter}, {"$inc": {"hits": -1}})


async def hit(scope: str, who: str, limit: int, cost: int = 1) -> Decision:
    """Count ``cost`` against ``who``'s limit in ``scope`` for the current minute."""
    moment = time.time()
    start = int(moment // WINDOW_SECONDS * WINDOW_SECONDS)
    retry_after = max(1, math.ceil(start + WINDOW_SECONDS - moment))
    expires = datetime.fromtimestamp(start + WINDOW_SECONDS, UTC)
    collection = RateCounter.get_pymongo_collection()
    counter = f"{scope}:{who}:{start}"
    query = {"_id": counter}
    update: dict[str, Any] = {"$inc": {"hits": cost}, "$setOnInsert": {"expiresAt": expires}}
    try:
        found = await _increment(collection, query, update)
    except PyMongoError as error:
        if not is_duplicate_key(error):  # a concurrent first hit made it: count again
            raise
        found = await _increment(collection, query, update)
    count = int(found["hits"])
    if count == cost:  # this request opened the window
        await collection.delete_many(
            {"expiresAt": {"$lt": datetime.fromtimestamp(start, UTC) - timedelta(minutes=1)}}
        )
    return Decision(
        allowed=count <= limit,
        limit=limit,
        remaining=max(0, limit - count),
        retry_after=retry_after,
        counter=counter,
    )


async def _increment(collection: Any, query: dict[str, Any], update: dict[str, Any]) -> Any:
    return await collection.find_one_and_update(
        query, update, upsert=True, return_document=ReturnDocument.AFTER
    )
