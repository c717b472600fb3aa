"""A real database outage under traffic: while clients query GraphQL and send
/v1/track batches, the FerretDB process the app talks to is killed, then
started again on the same port and data. While it is away every request fails
fast and cleanly; afterwards the app recovers by itself, what was stored before
is intact, and every batch that was refused and sent again is stored once."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from api.server.app import create_app
from tests.api_process import serve
from tests.outage import Outage, until, wait_for
from tests.outage import outage as outage  # the fixture

QUERY = """query Outage($distinctId: String!) {
  customers(first: 5) { edges { node { id distinctId name } } }
  customerByDistinctId(distinctId: $distinctId) { distinctId name email }
}"""
BEFORE = "before-outage"
FAIL_FAST = 3.0  # seconds: the longest any request may take, the database away or not
RECOVERY = 10.0  # seconds from the database answering again to the app answering
GRAPHQL_WORKERS = 3
TRACK_WORKERS = 3
TRACK_ATTEMPTS = 20  # per batch: a worker gives up (and the test fails) after these


@dataclass
class Call:
    what: str  # graphql, track, readyz, healthz
    started: float
    ended: float
    status: int | None  # None: no HTTP answer at all
    text: str
    retry_after: str | None = None

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    def json(self) -> Any:
        return json.loads(self.text)

    def ok(self) -> bool:
        """2xx, and for GraphQL, no errors."""
        if self.status != 200:
            return False
        return self.what != "graphql" or "errors" not in self.json()

    def unavailable(self) -> bool:
        """The answer a client gets while the database is away."""
        if self.what == "graphql":
            body = self.json()
            errors = body.get("errors") or []
            # Whether the guard or a resolver met the outage, the answer is the same.
            return (
                self.status == 503
                and self.asks_to_retry()
                and bool(errors)
                and all(error["extensions"]["code"] == "SERVICE_UNAVAILABLE" for error in errors)
                and body.get("data") is None
            )
        if self.what == "track":
            body = self.json()
            return (
                self.status == 503
                and body["error"]["code"] == "SERVICE_UNAVAILABLE"
                and self.asks_to_retry()
            )
        if self.what == "readyz":
            return self.status == 503 and self.json()["status"] == "unavailable"
        return False

    def asks_to_retry(self) -> bool:
        return (self.retry_after or "").isdigit() and int(self.retry_after or 0) > 0

    def __repr__(self) -> str:
        return f"{self.what} {self.status} in {self.seconds:.2f}s: {self.text[:300]}"


@dataclass
class Batch:
    events: list[dict[str, Any]]
    answers: list[Call] = field(default_factory=list)


@dataclass
class Traffic:
    """Clients that keep calling the app until told to stop."""

    outage: Outage
    calls: list[Call] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def call(self, what: str, request: Awaitable[httpx.Response]) -> Call:
        started = time.monotonic()
        try:
            response = await request
            status, text = response.status_code, response.text
            retry_after = response.headers.get("retry-after")
        except httpx.HTTPError as error:
            status, text, retry_after = None, f"{type(error).__name__}: {error}", None
        call = Call(what, started, time.monotonic(), status, text, retry_after)
        self.calls.append(call)
        return call

    async def query(self) -> Call:
        return await self.call("graphql", self.outage.graphql(QUERY, distinctId=BEFORE))

    async def graphql_client(self) -> None:
        while not self.stopping.is_set():
            await self.query()
            await asyncio.sleep(0.2)  # under the API key's rate limit

    async def track_client(self, number: int) -> None:
        """Sends batches of a visitor's events one after the other; a refused
        batch is sent again, the same events, after Retry-After, as the snippet does."""
        while not self.stopping.is_set():
            now = datetime.now(UTC).isoformat()
            batch = Batch(
                [
                    {
                        "eventId": str(uuid.uuid4()),
                        "distinctId": f"traffic-{number}",
                        "sessionId": f"tab-{number}",
                        "type": kind,
                        "page": f"/product/{number}",
                        "timestamp": now,
                        "metadata": {"worker": number},
                    }
                    for kind in ("page_view", "search", "add_to_cart")
                ]
            )
            self.batches.append(batch)
            for _ in range(TRACK_ATTEMPTS):
                answer = await self.call("track", self.outage.track(batch.events))
                batch.answers.append(answer)
                if answer.status == 200:
                    break
                await asyncio.sleep(int(answer.retry_after or 1))
            await asyncio.sleep(0.05)

    async def probe(self) -> None:
        while not self.stopping.is_set():
            await self.call("readyz", self.outage.http.get("/readyz"))
            await self.call("healthz", self.outage.http.get("/healthz"))
            await asyncio.sleep(0.1)

    def retried(self) -> list[Batch]:
        """The batches refused at least once."""
        return [b for b in self.batches if any(a.status == 503 for a in b.answers)]

    def between(self, what: str, start: float, end: float = float("inf")) -> list[Call]:
        """The calls of one kind made entirely within [start, end]."""
        return [c for c in self.calls if c.what == what and c.started >= start and c.ended <= end]


async def documents(outage: Outage, collection: str, query: dict[str, Any]) -> list[Any]:
    return await outage.db[collection].find(query).sort("_id", 1).to_list()


async def test_database_outage_under_traffic(outage: Outage) -> None:
    began = time.monotonic()
    # Written before the outage: a customer, their session and events.
    seeded = [
        {
            "eventId": str(uuid.uuid4()),
            "distinctId": BEFORE,
            "sessionId": "tab-before",
            "type": "page_view",
            "page": f"/product/{n}",
            "timestamp": datetime.now(UTC).isoformat(),
            "metadata": {"timeSpent": n + 0.5},
        }
        for n in range(4)
    ]
    identify = {"distinctId": BEFORE, "name": "Ann Before", "email": "ann@example.com"}
    response = await outage.track(seeded, identify=identify)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == len(seeded)
    [customer] = await documents(outage, "customers", {"distinctId": BEFORE})
    before = {
        "customers": [customer],
        "sessions": await documents(outage, "sessions", {"customerId": customer["_id"]}),
        "events": await documents(outage, "events", {"customerId": customer["_id"]}),
    }
    assert len(before["sessions"]) == 1 and len(before["events"]) == len(seeded)

    traffic = Traffic(outage)
    workers = [
        *(asyncio.create_task(traffic.graphql_client()) for _ in range(GRAPHQL_WORKERS)),
        *(asyncio.create_task(traffic.track_client(n)) for n in range(TRACK_WORKERS)),
        asyncio.create_task(traffic.probe()),
    ]
    try:
        # Healthy: every kind of call has succeeded a few times.
        await until(
            lambda: all(
                sum(c.ok() for c in traffic.calls if c.what == what) >= 3
                for what in ("graphql", "track", "readyz")
            ),
            "traffic while the database is up",
            seconds=10,
        )
        down_from = time.monotonic()
        await outage.stop_database()
        down = time.monotonic()

        # Away: until each kind of call has been answered a few times meanwhile
        # (each track client retries after Retry-After, 5 s).
        await until(
            lambda: (
                len(traffic.between("graphql", down)) >= 10
                and len(traffic.between("track", down)) >= TRACK_WORKERS
                and len(traffic.between("readyz", down)) >= 3
            ),
            "answers while the database is away",
            seconds=15,
        )
        # Websites keep loading the snippet.
        snippet = await outage.http.get("/tracker.js")
        assert snippet.status_code == 200 and "tracker" in snippet.text
        up_from = time.monotonic()
        await outage.start_database()
        up = time.monotonic()

        # Back: the app answers by itself, without a restart.
        first_ok = await wait_for(traffic.query, Call.ok, "a GraphQL answer", seconds=RECOVERY)
        recovered = first_ok.ended
        ready = await outage.http.get("/readyz")
        assert ready.status_code == 200, ready.text
        # Every batch refused during the outage is sent again, and stored.
        await until(
            lambda: (
                all(b.answers[-1].status == 200 for b in traffic.retried())
                and len(traffic.between("track", recovered)) >= TRACK_WORKERS
                and len(traffic.between("graphql", recovered)) >= 10
            ),
            "refused batches stored after the recovery",
            seconds=20,
        )
    finally:
        traffic.stopping.set()
        await asyncio.wait_for(asyncio.gather(*workers), timeout=30)

    calls = traffic.calls
    # Never a 500, never a dropped connection, never a hang, before, during or
    # after; /healthz never depends on the database.
    assert [c for c in calls if c.status is None or (c.status >= 500 and c.status != 503)] == []
    assert [c for c in calls if c.seconds >= FAIL_FAST] == []
    assert [c for c in calls if c.what == "healthz" and c.status != 200] == []
    assert not any("Traceback" in c.text or 'File "' in c.text for c in calls)
    assert not any("INTERNAL_SERVER_ERROR" in c.text for c in calls)

    # Before the outage: everything succeeded.
    healthy = [c for c in calls if c.ended <= down_from and c.what != "healthz"]
    assert healthy and [c for c in healthy if not c.ok()] == []

    # While the database was away: SERVICE_UNAVAILABLE, fast, for every call.
    kinds = ("graphql", "track", "readyz")
    away = [c for what in kinds for c in traffic.between(what, down, up_from)]
    assert [c for c in away if not c.unavailable()] == []
    for what in kinds:
        assert any(c.what == what for c in away), what
    graphql_errors = [e for c in away if c.what == "graphql" for e in c.json()["errors"]]
    # The message is for people; extensions hold the code and the trace id, no stack.
    assert {e["message"] for e in graphql_errors} == {"the database is unavailable, retry shortly"}
    assert {key for e in graphql_errors for key in e["extensions"]} <= {"code", "traceId"}

    # Recovered by itself, soon after the database answered again.
    assert recovered - up < RECOVERY
    after = [c for c in calls if c.started >= recovered and c.what != "healthz"]
    assert [c for c in after if not c.ok()] == []
    assert first_ok.json()["data"]["customerByDistinctId"] == {
        "distinctId": BEFORE,
        "name": "Ann Before",
        "email": "ann@example.com",
    }

    # What was written before the outage is intact.
    assert {
        "customers": await documents(outage, "customers", {"distinctId": BEFORE}),
        "sessions": await documents(outage, "sessions", {"customerId": customer["_id"]}),
        "events": await documents(outage, "events", {"customerId": customer["_id"]}),
    } == before

    # Every batch was stored in the end; those refused and retried exactly once too.
    assert all(batch.answers[-1].status == 200 for batch in traffic.batches)
    retried = traffic.retried()
    assert len(retried) >= TRACK_WORKERS, [[a.status for a in b.answers] for b in retried]
    for batch in retried:
        statuses = [r["status"] for r in batch.answers[-1].json()["results"]]
        assert set(statuses) <= {"accepted", "duplicate"}, statuses
    sent = [event["eventId"] for batch in traffic.batches for event in batch.events]
    stored = await documents(outage, "events", {"eventId": {"$in": sent}})
    counts = Counter(event["eventId"] for event in stored)
    assert [i for i in sent if counts[i] != 1] == []
    assert await outage.db["events"].count_documents({}) == len(seeded) + len(sent)
    # One session per visitor, counting each of its events once.
    sessions = await documents(outage, "sessions", {})
    assert len(sessions) == 1 + TRACK_WORKERS
    per_session = Counter(event["sessionId"] for event in await documents(outage, "events", {}))
    assert {s["_id"]: s["eventCount"] for s in sessions} == dict(per_session)

    answered = Counter(f"{c.what} {c.status}" for c in away)
    print(
        f"\noutage: {len(calls)} calls; while away {dict(answered)}; "
        f"database away {up_from - down:.1f} s; "
        f"slowest answer while away {max(c.seconds for c in away):.2f} s; "
        f"recovered {recovered - up:.2f} s after the database; "
        f"{len(retried)} batches retried; test {time.monotonic() - began:.1f} s"
    )


async def test_demo_page_while_the_database_is_away(outage: Outage) -> None:
    assert (await outage.http.get("/demo/")).status_code == 200
    await outage.stop_database()
    page = await outage.http.get("/demo/")
    assert page.status_code == 503, page.text
    assert (page.headers.get("retry-after") or "").isdigit()
    await outage.start_database()
    assert (await outage.http.get("/demo/")).status_code == 200


SIGN_IN = """mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { expiresAt }
}"""


async def test_outage_met_by_a_resolver_asks_to_retry(outage: Outage) -> None:
    """An anonymous sign-in with the per-address limit off: the guard needs no
    database, so the outage is first met inside the resolver. Its answer must
    still be 503 with Retry-After, like one the guard refuses."""
    settings = outage.settings.model_copy(update={"rate_limit_per_ip": 0})
    async with serve(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as http:

        async def sign_in() -> httpx.Response:
            variables = {"email": "nobody@example.com", "password": "not the password"}
            return await http.post("/graphql", json={"query": SIGN_IN, "variables": variables})

        refused = await sign_in()  # the database is up: the app gets ready, the sign-in fails
        assert refused.status_code == 200 and "SERVICE_UNAVAILABLE" not in refused.text
        await outage.stop_database()
        answer = await sign_in()
        await outage.start_database()
        assert answer.status_code == 503, answer.text
        assert int(answer.headers["retry-after"]) > 0
        body = answer.json()
        assert body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
        assert "Traceback" not in answer.text
        # The app answers again once the database does.
        assert (await sign_in()).status_code == 200
