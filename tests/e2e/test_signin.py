"""Signing in to the staff app in a real browser against the real app and database,
with the page's Content-Security-Policy in force: the sign-in screen and its
errors, the session cookie, an admin's keys, audit log and erasure of a customer,
signing out, and what a viewer may not see."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import BrowserContext, ConsoleMessage, Page, expect

from api.auth.http import SESSION_COOKIE
from api.auth.roles import Role
from api.auth.service import create_user
from api.customers.documents import Customer
from tests.conftest import Api
from tests.e2e.conftest import GuardedBrowser
from tests.e2e.test_spa import shot, spa_built  # noqa: F401  # spa_built is a fixture
from tests.factories import insert_customers, insert_sessions

pytestmark = pytest.mark.usefixtures("spa_built")

PASSWORD = "correct horse battery staple"
ADMIN = "admin@staff.test"
VIEWER = "viewer@staff.test"
ME = "{ me { kind role } customers(first: 1) { nodes { id } } }"


# Every refusal, also of what the console does not report (fonts, frames).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) =>
  window.cspViolation(`${event.effectiveDirective} refused ${event.blockedURI.slice(0, 60)}`));
"""


class Watch:
    """Script errors and Content-Security-Policy refusals of a page."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.problems.append(message.text)

    def violation(self, text: str) -> None:
        self.problems.append(f"securitypolicyviolation: {text}")


async def new_page(browser: GuardedBrowser) -> tuple[BrowserContext, Page, Watch]:
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="UTC", locale="en-US"
    )
    page = await context.new_page()
    watch = Watch(page)
    await page.expose_function("cspViolation", watch.violation)
    await page.add_init_script(REPORT_VIOLATIONS)
    return context, page, watch


async def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def bearer(api: Api, secret: str) -> httpx.Response:
    async with httpx.AsyncClient(
        base_url=api.url, timeout=30, headers={"Authorization": f"Bearer {secret}"}
    ) as client:
        return await client.post("/graphql", json={"query": ME})


async def test_sign_in_admin_pages_erasure_and_viewer(api: Api, browser: GuardedBrowser) -> None:
    customers = await insert_customers(6)
    target = next(c for c in customers if c.email)
    await insert_sessions(target, 2, events_each=3)
    await create_user(ADMIN, PASSWORD, Role.ADMIN, "test")
    await create_user(VIEWER, PASSWORD, Role.VIEWER, "test")
    context, page, watch = await new_page(browser)

    # Signed out, the app sends its visitor to sign-in, and the policy is on.
    response = await page.goto(f"{api.url}/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    await expect(page).to_have_url(f"{api.url}/signin?next=%2F")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await shot(page, "signin")

    await sign_in(page, ADMIN, "not the password")
    await expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    await expect(page.get_by_label("Password")).to_be_focused()
    await shot(page, "signin-wrong")

    await sign_in(page, ADMIN)
    await expect(page).to_have_url(f"{api.url}/")
    rows = page.get_by_test_id("customer-row")
    await expect(rows).to_have_count(len(customers))
    menu = page.get_by_role("group", name="Signed-in user")
    await expect(menu).to_contain_text(ADMIN)
    await expect(menu).to_contain_text("admin")
    nav = page.get_by_role("navigation", name="Main")
    await expect(nav.get_by_role("link", name="GraphiQL")).to_have_attribute("href", "/graphql")
    await page.set_viewport_size({"width": 375, "height": 800})
    await shot(page, "signed-in-narrow")
    await page.set_viewport_size({"width": 1280, "height": 900})

    # The session cookie: out of reach of scripts, never sent by other sites.
    cookie = next(c for c in await context.cookies() if c["name"] == SESSION_COOKIE)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert SESSION_COOKIE not in await page.evaluate("document.cookie")

    # An API key: its secret is shown once and works as a bearer token.
    await nav.get_by_role("link", name="Admin").click()
    await expect(page).to_have_url(f"{api.url}/admin/api-keys")
    await page.get_by_label("Name").fill("CI export")
    await page.get_by_label("Role").select_option("ANALYST")
    await page.get_by_role("button", name="Create key").click()
    secret = (await page.get_by_test_id("api-key-secret").inner_text()).strip()
    assert secret.startswith("ctk_")
    await expect(page.get_by_text("shown this once")).to_be_visible()
    keys = page.get_by_test_id("api-keys").locator("tbody tr")
    await expect(keys.first).to_contain_text("CI export")
    await expect(keys.first).to_contain_text(secret[:10])
    await shot(page, "admin-api-key")
    answer = await bearer(api, secret)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["me"] == {"kind": "api_key", "role": "ANALYST"}
    await page.get_by_role("button", name="Done").click()
    await expect(page.get_by_text(secret)).to_have_count(0)

    # Revoked after confirming, it stops working at once.
    await page.get_by_role("button", name="Revoke API key “CI export”").click()
    dialog = page.get_by_role("dialog", name="Revoke API key “CI export”?")
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("button", name="Revoke").click()
    await expect(dialog).to_be_hidden()
    await expect(keys.first).to_contain_text("revoked")
    refused = await bearer(api, secret)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    # A write key, with the snippet to paste into the website.
    await (
        page.get_by_role("navigation", name="Administration")
        .get_by_role("link", name="Write keys")
        .click()
    )
    await page.get_by_label("Website", exact=True).fill("shop.example")
    await page.get_by_role("button", name="Create write key").click()
    write_key = (await page.get_by_test_id("write-key").inner_text()).strip()
    assert write_key.startswith("ctw_")
    snippet = (await page.get_by_test_id("write-key-snippet").inner_text()).strip()
    assert snippet == (
        f'<script src="{api.url}/tracker.js" data-write-key="{write_key}" defer></script>'
    )
    listed = await api.data("{ writeKeys { nodes { website key revokedAt } } }")
    assert {"website": "shop.example", "key": write_key, "revokedAt": None} in listed["writeKeys"][
        "nodes"
    ]
    await shot(page, "admin-write-key")

    # The audit log, newest first.
    await page.get_by_role("link", name="Audit log").click()
    entries = page.get_by_test_id("audit-log").locator("tbody tr")
    await expect(entries.first).to_contain_text("writeKey.create")
    await expect(entries.nth(1)).to_contain_text("apiKey.revoke")
    await expect(entries.nth(2)).to_contain_text("apiKey.create")
    await shot(page, "admin-audit")

    # Erasing a customer takes typing their distinct id; they are gone from the list.
    await nav.get_by_role("link", name="Customers").click()
    assert target.email
    await rows.filter(has_text=target.email).get_by_role("link").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(target.name)
    await page.get_by_role("button", name="Erase customer").click()
    dialog = page.get_by_role("dialog")
    erase = dialog.get_by_role("button", name="Erase customer")
    await expect(erase).to_be_disabled()
    await dialog.get_by_label(re.compile("Type the distinct id")).fill(target.distinct_id)
    await shot(page, "erase-dialog")
    await erase.click()
    await expect(page).to_have_url(f"{api.url}/")
    await expect(page.get_by_role("status").filter(has_text="erased")).to_have_text(
        f"Customer {target.distinct_id} erased, with 2 sessions and 6 events."
    )
    await expect(rows).to_have_count(len(customers) - 1)
    await expect(rows.filter(has_text=target.email)).to_have_count(0)
    assert await Customer.get(target.id) is None
    await shot(page, "erased")

    # Signing out ends the session: the app asks to sign in again.
    await menu.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{api.url}/signin")
    await page.goto(f"{api.url}/")
    await expect(page).to_have_url(f"{api.url}/signin?next=%2F")
    assert not watch.problems, watch.problems

    # GraphiQL is the API's page: reached after sign-in by a full page load.
    await page.goto(f"{api.url}/signin?next=%2Fgraphql")
    await sign_in(page, ADMIN)
    await expect(page).to_have_url(f"{api.url}/graphql")
    await expect(page).to_have_title("GraphiQL · Tracking")
    # Rendered, with its fonts loaded: the page's own policy lets all of it in.
    editor = page.locator(".graphiql-query-editor .CodeMirror")
    await expect(editor).to_contain_text("query FindCustomers")
    await page.evaluate("document.fonts.ready.then(() => document.fonts.size)")
    assert not watch.problems, watch.problems
    await context.close()

    # A viewer: sent to sign-in from an admin page, and back to it, which says no.
    context, page, watch = await new_page(browser)
    await page.goto(f"{api.url}/admin/write-keys")
    await expect(page).to_have_url(f"{api.url}/signin?next=%2Fadmin%2Fwrite-keys")
    await sign_in(page, VIEWER)
    await expect(page).to_have_url(f"{api.url}/admin/write-keys")
    await expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    await expect(page.get_by_role("alert")).to_contain_text("need the admin role")
    nav = page.get_by_role("navigation", name="Main")
    await expect(nav.get_by_role("link", name="Customers")).to_be_visible()
    await expect(nav.get_by_role("link", name="Admin")).to_have_count(0)
    await expect(nav.get_by_role("link", name="GraphiQL")).to_have_count(0)
    await expect(page.get_by_role("group", name="Signed-in user")).to_contain_text("viewer")
    await shot(page, "not-allowed")
    assert not watch.problems, watch.problems
    await context.close()
