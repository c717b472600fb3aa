"""The load test still works: `python -m tests.load.run --smoke` runs the
locustfile for about 15 s with 9 users (2 staff, 1 analyst, 6 website
visitors) against the API as its own process, each user first sending every
kind of request of its class once. Nothing may fail and every kind must have
been sent, so a change to the schema, the SPA's documents or the ingest API
that breaks the locustfile fails here rather than on the day of a load test.

Locust is run in a subprocess (it monkey-patches the standard library with
gevent); this process only reads the figures it wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.load import kinds

ROOT = Path(__file__).resolve().parents[2]


def test_every_kind_of_request_runs_without_failures(mongo_uri: str, tmp_path: Path) -> None:
    env = {**os.environ, "MONGODB_URI": mongo_uri}
    command = [sys.executable, "-m", "tests.load.run", "--smoke", "--output", str(tmp_path)]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-4000:]

    result = json.loads((tmp_path / "load-smoke.json").read_text())
    (run,) = result["runs"].values()
    assert run["total"]["failures"] == 0, run["failures"]
    assert run["exceptions"] == []
    assert run["api_survived"]
    assert not [line for line in run["api_log"] if line.startswith("ERROR")], run["api_log"]
    sent = {kind: figures["requests"] for kind, figures in run["kinds"].items()}
    assert [kind for kind in kinds.ALL_KINDS if not sent.get(kind)] == []
    # Every request is named by its kind, so the report groups all of them.
    assert set(sent) <= set(kinds.ALL_KINDS)
    # The memory sampler saw the API.
    assert run["idle_rss_mb"] > 0 and run["resources"]["rss_mb"]["last"] > 0
