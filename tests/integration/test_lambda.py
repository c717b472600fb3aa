"""The Lambda handler, invoked with API Gateway events shaped as AWS sends them.

Each test runs ``api.lambda_handler.handler`` in a fresh process, because the
module reads its settings at import, as a cold Lambda container does; one
process answers a whole group of events, in order, and prints the responses.
Events are HTTP API payload 2.0 (``$default`` and a named stage) and REST API
(payload 1.0, through the execute-api host and through a custom domain whose
base path is the stage).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from api.auth.roles import Role
from api.auth.service import create_api_key, create_user, create_write_key
from api.settings import Settings
from tests.factories import insert_customers
from tests.ingest_helpers import NOW, event

ROOT = Path(__file__).resolve().parents[2]
MARK = "LAMBDA-RESULTS "
API_HOST = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
CUSTOM_HOST = "api.shop.example"
CLIENT_IP = "203.0.113.7"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
TIME_EPOCH_MS = 1_795_000_000_000

# Only the local server, the demo data, the command line and the tests use
# these: on the Lambda path each would only lengthen the cold start.
LOCAL_ONLY_PACKAGES = {"uvicorn", "faker", "rich", "playwright", "httpx", "locust", "pytest"}
LOCAL_ONLY_MODULES = {"api.__main__", "api.main", "api.cli", "api.cli.main", "api.cli.access",
                      "api.cli.analytics", "api.demo", "api.demo.seed",
                      "api.ingestion.bulk"}  # fmt: skip

# Runs in the child: the events come on stdin, one response per event goes back.
# A session cookie set by one response is what a browser would send next, so
# "@session@" in a later event stands for it.
SCRIPT = f"""
import json, sys
from api.lambda_handler import handler, telemetry

flushes = 0
flush = telemetry.flush
def counted(*args, **kwargs):
    global flushes
    flushes += 1
    return flush(*args, **kwargs)
telemetry.flush = counted

session = ""
results = {{}}
for name, lambda_event in json.load(sys.stdin):
    lambda_event = json.loads(json.dumps(lambda_event).replace("@session@", session))
    before = flushes
    response = handler(lambda_event, None)
    set_cookies = response.get("cookies", []) + response.get(
        "multiValueHeaders", {{}}).get("set-cookie", [])
    for cookie in set_cookies:
        if cookie.startswith("ct_session="):
            session = cookie.split(";")[0].split("=", 1)[1]
    results[name] = {{"response": response, "flushes": flushes - before}}
local_only = sorted(module for module in sys.modules
                    if module.split(".")[0] in {LOCAL_ONLY_PACKAGES!r}
                    or module in {LOCAL_ONLY_MODULES!r})
