"""Static files the API serves in local runs: the tracking snippet and the demo shop."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

WEB = Path(__file__).resolve().parent.parent / "web"


async def tracker(_: object) -> FileResponse:
    # Short cache: sites embed this URL, and fixes must reach them soon.
    return FileResponse(
        WEB / "tracker" / "tracker.js",
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=300"},
    )


routes = [
    Route("/tracker.js", tracker),
    Mount("/demo", StaticFiles(directory=WEB / "demo", html=True, check_dir=False), name="demo"),
]
