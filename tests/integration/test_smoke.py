"""infra/smoke.py, the check every deploy ends with, against the real app over
real HTTP: it passes where everything is right, and says in one line what is
wrong where something is not."""

from __future__ import annotations

import asyncio

import pytest

from api.auth.roles import Role
from infra import smoke
from infra.localdb import free_port
from tests.conftest import Api


async def run(check: smoke.Smoke) -> tuple[bool, list[str]]:
    lines: list[str] = []
    # urllib blocks; the server under test runs in this event loop.
    passed = await asyncio.to_thread(smoke.run, check, lines.append)
    return passed, lines


async def test_a_healthy_stage_passes(api: Api) -> None:
    viewer_key = await api.key_for(Role.VIEWER)
    passed, lines = await run(smoke.Smoke(api.url, viewer_key, wait_seconds=5))
    assert passed, lines
    assert [line.split(":")[0] for line in lines[:-1]] == [
        f"ok   {name}" for name, _ in smoke.Smoke(api.url, None).checks()
    ]
    assert lines[-1] == f"smoke test of {api.url} passed: 8 checks"


async def test_a_bad_api_key_fails_that_check_alone(api: Api) -> None:
    passed, lines = await run(smoke.Smoke(api.url, "ctk_revoked-or-wrong", wait_seconds=5))
    assert not passed
    failed = [line for line in lines if line.startswith("FAIL")]
    assert len(failed) == 1, lines
    assert failed[0].startswith("FAIL graphql with API key: POST /graphql answered 401")
    assert lines[-1] == f"smoke test of {api.url} failed: 1 of 8 checks"


async def test_a_missing_api_key_is_named(api: Api) -> None:
    passed, lines = await run(smoke.Smoke(api.url, None, wait_seconds=5))
    assert not passed
    assert f"FAIL graphql with API key: no API key: set {smoke.API_KEY_ENV}" in lines


async def test_nothing_listening_fails_every_check_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code = await asyncio.to_thread(smoke.main, ["--base-url", url, "--wait", "0"], {})
    assert code == 1
    lines = capsys.readouterr().out.splitlines()
    assert all(line.startswith("FAIL") for line in lines[:-1])
    assert f"FAIL healthz: cannot reach {url}/healthz" in lines[0]
    assert lines[-1] == f"smoke test of {url} failed: 8 of 8 checks"