print({MARK!r} + json.dumps({{"results": results, "local_only": local_only}}))
"""


def _body(payload: dict[str, Any] | None, *, as_base64: bool) -> tuple[str | None, str]:
    if payload is None:
        return None, ""
    raw = json.dumps(payload).encode()
    text = base64.b64encode(raw).decode() if as_base64 else raw.decode()
    return text, str(len(raw))


def v2_event(
    method: str,
    path: str,
    payload: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    cookies: list[str] | None = None,
    stage: str = "$default",
    as_base64: bool = False,
    content_type: str = "application/json",
) -> dict[str, Any]:
    """An HTTP API event, payload format 2.0: a named stage is in the path."""
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    route_key = "$default" if stage == "$default" else "ANY /{proxy+}"
    body, length = _body(payload, as_base64=as_base64)
    request_id = uuid.uuid4().hex[:16]
    headers = {
        "accept": "application/json",
        "accept-encoding": "gzip, deflate, br",
        "host": API_HOST,
        "user-agent": USER_AGENT,
        "x-amzn-trace-id": f"Root=1-6749a3c0-{uuid.uuid4().hex[:24]}",
        "x-forwarded-for": CLIENT_IP,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    if body is not None:
        headers |= {"content-type": content_type, "content-length": length}
    if token:
        headers["authorization"] = f"Bearer {token}"
    built: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": API_HOST,
            "domainPrefix": "a1b2c3d4e5",
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": CLIENT_IP,
                "userAgent": USER_AGENT,
            },
            "requestId": f"{request_id}=",
            "routeKey": route_key,
            "stage": stage,
            "time": "29/Nov/2026:10:13:20 +0000",
            "timeEpoch": TIME_EPOCH_MS,
        },
        "isBase64Encoded": as_base64,
    }
    if stage != "$default":
        built["pathParameters"] = {"proxy": path.lstrip("/")}
    if body is not None:
        built["body"] = body
    if cookies:
        built["cookies"] = cookies
    return built


def v1_event(
    method: str,
    path: str,
    payload: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    cookie: str | None = None,
    stage: str = "prod",
    custom_domain: bool = False,
    as_base64: bool = False,
    content_type: str = "application/json",
) -> dict[str, Any]:
    """A REST API proxy event (payload 1.0). Through the execute-api host ``path``
    is the resource path and only ``requestContext.path`` has the stage; through
    a custom domain whose base path is the stage, ``path`` has it too."""
    body, length = _body(payload, as_base64=as_base64)
    host = CUSTOM_HOST if custom_domain else API_HOST
    headers = {
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate, br",
        "CloudFront-Forwarded-Proto": "https",
        "CloudFront-Is-Desktop-Viewer": "true",
        "CloudFront-Viewer-Country": "DE",
        "Host": host,
        "User-Agent": USER_AGENT,
        "Via": "2.0 0f5e1a2b3c4d5e6f7a8b9c0d1e2f3a4b.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": "Y2xvdWRmcm9udC1yZXF1ZXN0LWlkLWV4YW1wbGU=",
        "X-Amzn-Trace-Id": f"Root=1-6749a3c0-{uuid.uuid4().hex[:24]}",
        "X-Forwarded-For": f"{CLIENT_IP}, 130.176.1.10",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    if body is not None:
        headers |= {"Content-Type": content_type, "Content-Length": length}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = cookie
    public_path = f"/{stage}{path}"
    return {
        "resource": "/{proxy+}",
        "path": public_path if custom_domain else path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "extendedRequestId": "CmLw3GzbFiAEM0g=",
            "httpMethod": method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "sourceIp": CLIENT_IP,
                "user": None,
                "userAgent": USER_AGENT,
                "userArn": None,
            },
            "path": public_path,
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTime": "29/Nov/2026:10:13:20 +0000",
            "requestTimeEpoch": TIME_EPOCH_MS,
            "resourceId": "x1y2z3",
            "resourcePath": "/{proxy+}",
            "stage": stage,
        },
        "body": body,
        "isBase64Encoded": as_base64,
    }


def lambda_env(settings: Settings, **changes: str | None) -> dict[str, str]:
    """The handler process's environment: ``settings``' database, as deployed
    otherwise; a change to None removes that variable."""
    env = {
        **os.environ,
        "MONGODB_URI": settings.mongodb_uri,
        "MONGODB_DB": settings.mongodb_db,
        # As deployed: behind API Gateway, over HTTPS.
        "STAGE": "prod",
        "TRUST_FORWARDED_FOR": "true",
        "LOG_LEVEL": "WARNING",
    }
    for name in ("OTEL_SDK_DISABLED", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        env.pop(name, None)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def start_handler(env: dict[str, str], events: dict[str, dict[str, Any]]) -> Any:
    """One fresh process (a cold container) given ``events``, in order."""
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        input=json.dumps(list(events.items())),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def handled(env: dict[str, str], events: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each event's response and the number of flushes it made."""
    result = start_handler(env, events)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith(MARK)]
    assert lines, result.stdout + result.stderr
    output = json.loads(lines[-1].removeprefix(MARK))
    assert output["local_only"] == []
    results: dict[str, Any] = output["results"]
    return results


