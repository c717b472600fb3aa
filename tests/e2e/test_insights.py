"""The Insights page in a real browser against the real API, store and database:
events with their own properties are sent to /v1/track and synced into the
analytical store; a query built with the pickers (event, math, breakdown, a
filter) shows the totals of what was sent, lives in the URL (reload, back), and
its table downloads as the same CSV."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import Page, expect

from api.insights.store import store_for
from api.settings import Settings
from tests.conftest import Api, Website
from tests.e2e.conftest import GuardedBrowser, axe_violations, sign_in_context
from tests.e2e.test_spa import shot, spa_built  # noqa: F401  (a fixture)

PLANS = ["free", "pro", "team"]
AMOUNTS = [5, 12.5, 99, 250]
# A select's accessible name ends with its selected option ("Breakdown None").
BREAKDOWN = re.compile(r"^Breakdown(?! values)")


def _events() -> list[dict[str, Any]]:
    """Checkouts of every plan and amount, and page views, in the last half hour."""
    now = datetime.now(UTC).replace(microsecond=0)
    events = []
    for n in range(36):
        kind = "checkout" if n % 3 else "page_view"
        metadata: dict[str, Any] = {"plan": PLANS[(n // 3) % 3]}
        if kind == "checkout":
            metadata["amount"] = AMOUNTS[n % 4] + (n // 3) % 3  # plans differ
        events.append(
            {
                "eventId": str(uuid.uuid4()),
                "distinctId": f"visitor-{n % 5}",
                "sessionId": f"tab-{n // 6}",
                "type": kind,
                "page": "/pricing",
                "timestamp": (now - timedelta(seconds=30 + 45 * n)).isoformat(),
                "metadata": metadata,
            }
        )
    return events


def _expected(events: list[dict[str, Any]]) -> dict[str, float]:
    """Sum of amount over checkouts with amount > 10, by plan."""
    sums: dict[str, float] = defaultdict(float)
    for event in events:
        amount = event["metadata"].get("amount")
        if event["type"] == "checkout" and amount is not None and amount > 10:
            sums[event["metadata"]["plan"]] += amount
    return dict(sums)


async def _table(page: Page) -> list[list[str]]:
    table = page.get_by_test_id("insight-table")
    rows = await table.locator("tr").all()
    return [
        [(await c.text_content() or "").strip() for c in await row.locator("th, td").all()]
        for row in rows
    ]


def _totals(table: list[list[str]]) -> dict[str, float]:
    header, *rows = table
    assert header[:2] == ["Series", "Total"]
    return {row[0].split(" · ")[-1]: float(row[1]) for row in rows}


async def test_insights_page(
    spa_built: None,  # noqa: F811
    api: Api,
    website: Website,
    settings: Settings,
    browser: GuardedBrowser,
    tmp_path: Path,
) -> None:
    sent = _events()
    response = await website.track({"events": sent})
    assert response.status_code == 200, response.text
    await store_for(settings).sync()
    wanted = _expected(sent)
    assert set(wanted) == set(PLANS)

    context = await browser.new_context(
        viewport={"width": 1280, "height": 1000},
        timezone_id="UTC",
        locale="en-US",
        accept_downloads=True,
    )
    await sign_in_context(context, api.url)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # From the navigation; the page writes the browser's time zone into its URL.
    await page.goto(f"{api.url}/")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    await expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    await expect(page).to_have_url(re.compile(r"[?&]tz=UTC"))
    # Every event of the range, counted.
    await expect(page.get_by_test_id("insight-table")).to_contain_text("any event")
    assert _totals(await _table(page)) == {"any event": len(sent)}

    # Sum of amount of checkouts over 10, by plan.
    event = page.get_by_label("Series 1: event")
    await expect(event.locator("option", has_text="checkout")).to_have_count(1)
    await event.select_option("checkout")
    await page.get_by_label("Series 1: measure").select_option("SUM")
    amount = page.get_by_label("Series 1: numeric property")
    await expect(amount.locator("option", has_text="amount")).to_have_count(1)
    await amount.select_option("amount")
    breakdown = page.get_by_label(BREAKDOWN)
    await expect(breakdown.locator("option[value=plan]")).to_have_count(1)
    await breakdown.select_option("plan")
    await page.get_by_role("button", name="Add global filter").click()
    await page.get_by_label("Global filter 1: property").select_option("amount")
    await page.get_by_label("Global filter 1: operator").select_option("GREATER_THAN")
    await page.get_by_label("Global filter 1: value").fill("10")
    # The number is sent as a number (a string would not compare with amounts).
    await expect(page).to_have_url(re.compile(r"GREATER_THAN%22%2C10%5D"))
    table = page.get_by_test_id("insight-table")
    await expect(table).to_contain_text("checkout: sum of amount · pro")
    await expect(page.get_by_test_id("insight-chart")).to_be_visible()
    shown = await _table(page)
    assert _totals(shown) == wanted
    await page.wait_for_timeout(300)  # the chart settles
    await shot(page, "insights")
    assert await axe_violations(page) == []

    # A reload (or a copied link) shows the same query and the same answer.
    url = page.url
    await page.reload()
    await expect(page.get_by_label("Series 1: event")).to_have_value("checkout")
    await expect(page.get_by_label("Series 1: measure")).to_have_value("SUM")
    await expect(page.get_by_label("Series 1: numeric property")).to_have_value("amount")
    await expect(page.get_by_label(BREAKDOWN)).to_have_value("plan")
    await expect(page.get_by_label("Global filter 1: value")).to_have_value("10")
    await expect(table).to_contain_text("checkout: sum of amount · pro")
    assert page.url == url
    assert await _table(page) == shown

    # Back and forward follow the query.
    await page.get_by_role("button", name="Bar chart").click()
    await expect(page).to_have_url(re.compile(r"[?&]chart=bar"))
    await page.go_back()
    await expect(page.get_by_role("button", name="Line chart")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert page.url == url

    # The CSV is the table, cell for cell.
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Export CSV").click()
    download = await info.value
    assert download.suggested_filename.endswith(".csv")
    path = tmp_path / download.suggested_filename
    await download.save_as(path)
    content = path.read_bytes().decode("utf-8")
    assert content.endswith("\r\n")
    assert list(csv.reader(io.StringIO(content, newline=""))) == shown

    # Over a limit: the page says which.
    await page.get_by_label("Interval").select_option("HOUR")
    await page.get_by_role("button", name="90 days").click()
    await page.get_by_label("Breakdown values shown").fill("50")
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text("QUERY_TOO_COMPLEX")
    await expect(alert).to_contain_text("the number of points")
    await shot(page, "insights-limit")

    assert not errors, errors
    await context.close()
