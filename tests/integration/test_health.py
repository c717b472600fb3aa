async def test_health_and_readiness(api):
    assert (await api.http.get("/healthz")).json() == {"status": "ok"}
    ready = await api.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


async def test_readyz_is_503_when_database_unreachable(settings):
    import asyncio

    import httpx
    import uvicorn

    from api.app import create_app
    from infra.localdb import free_port

    dead = settings.model_copy(
        update={"mongodb_uri": f"mongodb://127.0.0.1:{free_port()}/", "mongodb_timeout_ms": 300}
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(dead), port=port, log_level="critical"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        assert (await http.get("/healthz")).status_code == 200
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"
    server.should_exit = True
    await task
