"""The staff single-page app in a real browser against the real app and database:
find a customer, page through the list, open a customer and a session's events in
each view, change the analytics range, and reach the not-found page; nothing is
loaded from another origin."""

from __future__ import annotations

import base64
import json
import os
import re
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, Request, expect
from pymongo.asynchronous.database import AsyncDatabase

from api.analytics import hours
from api.demo import seed as seeding
from api.server import static as web_routes
from tests.conftest import Api
from tests.e2e.conftest import GuardedBrowser, sign_in_context

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
INDEX = ROOT / "web" / "dist" / "index.html"
Db = AsyncDatabase[dict[str, Any]]


@pytest.fixture
def spa_built() -> None:
    """`make test` builds the SPA (web-check) before pytest runs."""
    if not INDEX.exists():
        message = f"{INDEX} is missing: run `make web-build` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
async def seeded(api: Api, db: Db) -> Api:
    anchor = datetime.combine(datetime.now(UTC).date(), time(), tzinfo=UTC)
    await seeding.load(db, customers=60, seed=3, anchor=anchor, progress=False)
    await hours.rebuild()
    return api


def global_id(kind: str, database_id: object) -> str:
    return base64.b64encode(f"{kind}:{database_id}".encode()).decode()


async def shot(page: Page, name: str) -> None:
    OUTPUT.mkdir(exist_ok=True)
    await page.screenshot(path=str(OUTPUT / f"spa-{name}.png"), full_page=True)


async def kpi(page: Page, label: str) -> str:
    value = page.get_by_test_id("kpis").locator(".kpi", has_text=label).locator("dd")
    return (await value.inner_text()).strip()


async def test_staff_app(spa_built: None, seeded: Api, db: Db, browser: GuardedBrowser) -> None:
    api = seeded
    origin = urlsplit(api.url).netloc
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="UTC", locale="en-US"
    )
    await sign_in_context(context, api.url)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    requests: list[str] = []
    traceparents: list[str] = []

    def record(request: Request) -> None:
        requests.append(request.url)
        if urlsplit(request.url).path == "/graphql":
            traceparents.append(request.headers.get("traceparent", ""))

    page.on("request", record)

    # Customers: the first page of the list, all from our own origin.
    await page.goto(f"{api.url}/")
    rows = page.get_by_test_id("customer-row")
    await expect(rows.first).to_be_visible()
    await page.wait_for_load_state("networkidle")
    foreign = [
        url
        for url in requests
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != origin
    ]
    assert not foreign, f"the first page loaded from other origins: {foreign}"
    assert any(urlsplit(url).path == "/graphql" for url in requests)
    # Each API request starts its own trace in the browser.
    assert traceparents and all(
        re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", t) for t in traceparents
    )
    assert len(set(traceparents)) == len(traceparents)
    await shot(page, "customers")

    # Search by the start of a seeded customer's email (the part before @).
    target = await db["customers"].find_one({"email": {"$regex": r"^[a-z]{4,}"}}, sort=[("_id", 1)])
    assert target, "the seed has customers with emails"
    prefix = target["email"].split("@")[0][:5]
    search = page.get_by_role("searchbox", name="Search customers")
    await search.fill(prefix)
    await expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(prefix)}"))
    await expect(rows.filter(has_text=target["email"])).to_have_count(1)
    await shot(page, "search")

    # Clear it, then scroll: the next page comes after the first one's end cursor.
    await search.fill("")
    await expect(page).not_to_have_url(re.compile(r"[?&]q="))
    await expect(rows).to_have_count(25)
    await page.get_by_role("button", name="Load more customers").scroll_into_view_if_needed()
    await expect(rows.nth(25)).to_be_visible()
    assert await rows.count() > 25

    # The customer's page, and one session's events in each view.
    await search.fill(prefix)
    await rows.filter(has_text=target["email"]).get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(target["name"])
    await expect(page).to_have_url(re.compile(r"/customers/"))
    sessions = page.get_by_test_id("session")
    await expect(sessions.first).to_be_visible()
    first = await db["sessions"].find_one({"customerId": target["_id"]}, sort=[("startTime", -1)])
    assert first
    toggle = sessions.first.get_by_role("button")
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    events = await db["events"].find({"sessionId": first["_id"]}).sort("timestamp", 1).to_list(100)
    assert events, "the newest session has events"

    nodes = page.get_by_test_id("flow-node")
    await expect(nodes.first).to_be_visible()
    await expect(nodes.first).to_contain_text(events[0]["page"])
    assert 1 <= await nodes.count() <= len(events)
    await shot(page, "customer-graph")

    await page.get_by_role("tab", name="Table").click()
    table_rows = page.get_by_test_id("events-table").locator("tbody tr")
    await expect(table_rows).to_have_count(len(events))
    await expect(table_rows.first).to_contain_text(events[0]["page"])
    await shot(page, "customer-table")

    await page.get_by_role("tab", name="JSON").click()
    raw = page.get_by_test_id("events-json")
    await expect(raw).to_be_visible()
    shown = json.loads(await raw.inner_text())
    assert [e["page"] for e in shown] == [e["page"] for e in events]
    await shot(page, "customer-json")

    # Analytics: another preset gives other figures, and goes into the URL.
    await page.get_by_role("link", name="Analytics").click()
    await expect(page.get_by_role("heading", name="Analytics")).to_be_visible()
    await expect(page.get_by_role("button", name="7 days")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(page.get_by_test_id("kpis")).to_be_visible()
    week = await kpi(page, "Sessions")
    await page.get_by_role("button", name="30 days").click()
    await expect(page).to_have_url(re.compile(r"range=30d"))
    await expect(
        page.get_by_test_id("kpis").locator(".kpi", has_text="Sessions")
    ).not_to_contain_text(week)
    month = await kpi(page, "Sessions")
    assert int(month.replace(",", "")) > int(week.replace(",", ""))
    await page.wait_for_timeout(500)  # charts settle
    await shot(page, "analytics")

    # Unknown customer and unknown route: not found.
    await page.goto(f"{api.url}/customers/{global_id('Customer', '0' * 24)}")
    await expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    await shot(page, "not-found")
    await page.goto(f"{api.url}/no/such/page")
    await expect(page.get_by_role("heading", name="Not found")).to_be_visible()

    assert not errors, errors
    await context.close()


async def test_spa_routes_and_caching(spa_built: None, api: Api) -> None:
    """index.html for client-side routes (never cached), hashed assets cached for a
    year, and the API's own paths left to the API."""
    for path in ("/", "/customers/abc", "/analytics?range=30d"):
        response = await api.http.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"
        assert '<div id="root">' in response.text
    asset = re.search(r'src="(/assets/[^"]+\.js)"', (await api.http.get("/")).text)
    assert asset
    response = await api.http.get(asset.group(1))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await api.http.get("/assets/nope.js")).status_code == 404
    assert (await api.http.get("/v1/nope")).status_code == 404
    assert (await api.http.get("/healthz")).status_code == 200
    tracker = await api.http.get("/tracker.js")
    assert tracker.status_code == 200
    assert tracker.headers["cache-control"] == "public, max-age=300"
    config = await api.http.get("/config.js")
    assert config.status_code == 200
    assert config.headers["content-type"].startswith("text/javascript")


async def test_spa_not_built(api: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web_routes, "DIST", tmp_path / "dist")
    response = await api.http.get("/")
    assert response.status_code == 503
    assert "SPA not built: run make dev" in response.text
