"""Building event batches for ingestion tests."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

NOW = datetime.now(UTC).replace(microsecond=0)
TYPES = ["page_view", "search", "add_to_cart", "upsell", "checkout"]
PAGES = ["/home", "/search", "/product/1", "/product/2", "/cart", "/checkout"]


def event(distinct_id: str, when: datetime, kind: str = "page_view", page: str = "/home",
          session: str | None = None, **metadata: Any) -> dict[str, Any]:  # fmt: skip
    raw: dict[str, Any] = {
        "eventId": str(uuid.uuid4()),
        "distinctId": distinct_id,
        "type": kind,
        "page": page,
        "timestamp": when.isoformat(),
        "metadata": metadata,
    }
    if session is not None:
        raw["sessionId"] = session
    return raw


def random_batch(
    rng: random.Random, customers: int, size: int, days: int = 3
) -> list[dict[str, Any]]:
    """Events of a few customers over a few days, with client sessions or none,
    out of order, with and without timeSpent."""
    batch = []
    for _ in range(size):
        who = f"c{rng.randrange(customers)}"
        when = NOW - timedelta(minutes=rng.randrange(days * 24 * 60))
        kind = rng.choice(TYPES)
        page = rng.choice(PAGES)
        metadata: dict[str, Any] = {}
        if kind == "page_view" and rng.random() < 0.8:
            metadata["timeSpent"] = round(rng.uniform(0.5, 120), 1)
        session = f"s{rng.randrange(4)}-{who}" if rng.random() < 0.5 else None
        batch.append(event(who, when, kind, page, session, **metadata))
    return batch
