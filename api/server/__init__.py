"""The HTTP layer: Starlette routes and middleware over the domains and the schema
(api/server/app.py lists them; docs/architecture.md draws the request path)."""
