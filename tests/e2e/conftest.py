"""A real Chromium for end-to-end tests of the tracking snippet and the demo shop.

Pages may only talk to 127.0.0.1 (the app under test): any other request is
aborted, recorded, and fails the test, so the demo can never depend on, or leak
to, the internet."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route, async_playwright

from api.auth.http import SESSION_COOKIE
from api.auth.roles import Role
from api.auth.service import create_user, sign_in, user_by_email

# Debian's Chromium; CHROMIUM_PATH points elsewhere (e.g. /usr/bin/google-chrome).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
LOCAL_HOSTS = {"127.0.0.1"}
HAVE_CHROMIUM = CHROMIUM.exists()


@dataclass
class GuardedBrowser:
    """Chromium whose contexts may only reach LOCAL_HOSTS."""

    browser: Browser
    blocked: list[str] = field(default_factory=list)

    async def new_context(self, **options: Any) -> BrowserContext:
        context = await self.browser.new_context(**options)

        async def guard(route: Route) -> None:
            url = route.request.url
            if urlsplit(url).hostname in LOCAL_HOSTS:
                await route.fallback()
            else:
                self.blocked.append(url)
                await route.abort("blockedbyclient")

        await context.route("**/*", guard)
        return context


AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
# What axe answers, kept short enough to read in a failure.
_AXE_RUN = """async (within) => {
  const found = await axe.run(within, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']});
  return found.violations.map((v) => ({
    id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  }));
}"""


async def axe_violations(page: Page, within: str = "main") -> list[dict[str, Any]]:
    """WCAG 2.1 A and AA violations that axe-core (the SPA's npm dev
    dependency) finds in ``within`` of the page as it is now. Evaluated
    rather than added as a script tag: the app's CSP rightly refuses inline
    scripts."""
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = await page.evaluate(_AXE_RUN, within)
    return found


async def sign_in_context(context: BrowserContext, url: str, role: Role = Role.VIEWER) -> str:
    """Sign a staff member in for ``context`` by giving it a real session cookie
    (the sign-in screen has its own test); returns their email."""
    email = f"{role.value}@staff.test"
    password = "correct horse battery staple"
    if await user_by_email(email) is None:
        await create_user(email, password, role, "test")
    signed_in = await sign_in(email, password, timedelta(hours=1))
    assert signed_in is not None
    await context.add_cookies([{"name": SESSION_COOKIE, "value": signed_in.token, "url": url}])
    return email


@pytest.fixture
async def browser() -> AsyncIterator[GuardedBrowser]:
    if not HAVE_CHROMIUM:
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        guarded = GuardedBrowser(chromium)
        try:
            yield guarded
        finally:
            await chromium.close()
        assert not guarded.blocked, f"requests to other hosts: {guarded.blocked}"
