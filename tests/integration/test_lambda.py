"""The Lambda handler, invoked in-process with an API Gateway HTTP API event."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from api.auth.roles import Role
from api.auth.service import create_api_key

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from api.lambda_handler import handler, telemetry
flushed = []
original = telemetry.flush
telemetry.flush = lambda *a, **k: (flushed.append(1), original(*a, **k))
event = {
    "version": "2.0", "routeKey": "$default", "rawPath": "/graphql", "rawQueryString": "",
    "headers": {"content-type": "application/json", "host": "api.example",
                "authorization": "Bearer " + sys.argv[1]},
    "requestContext": {"http": {"method": "POST", "path": "/graphql", "sourceIp": "127.0.0.1"},
                       "stage": "$default"},
    "body": json.dumps({"query": "{ customers(first: 1) { totalCount } }"}),
    "isBase64Encoded": False,
}
response = handler(event, None)
print(json.dumps({"response": response, "flushed": len(flushed)}))
"""


async def test_handler_answers_graphql_and_flushes(db, settings):
    _, key = await create_api_key("lambda", Role.VIEWER, "test")
    env = {**os.environ, "MONGODB_URI": settings.mongodb_uri, "MONGODB_DB": settings.mongodb_db}
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", SCRIPT, key],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout.strip().splitlines()[-1])
    response = output["response"]
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["data"] == {"customers": {"totalCount": 0}}
    assert len(body["extensions"]["traceId"]) == 32
    assert output["flushed"] == 1
