"""GraphiQL served from our own origin.

Strawberry's bundled page loads React and GraphiQL from a public CDN; nothing we
ship may load anything from outside, so the same npm packages are installed in
``web/node_modules`` and served from here.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse
from starlette.routing import Route

MODULES = Path(__file__).resolve().parents[2] / "web" / "node_modules"
ASSETS = {
    "react.js": "react/umd/react.production.min.js",
    "react-dom.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.js": "graphiql/graphiql.min.js",
    "graphiql.css": "graphiql/graphiql.min.css",
}
PREFIX = "/graphiql-assets"

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>GraphiQL · Tracking</title>
  <link rel="stylesheet" href="{prefix}/graphiql.css">
  <style nonce="{nonce}">html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL...</div>
  <script src="{prefix}/react.js"></script>
  <script src="{prefix}/react-dom.js"></script>
  <script src="{prefix}/graphiql.js"></script>
  <script nonce="{nonce}">
    const fetcher = GraphiQL.createFetcher({{ url: window.location.pathname }});
    const defaultQuery = `# Customers whose name, email or id starts with "an", newest first
query FindCustomers {{
  customers(search: "an", first: 5) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ id name email country lastSeenAt }}
  }}
}}
`;
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {{ fetcher, defaultQuery, defaultEditorToolsVisibility: true }})
    );
  </script>
</body>
</html>
"""


def page() -> HTMLResponse:
    # GraphiQL's start-up script is inline: a fresh nonce lets exactly it run.
    # Its stylesheet carries its fonts inline as data: URLs, allowed here only.
    nonce = secrets.token_urlsafe(16)
    policy = (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
        f"style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    return HTMLResponse(
        PAGE.format(prefix=PREFIX, nonce=nonce),
        headers={"Content-Security-Policy": policy, "Cache-Control": "no-store"},
    )


async def asset(request: Request) -> FileResponse:
    relative = ASSETS.get(request.path_params["name"])
    path = MODULES / relative if relative else None
    if path is None or not path.is_file():
        raise HTTPException(404, "asset not found; run `make dev` to install web dependencies")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})


routes = [Route(PREFIX + "/{name}", asset)]