def invoke(settings: Settings, events: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each event through the handler of one fresh process, in order."""
    results = handled(lambda_env(settings), events)
    # A frozen container exports nothing: every invocation flushes before it returns.
    assert {name: found["flushes"] for name, found in results.items()} == dict.fromkeys(events, 1)
    return {name: found["response"] for name, found in results.items()}


def json_body(response: dict[str, Any]) -> Any:
    assert response["isBase64Encoded"] is False
    return json.loads(response["body"])


def header(response: dict[str, Any], name: str) -> str:
    """A response header as the client sees it, whichever map it is in."""
    single = response.get("headers") or {}
    if name in single:
        return str(single[name])
    return ", ".join(response.get("multiValueHeaders", {}).get(name, []))


CUSTOMERS = {"query": "{ customers(first: 2) { totalCount nodes { name } } }"}
ME = {"query": "{ me { subject kind role } }"}


def assert_served_query(response: dict[str, Any]) -> None:
    """The customers query answered by the app, with its trace and security headers."""
    assert response["statusCode"] == 200, response
    assert header(response, "content-type") == "application/json"
    body = json_body(response)
    assert "errors" not in body, body
    assert body["data"]["customers"]["totalCount"] == 3
    assert len(body["data"]["customers"]["nodes"]) == 2
    trace_id = header(response, "x-trace-id")
    assert re.fullmatch(r"[0-9a-f]{32}", trace_id)
    assert body["extensions"]["traceId"] == trace_id
    assert re.fullmatch(
        rf"00-{trace_id}-[0-9a-f]{{16}}-[0-9a-f]{{2}}", header(response, "traceresponse")
    )
    assert header(response, "x-content-type-options") == "nosniff"
    assert header(response, "x-frame-options") == "DENY"
    assert header(response, "referrer-policy") == "no-referrer"
    assert header(response, "cross-origin-resource-policy") == "same-origin"
    assert "frame-ancestors 'none'" in header(response, "content-security-policy")
    assert header(response, "strict-transport-security").startswith("max-age=")


async def test_graphql_health_and_stages(db: AsyncDatabase[dict[str, Any]], settings: Settings):
    await insert_customers(3)
    _, key = await create_api_key("lambda", Role.VIEWER, "test")
    responses = await asyncio.to_thread(
        invoke,
        settings,
        {
            "v2 query": v2_event("POST", "/graphql", CUSTOMERS, token=key),
            "v1 query": v1_event("POST", "/graphql", CUSTOMERS, token=key),
            "v2 base64": v2_event("POST", "/graphql", CUSTOMERS, token=key, as_base64=True),
            "v2 anonymous": v2_event("POST", "/graphql", CUSTOMERS),
            "v2 bad key": v2_event("POST", "/graphql", CUSTOMERS, token="ctk_revoked"),
            "v2 healthz": v2_event("GET", "/healthz"),
            "v2 readyz": v2_event("GET", "/readyz"),
            "v1 healthz": v1_event("GET", "/healthz"),
            "v1 readyz": v1_event("GET", "/readyz"),
            "v2 staged query": v2_event("POST", "/graphql", CUSTOMERS, token=key, stage="staging"),
            "v2 staged readyz": v2_event("GET", "/readyz", stage="staging"),
            "v1 staged query": v1_event(
                "POST", "/graphql", CUSTOMERS, token=key, stage="staging", custom_domain=True
            ),
            "v1 staged healthz": v1_event("GET", "/healthz", stage="staging", custom_domain=True),
        },
    )

    for name in ("v2 query", "v1 query", "v2 base64", "v2 staged query", "v1 staged query"):
        assert_served_query(responses[name])
    # v2 responses list each header once; v1 ones keep repeats in multiValueHeaders.
    assert "multiValueHeaders" not in responses["v2 query"]
    assert "multiValueHeaders" in responses["v1 query"]

    anonymous = responses["v2 anonymous"]
    assert anonymous["statusCode"] == 200
    errors = json_body(anonymous)["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["UNAUTHENTICATED"]
    assert json_body(anonymous)["data"] is None
    refused = responses["v2 bad key"]
    assert refused["statusCode"] == 401
    assert json_body(refused)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert header(refused, "www-authenticate") == "Bearer"

    expected = {"healthz": {"status": "ok"}, "readyz": {"status": "ready"}}
    for name in ("v2 healthz", "v2 readyz", "v1 healthz", "v1 readyz", "v2 staged readyz",
                 "v1 staged healthz"):  # fmt: skip
        response = responses[name]
        assert response["statusCode"] == 200, (name, response)
        assert json_body(response) == expected[name.rsplit(" ", 1)[1]]
        assert header(response, "x-content-type-options") == "nosniff"


async def test_ingest_batch(db: AsyncDatabase[dict[str, Any]], settings: Settings):
    write_key = (await create_write_key("shop.example", "test")).key
    batch = [event("visitor-1", NOW), event("visitor-1", NOW, "search", "/search"),
             event("visitor-2", NOW, page="/product/1")]  # fmt: skip
    # navigator.sendBeacon sends text/plain; a REST API with binary media types
    # hands such a body over base64-encoded, under the stage's base path.
    beacon = [event("visitor-3", NOW, "add_to_cart", "/cart")]
    responses = await asyncio.to_thread(
        invoke,
        settings,
        {
            "v2 track": v2_event("POST", "/v1/track", {"writeKey": write_key, "events": batch}),
            "v2 track again": v2_event(
                "POST", "/v1/track", {"writeKey": write_key, "events": batch[:1]}
            ),
            "v1 staged beacon": v1_event(
                "POST",
                "/v1/track",
                {"writeKey": write_key, "events": beacon},
                stage="staging",
                custom_domain=True,
                as_base64=True,
                content_type="text/plain;charset=UTF-8",
            ),
            "v2 bad write key": v2_event(
                "POST", "/v1/track", {"writeKey": "ctw_unknown", "events": beacon}
            ),
        },
    )

    tracked = responses["v2 track"]
    assert tracked["statusCode"] == 200, tracked
    assert header(tracked, "content-type") == "application/json"
    assert header(tracked, "cross-origin-resource-policy") == "cross-origin"
    assert re.fullmatch(r"[0-9a-f]{32}", header(tracked, "x-trace-id"))
    answer = json_body(tracked)
    assert (answer["accepted"], answer["duplicates"], answer["rejected"]) == (3, 0, 0)
    assert [item["eventId"] for item in answer["results"]] == [item["eventId"] for item in batch]
    again = json_body(responses["v2 track again"])
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    beaconed = responses["v1 staged beacon"]
    assert beaconed["statusCode"] == 200, beaconed
    assert json_body(beaconed)["accepted"] == 1
    assert header(beaconed, "cross-origin-resource-policy") == "cross-origin"
    refused = responses["v2 bad write key"]
    assert refused["statusCode"] == 401
    assert json_body(refused)["error"]["code"] == "UNAUTHENTICATED"

    stored = await db["events"].find({}, {"eventId": 1, "type": 1, "page": 1}).to_list()
    sent = batch + beacon
    assert sorted((doc["eventId"], doc["type"], doc["page"]) for doc in stored) == sorted(
        (item["eventId"], item["type"], item["page"]) for item in sent
    )


SIGN_IN = {
    "query": "mutation($email: String!, $password: String!) "
    "{ signIn(email: $email, password: $password) { me { subject kind } } }",
    "variables": {"email": "viewer@shop.example", "password": "correct horse battery"},
}


async def test_sign_in_cookie_per_payload_version(
    db: AsyncDatabase[dict[str, Any]], settings: Settings
):
    await create_user("viewer@shop.example", "correct horse battery", Role.VIEWER, "test")
    responses = await asyncio.to_thread(
        invoke,
        settings,
        {
            "v2 sign in": v2_event("POST", "/graphql", SIGN_IN),
            "v2 me": v2_event(
                "POST", "/graphql", ME, cookies=["theme=dark", "ct_session=@session@"]
            ),
            "v1 sign in": v1_event(
                "POST", "/graphql", SIGN_IN, stage="staging", custom_domain=True
            ),
            "v1 me": v1_event("POST", "/graphql", ME, cookie="theme=dark; ct_session=@session@"),
        },
    )

    cookie_pattern = r"ct_session=[\w-]+; HttpOnly; Max-Age=43200; Path=/; SameSite=strict; Secure"
    v2 = responses["v2 sign in"]
    assert v2["statusCode"] == 200, v2
    assert json_body(v2)["data"]["signIn"]["me"] == {
        "subject": "viewer@shop.example",
        "kind": "staff",
    }
    # HTTP API 2.0 takes cookies only from their own list, never from headers.
    [v2_cookie] = v2["cookies"]
    assert re.fullmatch(cookie_pattern, v2_cookie)
    assert "set-cookie" not in v2["headers"]

    v1 = responses["v1 sign in"]
    assert v1["statusCode"] == 200, v1
    [v1_cookie] = v1["multiValueHeaders"]["set-cookie"]
    assert re.fullmatch(cookie_pattern, v1_cookie)
    assert "set-cookie" not in v1["headers"]
    assert "cookies" not in v1
    assert v1_cookie.split(";")[0] != v2_cookie.split(";")[0]  # two sessions

    # The browser sends the cookie back: v2 in "cookies", v1 in the Cookie header.
    for name in ("v2 me", "v1 me"):
        me = json_body(responses[name])["data"]["me"]
        assert me == {"subject": "viewer@shop.example", "kind": "staff", "role": "VIEWER"}, name
