import httpx

from api.server.app import create_app
from tests.conftest import serve, unreachable


async def test_health_and_readiness(api):
    assert (await api.http.get("/healthz")).json() == {"status": "ok"}
    ready = await api.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_readyz_is_503_when_database_unreachable(settings):
    async with (
        serve(create_app(unreachable(settings))) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        assert (await http.get("/healthz")).status_code == 200
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"


async def test_graphiql_is_served_from_our_origin(api):
    page = await api.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text
    for name in ("react.js", "react-dom.js", "graphiql.js", "graphiql.css"):
        asset = await api.http.get(f"/graphiql-assets/{name}")
        assert asset.status_code == 200, name
        assert len(asset.content) > 1000
    traversal = await api.http.get("/graphiql-assets/%2e%2e/%2e%2e/pyproject.toml")
    assert traversal.status_code == 404
    assert "[project]" not in traversal.text
