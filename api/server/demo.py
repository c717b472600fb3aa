"""The demo shop (dev and staging only: production has none), with the demo
website's write key put into its snippet tag."""

from __future__ import annotations

from pathlib import Path

from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from api.auth.service import demo_write_key
from api.server import responses
from api.settings import Stage

DEMO = Path(__file__).resolve().parents[2] / "web" / "demo"
SNIPPET_TAG = '<script src="/tracker.js"'


async def demo(request: Request) -> Response:
    """The demo shop, with the demo website's write key put into its snippet
    tag (dev and staging only: production has no demo shop)."""
    settings = request.app.state.settings
    page_file = DEMO / "index.html"
    if settings.stage == Stage.PROD or not page_file.is_file():
        return PlainTextResponse("Not Found", status_code=404)
    if request.url.path == "/demo":
        return RedirectResponse("/demo/")
    try:
        await request.app.state.database.ensure_ready()
        key = await demo_write_key()
    except PyMongoError:
        return responses.unavailable_page()
    page = page_file.read_text(encoding="utf-8")
    page = page.replace(SNIPPET_TAG, f'{SNIPPET_TAG} data-write-key="{key.key}"', 1)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


routes = [
    Route("/demo", demo),
    Route("/demo/", demo),
    Route("/demo/index.html", demo),
    Mount("/demo", StaticFiles(directory=DEMO, html=True, check_dir=False), name="demo"),
]
