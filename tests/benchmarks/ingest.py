"""The ingest workload: realistic batches for ``POST /v1/track``, every event new.

A few customers browse in visits (a client session id each): page views with
the time spent on them, searches, now and then a cart and a checkout, a few
seconds to a minute apart, in time order, over the last days.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

CUSTOMERS = 8
VISIT_EVENTS = (5, 40)  # events per visit, at least and at most
START_AGO = timedelta(days=7)  # a full run of 500-event batches spans about 3 days
PAGES = ("/", "/search", *(f"/product/{n}" for n in range(1, 41)), "/cart")
QUERIES = ("running shoes", "rain jacket", "headphones", "backpack", "desk lamp")


class EventStream:
    """Fresh, distinct events in time order; the same seed gives the same visits."""

    def __init__(self, seed: int, now: datetime | None = None) -> None:
        self.rng = random.Random(seed)
        self.clock = (now or datetime.now(UTC)) - START_AGO
        self.visits: dict[str, tuple[str, int]] = {}  # customer -> (client session id, left)

    def _session(self, customer: str) -> str:
        session, left = self.visits.get(customer, ("", 0))
        if left <= 0:
            session, left = uuid.uuid4().hex, self.rng.randint(*VISIT_EVENTS)
        self.visits[customer] = (session, left - 1)
        return session

    def event(self) -> dict[str, Any]:
        rng = self.rng
        self.clock += timedelta(seconds=rng.uniform(1, 20))
        customer = f"bench-customer-{rng.randrange(CUSTOMERS)}"
        kind = rng.choices(
            ("page_view", "search", "add_to_cart", "upsell", "checkout"), (70, 15, 9, 3, 3)
        )[0]
        metadata: dict[str, Any] = {}
        page = rng.choice(PAGES)
        if kind == "page_view":
            metadata["timeSpent"] = round(rng.lognormvariate(3, 0.8), 1)
        elif kind == "search":
            page, metadata["query"] = "/search", rng.choice(QUERIES)
        elif kind == "checkout":
            page, metadata["total"] = "/checkout", round(rng.uniform(10, 300), 2)
        else:
            metadata["productId"] = rng.randint(1, 40)
        return {
            "eventId": str(uuid.uuid4()),
            "distinctId": customer,
            "sessionId": self._session(customer),
            "type": kind,
            "page": page,
            "timestamp": self.clock.isoformat(),
            "metadata": metadata,
            "device": "web",
        }

    def batch(self, size: int) -> list[dict[str, Any]]:
        return [self.event() for _ in range(size)]


class IngestError(Exception):
    pass


async def send(http: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
    """One ``POST /v1/track``; every event must be accepted (they are all new)."""
    response = await http.post("/v1/track", json={"events": events})
    if response.status_code != 200:
        raise IngestError(f"HTTP {response.status_code}: {response.text[:300]}")
    body = response.json()
    if body["accepted"] != len(events):
        raise IngestError(f"{body['accepted']} of {len(events)} accepted: {body['results'][:3]}")
