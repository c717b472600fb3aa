"""The tracking snippet through a real database outage: a visitor keeps using
the demo shop while the app's FerretDB is down; the snippet hears 503 with
Retry-After, keeps the events in its queue, and once the database is back
delivers every one of them, each stored exactly once. Nothing is faked: no
routing, the app answers for itself."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Page, Request, Response

from tests.e2e.test_tracker import assert_once, queued_ids, search, visit
from tests.outage import Outage, until, wait_for
from tests.outage import outage as outage  # the fixture

RETRY_AFTER = 5  # seconds, what /v1/track answers with its 503


@dataclass
class Send:
    """One request of the snippet to /v1/track, as the browser saw it."""

    at: float
    event_ids: list[str]
    status: int | None = None  # None: no answer (yet)
    retry_after: str | None = None


@dataclass
class TrackSpy:
    """Watches, without touching, what the page sends to /v1/track."""

    sends: dict[Request, Send] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("request", self.request)
        page.on("response", self.response)
        page.on("requestfailed", lambda request: self.failed.append(request.url))

    def request(self, request: Request) -> None:
        if request.url.endswith("/v1/track") and request.method == "POST":
            body = json.loads(request.post_data or "{}")
            ids = [event["eventId"] for event in body.get("events", [])]
            self.sends[request] = Send(time.monotonic(), ids)

    def response(self, response: Response) -> None:
        send = self.sends.get(response.request)
        if send is not None:
            send.status = response.status
            send.retry_after = response.headers.get("retry-after")

    def since(self, moment: float) -> list[Send]:
        return sorted((s for s in self.sends.values() if s.at >= moment), key=lambda s: s.at)


async def stored(outage: Outage, event_ids: list[str]) -> list[dict[str, Any]]:
    """The stored events with these client ids, read straight from the database."""
    return await outage.db["events"].find({"eventId": {"$in": event_ids}}).to_list()


def progress(outage: Outage, page: Page, event_ids: list[str]) -> Callable[[], Awaitable[Any]]:
    """How many of these events are stored, and how many the page still queues."""

    async def fetch() -> tuple[int, int, int]:
        found = len(await stored(outage, event_ids))
        return found, len(event_ids), await page.evaluate("tracker.queued")

    return fetch


def done(progress: tuple[int, int, int]) -> bool:
    found, wanted, queued = progress
    return found == wanted and queued == 0


async def test_events_recorded_while_the_database_is_down_arrive_once(outage, browser):
    began = time.monotonic()
    context = await browser.new_context()
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    spy = TrackSpy()
    spy.watch(page)
    await page.goto(f"{outage.url}/demo/")
    await page.wait_for_function("window.tracker")
    await asyncio.sleep(0.3)

    # Before the outage the pipeline works: the /home view arrives.
    await visit(page, "#/product/1")
    [home] = await queued_ids(page)
    await wait_for(progress(outage, page, [home]), done, "the /home view stored", 10)

    down = time.monotonic()
    await outage.stop_database()
    # /product/1, the search, /search, /product/2, add_to_cart
    await search(page, "lamp")
    await page.click("[data-product='2']")
    await page.click("#add-to-cart")
    await visit(page, "#/cart")
    await until(lambda: any(s.status for s in spy.since(down)), "a first answer", 10)
    await page.click("#upsell-accept")  # upsell
    # The snippet waits Retry-After, sends again and hears 503 again.
    await until(lambda: len([s for s in spy.since(down) if s.status]) >= 2, "a retry", 15)
    await visit(page, "#/")  # /cart, queued after both refusals

    refused = spy.since(down)
    assert [(s.status, s.retry_after) for s in refused] == [(503, str(RETRY_AFTER))] * 2
    assert refused[1].at - refused[0].at >= RETRY_AFTER  # Retry-After honoured
    assert await page.evaluate("tracker.last.status") == 503
    assert "HTTP 503, will retry" in await page.inner_text("#status-text")
    # Nothing refused left the queue; everything recorded meanwhile is in it.
    queued = await queued_ids(page)
    sent_while_down = {i for s in refused for i in s.event_ids}
    assert sent_while_down <= set(queued)
    assert len(sent_while_down) == 6  # the upsell went with the retry
    types = await page.evaluate("JSON.parse(localStorage.getItem('trk.q')).map(i => i.e.name)")
    assert Counter(types) == {"page_view": 4, "search": 1, "add_to_cart": 1, "upsell": 1}

    up = time.monotonic()
    await outage.start_database()
    back = time.monotonic()  # it answers again
    # The snippet delivers on its own schedule (no flush, no reload, no online event).
    await wait_for(progress(outage, page, queued), done, "the queue delivered", 30)

    assert_once(await stored(outage, queued), queued)
    events = await outage.db["events"].find({}).to_list()
    assert len(events) == 1 + len(queued)  # /home, then the outage's, nothing twice
    # One request delivered them all. Before it, the app may have refused one more
    # (503): with a 500 ms server selection timeout the first request after the
    # database's return can end before PyMongo's monitor, which wakes at most every
    # 500 ms, has seen the server again; the snippet then waits and sends again.
    later = [(round(s.at - back, 2), s.status, len(s.event_ids)) for s in spy.since(up)]
    [delivery] = [s for s in spy.since(up) if s.status == 200]
    assert set(delivery.event_ids) == set(queued), later
    assert {status for _, status, _ in later} <= {200, 503}, later
    assert later[-1][1] == 200, later
    assert await page.evaluate("tracker.last.status") == 200
    sessions = await outage.db["sessions"].find({}).to_list()
    assert [s["eventCount"] for s in sessions] == [len(events)]
    assert not spy.failed and not errors
    print(
        f"\ntracker outage: {len(refused)} refused sends; restart took {back - up:.1f} s; "
        f"then sends {later}; test {time.monotonic() - began:.1f} s"
    )
