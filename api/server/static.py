"""Static files the API serves: the tracking snippet, the demo shop
(api/server/demo.py) and the staff SPA.

The SPA is built by ``make web-build`` into ``web/dist``: its hashed ``/assets/*``
are cached forever, and ``index.html`` answers ``/`` and every other GET path that
is not the API's (the SPA's client-side routes), never cached so a deploy shows at
once. These routes come last in the app, after the API's own."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    PlainTextResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.server import demo

WEB = Path(__file__).resolve().parents[2] / "web"
DIST = WEB / "dist"

# Paths owned by the API: never answered with the SPA's index.html. The SPA
# reads the same file (web/src/app/navigation.ts) to leave the app for them.
API_PREFIXES: tuple[str, ...] = tuple(
    json.loads(Path(__file__).with_name("api_prefixes.json").read_text(encoding="utf-8"))
)
IMMUTABLE = "public, max-age=31536000, immutable"
# A staff app: nothing in it is for search engines.
ROBOTS = "User-agent: *\nDisallow: /\n"
NOT_BUILT = "SPA not built: run make dev\n"


async def tracker(_: object) -> Response:
    # Where the API is deployed without web/ (Lambda), CloudFront serves it.
    path = WEB / "tracker" / "tracker.js"
    if not path.is_file():
        return PlainTextResponse("Not Found", status_code=404)
    # Short cache: sites embed this URL, and fixes must reach them soon.
    return FileResponse(
        path,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=300"},
    )


async def robots(_: object) -> Response:
    return PlainTextResponse(ROBOTS, headers={"Cache-Control": "public, max-age=86400"})


class ImmutableFiles(StaticFiles):
    """Content-hashed build output: cached for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def is_api_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in API_PREFIXES)


async def spa(request: Request) -> Response:
    """index.html for the SPA's routes; 404 for unknown API paths."""
    path = request.url.path
    if path != "/" and is_api_path(path):
        return PlainTextResponse("Not Found", status_code=404)
    index = DIST / "index.html"
    if not index.is_file():
        return PlainTextResponse(NOT_BUILT, status_code=503)
    # Files at the top of dist (config.js, favicon) are served as they are.
    name = path.lstrip("/")
    if name and "/" not in name and name != "index.html":
        candidate = DIST / name
        if candidate.is_file():
            return FileResponse(candidate, headers={"Cache-Control": "no-cache"})
        if name == "config.js":
            # Optional run-time configuration: an empty script when none is deployed.
            return Response("", media_type="text/javascript", headers={"Cache-Control": "no-cache"})
    return FileResponse(index, media_type="text/html", headers={"Cache-Control": "no-cache"})


routes = [
    Route("/tracker.js", tracker),
    Route("/robots.txt", robots),
    *demo.routes,
    Mount("/assets", ImmutableFiles(directory=DIST / "assets", check_dir=False), name="assets"),
    Route("/{path:path}", spa, methods=["GET", "HEAD"]),
]
