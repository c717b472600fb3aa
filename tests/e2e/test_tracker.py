"""The tracking snippet in a real browser, through the demo shop, against the real
app and database: what a visitor does must end up in ``events``, ``customers``
and ``sessions``, exactly once, through offline periods, reloads, server
errors and pages being closed.

Contexts bypass the demo page's Content-Security-Policy: Playwright's
``wait_for_function`` evaluates strings, which the policy rightly forbids (the
staff SPA's test keeps the policy on)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page, Route
from pymongo.asynchronous.database import AsyncDatabase

from api.auth.service import create_write_key
from tests.conftest import Api

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
T = TypeVar("T")
Db = AsyncDatabase[dict[str, Any]]


async def wait_for(
    fetch: Callable[[], Awaitable[T]], ready: Callable[[T], bool], what: str, seconds: float = 15
) -> T:
    """Polls ``fetch`` until ``ready`` holds; fails with the last value seen."""
    deadline = time.monotonic() + seconds
    value = await fetch()
    while not ready(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s; last seen: {value!r}")
        await asyncio.sleep(0.25)
        value = await fetch()
    return value


def events_of(db: Db) -> Callable[[], Awaitable[list[dict[str, Any]]]]:
    async def fetch() -> list[dict[str, Any]]:
        return await db["events"].find({}).sort("timestamp", 1).to_list()

    return fetch


async def open_demo(context: BrowserContext, api: Api, route: str = "") -> Page:
    page = await context.new_page()
    await page.goto(f"{api.url}/demo/{route}")
    await page.wait_for_function("window.tracker")
    return page


async def visit(page: Page, route: str, dwell: float = 0.3) -> None:
    """Goes to a shop route (``#/product/3``) and stays a moment, so the page view
    has a visible time."""
    await page.evaluate("route => { location.hash = route }", route)
    await page.wait_for_function("() => document.querySelector('#app').children.length > 0")
    await asyncio.sleep(dwell)


async def search(page: Page, query: str) -> None:
    await page.fill("#search-input", query)
    await page.press("#search-input", "Enter")
    await page.wait_for_selector("#result-count")
    await asyncio.sleep(0.3)


async def queued_ids(page: Page) -> list[str]:
    ids: list[str] = await page.evaluate(
        "JSON.parse(localStorage.getItem('trk.q') || '[]').map(item => item.e.eventId)"
    )
    return ids


SPY_ON_BEACONS = """
const send = navigator.sendBeacon.bind(navigator);
navigator.sendBeacon = (url, data) => {
  const ok = send(url, data);
  if (ok) {
    const ids = JSON.parse(localStorage.getItem('test.beaconed') || '[]');
    ids.push(...JSON.parse(data).events.map(event => event.eventId));
    localStorage.setItem('test.beaconed', JSON.stringify(ids));
  }
  return ok;
};
"""


async def other_page_beaconed(context: BrowserContext, api: Api) -> set[str]:
    """The ids of the events sent by beacon so far, read from a fresh page."""
    page = await context.new_page()
    await page.goto(f"{api.url}/healthz")
    ids: list[str] = await page.evaluate(
        "JSON.parse(localStorage.getItem('test.beaconed') || '[]')"
    )
    await page.close()
    return set(ids)


def assert_once(events: list[dict[str, Any]], ids: list[str]) -> None:
    counts = Counter(event["eventId"] for event in events)
    missing = [event_id for event_id in ids if event_id not in counts]
    assert not missing, f"never arrived: {missing}"
    twice = {event_id: count for event_id, count in counts.items() if count != 1}
    assert not twice, f"stored more than once: {twice}"


async def test_a_visit_arrives_with_pages_customer_and_one_session(api, db, browser):
    context = await browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 1180})
    page = await open_demo(context, api)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await asyncio.sleep(0.3)  # on /home

    await search(page, "lamp")  # search event, then /search
    await page.click("[data-product='2']")  # /product/2
    await page.wait_for_selector("#add-to-cart")
    await page.fill("#quantity", "2")
    await page.click("#add-to-cart")
    await page.wait_for_selector("#added:not([hidden])")
    await asyncio.sleep(0.3)
    await page.click("#cart-link")  # /cart
    await page.click("#upsell-accept")
    await asyncio.sleep(0.3)
    await page.click("#to-checkout")  # /checkout
    await page.fill("#checkout-form [name=name]", "Ann Lee")
    await page.fill("#checkout-form [name=email]", "ann@example.com")
    await page.click("#place-order")
    await page.wait_for_selector("#thanks")
    await asyncio.sleep(0.3)

    await page.click("#who-open")
    await page.fill("#who-name", "Ann Lee")
    await page.fill("#who-email", "ann@example.com")
    await page.select_option("#who-country", "DE")
    await page.click("#who-save")
    await visit(page, "#/")  # ends the /checkout page view

    visitor: str = await page.evaluate("tracker.distinctId")
    client_session: str = await page.evaluate("tracker.sessionId")
    expected_pages = ["/home", "/search", "/product/2", "/cart", "/checkout"]
    expected_count = len(expected_pages) + 4  # search, add_to_cart, upsell, checkout
    events = await wait_for(
        events_of(db), lambda found: len(found) >= expected_count, "all events of the visit"
    )
    assert len(events) == expected_count, [(e["type"], e["page"]) for e in events]

    by_type: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_type.setdefault(event["type"], []).append(event)
    views = by_type["page_view"]
    assert [view["page"] for view in views] == expected_pages
    for view in views:
        spent = view["metadata"]["timeSpent"]
        assert isinstance(spent, int | float) and not isinstance(spent, bool)
        assert spent > 0, view
    [found] = by_type["search"]
    assert (found["page"], found["metadata"]) == ("/search", {"query": "lamp"})
    [cart] = by_type["add_to_cart"]
    assert cart["page"] == "/product/2"
    assert {k: cart["metadata"][k] for k in ("productId", "price", "quantity")} == {
        "productId": 2,
        "price": 89,
        "quantity": 2,
    }
    [upsell] = by_type["upsell"]
    assert upsell["page"] == "/cart" and upsell["metadata"]["productId"] == 6
    [checkout] = by_type["checkout"]
    assert checkout["page"] == "/checkout"
    assert checkout["metadata"]["orderTotal"] == 2 * 89 + 9
    assert checkout["metadata"]["currency"] == "EUR"
    assert {item["productId"]: item["quantity"] for item in checkout["metadata"]["items"]} == {
        2: 2,
        6: 1,
    }

    customers = await wait_for(
        lambda: db["customers"].find({}).to_list(),
        lambda found: len(found) == 1 and found[0]["name"] == "Ann Lee",
        "the identified customer",
    )
    [customer] = customers
    assert customer["distinctId"] == visitor
    assert (customer["email"], customer["country"]) == ("ann@example.com", "DE")
    assert all(event["customerId"] == customer["_id"] for event in events)

    sessions = await wait_for(
        lambda: db["sessions"].find({}).to_list(),
        lambda found: len(found) == 1 and found[0]["eventCount"] == expected_count,
        "one session counting every event",
    )
    [session] = sessions
    assert session["customerId"] == customer["_id"]
    assert session["clientSessionId"] == client_session
    assert {event["sessionId"] for event in events} == {session["_id"]}

    # The status line tells a person that data went out.
    await page.wait_for_function(
        "document.querySelector('#status-text').textContent.startsWith('0 events queued')"
    )
    assert "HTTP 200" in await page.inner_text("#status-text")
    OUTPUT.mkdir(exist_ok=True)
    await page.screenshot(path=str(OUTPUT / "demo.png"))
    assert not errors


async def test_offline_events_survive_a_reload_and_arrive_once(api, db, browser):
    context = await browser.new_context(bypass_csp=True)
    # Beacons escape both Chromium's offline emulation and Playwright's routing;
    # offline, a real one cannot be delivered. Refuse them as an offline browser would.
    await context.add_init_script("navigator.sendBeacon = () => false;")
    page = await open_demo(context, api)
    await asyncio.sleep(0.3)

    # The network goes down for the page's requests as well as in the browser's
    # emulation, so that no request already on its way slips through; the shop's
    # own files come from disk, as a real visitor's would come from the HTTP cache.
    # The shop page as served, with its write key.
    shop = (await api.http.get("/demo/")).text
    files = {
        "/demo/shop.css": ROOT / "web/demo/shop.css",
        "/demo/shop.js": ROOT / "web/demo/shop.js",
        "/tracker.js": ROOT / "web/tracker/tracker.js",
    }

    async def cache(route: Route) -> None:
        path = urlsplit(route.request.url).path
        if path == "/demo/":
            await route.fulfill(body=shop, content_type="text/html")
        elif path in files:
            await route.fulfill(path=files[path])
        else:
            await route.abort("internetdisconnected")  # the network is down

    await context.route("**/*", cache)
    await context.set_offline(True)
    await search(page, "mug")
    # A send failed, and the status line says so.
    await page.wait_for_function("tracker.last && tracker.last.error")
    await page.wait_for_function(
        "document.querySelector('#status-text').textContent.includes('network error')"
    )

    await page.reload()
    await page.wait_for_function("window.tracker")
    # Chromium, now and then, still delivers the old page's events while it
    # unloads (beyond both emulation and routing); what the page records once
    # reloaded offline must stay in its queue.
    before_reload = set(await queued_ids(page))
    await asyncio.sleep(0.3)
    await page.click("[data-product='1']")
    await page.click("#add-to-cart")
    await visit(page, "#/cart")
    await asyncio.sleep(1)
    leaked = [e for e in await events_of(db)() if e["eventId"] not in before_reload]
    assert [(e["type"], e["page"]) for e in leaked] == []

    ids = await queued_ids(page)
    types = await page.evaluate("JSON.parse(localStorage.getItem('trk.q')).map(i => i.e.name)")
    # /home, the search, /search before and after the reload, /product/1, the cart
    assert Counter(types) == {"page_view": 4, "search": 1, "add_to_cart": 1}, types

    await context.unroute("**/*", cache)
    await context.set_offline(False)
    events = await wait_for(
        events_of(db), lambda found: len(found) >= len(ids), "the offline events"
    )
    assert_once(events, ids)
    assert len(events) == len(ids)
    await wait_for(lambda: page.evaluate("tracker.queued"), lambda n: n == 0, "an empty queue")


async def test_503_with_retry_after_is_retried_until_stored_once(api, db, browser):
    context = await browser.new_context(bypass_csp=True)
    answered: list[tuple[float, int]] = []
    sent: set[str] = set()

    async def flaky(route: Route) -> None:
        if route.request.method != "POST":
            await route.fallback()
            return
        # A simple request: no CORS preflight, also for a cross-origin endpoint.
        assert route.request.headers["content-type"] == "text/plain;charset=UTF-8"
        body = route.request.post_data_json
        assert body is not None
        sent.update(event["eventId"] for event in body["events"])
        if len(answered) < 2:
            answered.append((time.monotonic(), 503))
            await route.fulfill(
                status=503,
                headers={"Retry-After": "1"},
                json={"error": {"code": "SERVICE_UNAVAILABLE", "message": "try later"}},
            )
        else:
            answered.append((time.monotonic(), 0))
            await route.fallback()

    await context.route("**/v1/track", flaky)
    page = await open_demo(context, api)
    await asyncio.sleep(0.3)
    await search(page, "scarf")
    await page.click("[data-product='8']")
    await page.click("#add-to-cart")
    await visit(page, "#/cart")
    # /home, the search, /search, /product/8, add_to_cart (the /cart view is open)
    expected = 5

    events = await wait_for(events_of(db), lambda found: len(found) >= expected, "the events")
    assert len(sent) == expected
    assert_once(events, list(sent))
    assert len(events) == expected
    assert [status for _, status in answered[:2]] == [503, 503]
    # Retry-After: 1 is honoured, whatever the jitter says.
    assert answered[1][0] - answered[0][0] >= 0.95
    assert answered[2][0] - answered[1][0] >= 0.95
    await wait_for(lambda: page.evaluate("tracker.queued"), lambda n: n == 0, "an empty queue")


async def test_page_view_is_beaconed_when_the_page_is_left_or_closed(api, db, browser):
    context = await browser.new_context(bypass_csp=True)
    # Notes (in localStorage, which outlives the pages) which events went by beacon.
    await context.add_init_script(SPY_ON_BEACONS)

    # Left: navigating to another page of the site.
    page = await open_demo(context, api, "#/product/3")
    await asyncio.sleep(1.2)
    await page.goto(f"{api.url}/healthz")
    events = await wait_for(
        events_of(db),
        lambda found: any(e["page"] == "/product/3" for e in found),
        "the page view of the page left",
    )
    [left] = [e for e in events if e["page"] == "/product/3"]
    assert left["type"] == "page_view"
    assert left["metadata"]["timeSpent"] >= 1.0

    # Closed: the tab goes away.
    other = await open_demo(context, api, "#/product/5")
    await asyncio.sleep(1.2)
    await other.close()
    events = await wait_for(
        events_of(db),
        lambda found: any(e["page"] == "/product/5" for e in found),
        "the page view of the closed page",
    )
    [closed] = [e for e in events if e["page"] == "/product/5"]
    assert closed["type"] == "page_view" and closed["metadata"]["timeSpent"] >= 1.0
    beaconed = await other_page_beaconed(context, api)
    assert {left["eventId"], closed["eventId"]} <= beaconed

    # Beacons are not acknowledged: the next page load sends their events again
    # by fetch after a grace period; the server answers "duplicate", the queue
    # empties, and nothing is stored twice.
    again = await open_demo(context, api)
    assert await again.evaluate("tracker.queued") >= 2
    await wait_for(
        lambda: again.evaluate("[tracker.queued, tracker.last && tracker.last.duplicates]"),
        lambda state: state[0] == 0 and state[1] > 0,
        "beaconed events re-sent and acknowledged as duplicates",
    )
    events = await events_of(db)()
    assert_once(events, [e["eventId"] for e in events])
    assert len(events) == 2


PLAIN_SITE = """<!doctype html><title>A site that does not route itself</title>
<script src="/tracker.js" data-write-key="{key}" data-batch-size="5"
        data-flush-interval="60000" defer></script>"""


async def test_plain_site_page_views_sessions_batches_and_bound(api, db, browser):
    context = await browser.new_context(bypass_csp=True)
    bodies: list[dict[str, Any]] = []
    down = False

    key = (await create_write_key("A plain site", "test")).key

    async def site(route: Route) -> None:
        await route.fulfill(body=PLAIN_SITE.format(key=key), content_type="text/html")

    async def spy(route: Route) -> None:
        body = route.request.post_data_json
        assert body is not None
        bodies.append(body)
        if down:
            await route.abort("internetdisconnected")
        else:
            await route.fallback()

    await context.route("**/shop/**", site)
    await context.route("**/v1/track", spy)
    page = await context.new_page()
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    await page.goto(f"{api.url}/shop/a")
    await page.wait_for_function("window.tracker")
    await asyncio.sleep(0.2)

    # Page views follow pushState and popstate; track() defaults to the current page.
    await page.evaluate("history.pushState({}, '', '/shop/b')")
    await asyncio.sleep(0.2)
    await page.evaluate("history.back()")
    await page.wait_for_function("location.pathname == '/shop/a'")
    await asyncio.sleep(0.2)
    await page.evaluate("tracker.track('search', {query: 'socks'})")
    first_session: str = await page.evaluate("tracker.sessionId")
    # 30 minutes without activity: the next event starts a new session.
    await page.evaluate(
        """() => { const s = JSON.parse(localStorage.getItem('trk.s'));
                   s.t -= 31 * 60 * 1000; localStorage.setItem('trk.s', JSON.stringify(s)); }"""
    )
    await page.evaluate("tracker.track('add_to_cart', {page: '/cart', productId: 7})")
    second_session: str = await page.evaluate("tracker.sessionId")
    assert second_session != first_session
    await page.evaluate("tracker.flush()")

    assert bodies and all(body.get("writeKey") == key for body in bodies)
    events = await wait_for(events_of(db), lambda found: len(found) >= 4, "the plain site events")
    assert [(e["type"], e["page"]) for e in events] == [
        ("page_view", "/shop/a"),
        ("page_view", "/shop/b"),
        ("search", "/shop/a"),
        ("add_to_cart", "/cart"),
    ]
    sessions = await db["sessions"].find({}).to_list()
    assert sorted(s["clientSessionId"] for s in sessions) == sorted([first_session, second_session])

    # A full batch starts a flush at once (no waiting for the 60 s interval),
    # which sends everything queued in requests of at most data-batch-size events.
    bodies.clear()
    await page.evaluate("for (let i = 0; i < 7; i++) tracker.track('search', {query: 'q' + i})")
    await wait_for(lambda: page.evaluate("tracker.queued"), lambda n: n == 0, "an empty queue")
    assert [len(body["events"]) for body in bodies] == [5, 2]

    # Unreachable endpoint: the queue keeps the newest 1000 events and says so.
    down = True
    await page.evaluate("for (let i = 0; i < 1003; i++) tracker.track('search', {query: 'n' + i})")
    assert await page.evaluate("tracker.queued") == 1000
    kept = await page.evaluate("JSON.parse(localStorage.getItem('trk.q'))[0].e.metadata.query")
    assert kept == "n3"
    assert any("queue full" in warning for warning in warnings), warnings


CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


async def test_context_of_a_campaign_visit_is_stored(api, db, browser):
    """A visitor arriving from a search engine on a campaign link: the first
    event of the page load carries the referrer, the URL's UTM parameters, the
    screen and the language; the browser comes from the real User-Agent."""
    context = await browser.new_context(
        bypass_csp=True,
        user_agent=CHROME_MAC,
        locale="de-DE",
        viewport={"width": 1200, "height": 800},
        screen={"width": 1440, "height": 900},
    )
    page = await context.new_page()
    query = "utm_source=newsletter&utm_medium=email&utm_campaign=winter%20sale"
    await page.goto(f"{api.url}/demo/?{query}", referer="https://www.Example-Search.test/q")
    await page.wait_for_function("window.tracker")
    await asyncio.sleep(0.3)
    await visit(page, "#/product/3")
    await page.evaluate("tracker.flush()")
    events = await wait_for(events_of(db), lambda found: len(found) >= 1, "the first event")
    with_context = [event for event in events if "utmSource" in event.get("context", {})]
    assert len(with_context) == 1, [event.get("context") for event in events]
    stored = with_context[0]["context"]
    assert stored == {
        "browser": "Chrome",
        "browserVersion": "131.0.0",
        "os": "Mac OS X",
        "osVersion": "10.15.7",
        "deviceType": "desktop",
        "referrer": "https://www.example-search.test/q",
        "referrerDomain": "example-search.test",
        "utmSource": "newsletter",
        "utmMedium": "email",
        "utmCampaign": "winter sale",
        "screenWidth": 1440,
        "screenHeight": 900,
        "language": "de-DE",
    }
    assert all(event["bot"] is False for event in events)
    # The others carry only what the server reads from the user agent.
    for event in events:
        if event is not with_context[0]:
            assert set(event["context"]) == {
                "browser", "browserVersion", "os", "osVersion", "deviceType",
            }  # fmt: skip
    await context.close()
