"""The Lambda handler reads its secrets from SSM at cold start, as deployed.

serverless.yml gives the function only the names of two SecureString
parameters: the MongoDB URI and the origin secret CloudFront sends. Here a
stand-in of the SSM API (a real HTTP server on 127.0.0.1 speaking its JSON
protocol) holds them, boto3 in the handler's process is pointed at it with
``AWS_ENDPOINT_URL_SSM`` and dummy credentials, and the database is the
test's own: the URI the handler connects with came from the stand-in only
(``MONGODB_URI`` names a port nothing listens on).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from api.auth.roles import Role
from api.auth.service import create_api_key
from api.settings import Settings
from tests.factories import insert_customers
from tests.integration.test_lambda import (
    CUSTOMERS,
    assert_served_query,
    handled,
    header,
    json_body,
    lambda_env,
    start_handler,
    v1_event,
    v2_event,
)

URI_PARAMETER = "/tracking/prod/mongodb-uri"
SECRET_PARAMETER = "/tracking/prod/origin-secret"
ACCESS_KEY_ID = "AKIDLOCALSTANDIN"
REGION = "eu-central-1"
# Nothing listens there: a handler that used MONGODB_URI would time out.
UNUSED_URI = "mongodb://127.0.0.1:9/"


@dataclass
class SsmStandIn:
    """Parameters by name, and every request the server received."""

    parameters: dict[str, str]
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def ssm() -> Iterator[SsmStandIn]:
    stand_in = SsmStandIn(parameters={})

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stand_in.requests.append(
                {
                    "target": self.headers.get("X-Amz-Target"),
                    "content_type": self.headers.get("Content-Type"),
                    "authorization": self.headers.get("Authorization", ""),
                    "body": body,
                }
            )
            if self.headers.get("X-Amz-Target") != "AmazonSSM.GetParameters":
                self.answer(400, {"__type": "UnknownOperationException"})
                return
            names = body["Names"]
            found = [n for n in names if n in stand_in.parameters]
            self.answer(
                200,
                {
                    "Parameters": [
                        {
                            "Name": name,
                            "Type": "SecureString",
                            # The stand-in only hands out the value decrypted
                            # when asked to, as SSM does.
                            "Value": stand_in.parameters[name]
                            if body.get("WithDecryption")
                            else "AQICAHh-ciphertext",
                            "Version": 1,
                            "LastModifiedDate": 1_795_000_000.0,
                            "ARN": f"arn:aws:ssm:{REGION}:123456789012:parameter{name}",
                            "DataType": "text",
                        }
                        for name in found
                    ],
                    "InvalidParameters": [n for n in names if n not in found],
                },
            )

        def answer(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()


def deployed_env(settings: Settings, ssm: SsmStandIn, tmp_path: Path) -> dict[str, str]:
    """As serverless.yml configures the function, with AWS at the stand-in."""
    nowhere = str(tmp_path / "no-aws-config")
    return lambda_env(
        settings,
        MONGODB_URI=UNUSED_URI,
        MONGODB_TIMEOUT_MS="500",
        MONGODB_URI_PARAMETER=URI_PARAMETER,
        ORIGIN_SECRET_PARAMETER=SECRET_PARAMETER,
        AWS_ENDPOINT_URL_SSM=ssm.url,
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID=ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY="local-stand-in-secret",
        # Nothing but the stand-in: no profile, no instance metadata.
        AWS_CONFIG_FILE=nowhere,
        AWS_SHARED_CREDENTIALS_FILE=nowhere,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PROFILE=None,
        AWS_SESSION_TOKEN=None,
        AWS_ENDPOINT_URL=None,
    )


def through_cloudfront(event: dict[str, Any], secret: str) -> dict[str, Any]:
    """``event`` with the header CloudFront adds to every request to the API."""
    if "multiValueHeaders" in event:  # REST API: names as sent
        event["headers"]["X-Origin-Verify"] = secret
        event["multiValueHeaders"]["X-Origin-Verify"] = [secret]
    else:
        event["headers"]["x-origin-verify"] = secret
    return event


async def test_secrets_come_from_ssm_once_and_only_cloudfront_gets_in(
    db: AsyncDatabase[dict[str, Any]], settings: Settings, ssm: SsmStandIn, tmp_path: Path
):
    await insert_customers(3)
    _, key = await create_api_key("lambda", Role.VIEWER, "test")
    # Mid-rotation: CloudFront's edges send either value for a while.
    ssm.parameters = {
        URI_PARAMETER: settings.mongodb_uri,
        SECRET_PARAMETER: "s3cret-new,s3cret-old",
    }
    events = {
        "query": through_cloudfront(
            v2_event("POST", "/graphql", CUSTOMERS, token=key), "s3cret-new"
        ),
        "query, previous secret": through_cloudfront(
            v1_event("POST", "/graphql", CUSTOMERS, token=key), "s3cret-old"
        ),
        "readyz": through_cloudfront(v2_event("GET", "/readyz"), "s3cret-new"),
        "straight to execute-api": v2_event("POST", "/graphql", CUSTOMERS, token=key),
        "health, straight": v1_event("GET", "/healthz"),
        "wrong secret": through_cloudfront(
            v2_event("POST", "/graphql", CUSTOMERS, token=key), "s3cret-guess"
        ),
        "both values at once": through_cloudfront(
            v2_event("GET", "/healthz"), "s3cret-new,s3cret-old"
        ),
    }
    results = await asyncio.to_thread(handled, deployed_env(settings, ssm, tmp_path), events)
    responses = {name: found["response"] for name, found in results.items()}

    assert_served_query(responses["query"])
    assert_served_query(responses["query, previous secret"])
    assert responses["readyz"]["statusCode"] == 200
    assert json_body(responses["readyz"]) == {"status": "ready"}
    for name in ("straight to execute-api", "health, straight", "wrong secret",
                 "both values at once"):  # fmt: skip
        response = responses[name]
        assert response["statusCode"] == 403, (name, response)
        assert json_body(response)["error"]["code"] == "FORBIDDEN"
        assert header(response, "content-type") == "application/json"
        # Refused before the app: nothing ran, nothing to export.
        assert results[name]["flushes"] == 0, name

    # One request at cold start for both, decrypted, signed with the
    # credentials the function has; none for the seven invocations.
    [request] = ssm.requests
    assert request["target"] == "AmazonSSM.GetParameters"
    assert request["content_type"] == "application/x-amz-json-1.1"
    assert sorted(request["body"]["Names"]) == sorted([URI_PARAMETER, SECRET_PARAMETER])
    assert request["body"]["WithDecryption"] is True
    assert request["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY_ID}/"), (
        request["authorization"]
    )
    assert f"/{REGION}/ssm/aws4_request" in request["authorization"]


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (
            {URI_PARAMETER: "mongodb://127.0.0.1:27017"},
            f"invalid configuration: no SSM parameter {SECRET_PARAMETER}",
        ),
        ({}, f"invalid configuration: no SSM parameter {URI_PARAMETER}, {SECRET_PARAMETER}"),
        (
            # Malformed, with a password: the error names the parameter, not the value.
            {URI_PARAMETER: "mongdb://tracking:hunter2@db.example", SECRET_PARAMETER: "x"},
            f"invalid configuration: the value of {URI_PARAMETER}: "
            "Value error, must start with mongodb:// or mongodb+srv://",
        ),
        (
            {URI_PARAMETER: "mongodb://127.0.0.1:27017", SECRET_PARAMETER: " , "},
            f"invalid configuration: the value of {SECRET_PARAMETER} is empty",
        ),
    ],
    ids=["secret missing", "both missing", "bad uri", "empty secret"],
)
async def test_a_missing_or_bad_parameter_stops_the_cold_start_in_one_line(
    settings: Settings,
    ssm: SsmStandIn,
    tmp_path: Path,
    parameters: dict[str, str],
    message: str,
):
    ssm.parameters = parameters
    result = await asyncio.to_thread(start_handler, deployed_env(settings, ssm, tmp_path), {})
    assert result.returncode == 1
    assert result.stderr == message + "\n"
    assert "hunter2" not in result.stdout + result.stderr
    assert len(ssm.requests) == 1
