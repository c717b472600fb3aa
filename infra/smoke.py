"""After a deploy: is the stage answering as it should? ``python -m infra.smoke``.

    SMOKE_API_KEY=ctk_… python -m infra.smoke --base-url https://tracking.example.com

Checks, through the one origin CloudFront serves (or a local ``python -m api
serve``): the health checks, the security headers, GraphQL anonymously and
with an API key (a viewer key is enough; it comes from the environment, never
from an argument, so it stays out of process lists and logs), the SPA's
index.html revalidated on every load, a content-hashed asset cached forever,
config.js and tracker.js. One line per check; exits 1 if any failed.

Only the standard library: deploy jobs install nothing for it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from typing import Any

API_KEY_ENV = "SMOKE_API_KEY"
TIMEOUT_SECONDS = 20
# Every response must carry these (api/server/security.py, and CloudFront's response
# headers policy for files from S3); HSTS only matters, and is only sent, over HTTPS.
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)
HSTS = "Strict-Transport-Security"
# Cheap on any database size: one page of one customer, no count.
API_KEY_QUERY = "query SmokeTest { customers(first: 1) { pageInfo { hasNextPage } } }"
ASSET = re.compile(r"""(?:src|href)=["'](/assets/[^"']+)["']""")


class CheckError(Exception):
    """A check's one-line reason."""


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "") or ""

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            raise CheckError(f"not JSON: {self.body[:120]!r}") from None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect where the API should answer is a finding, not something to follow.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(NoRedirect)


def fetch(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if not url.startswith(("https://", "http://")):
        raise CheckError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=body,
        method=method,
        headers={"User-Agent": "tracking-smoke-test", **(headers or {})},
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as answer:
            return Response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise CheckError(f"cannot reach {url}: {reason}") from None


def expect_status(response: Response, status: int, what: str) -> None:
    if response.status != status:
        raise CheckError(f"{what} answered {response.status}, expected {status}: "
                          f"{response.body[:200]!r}")  # fmt: skip


@dataclass
class Smoke:
    base_url: str
    api_key: str | None
    wait_seconds: float = 60.0

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    def graphql(self, query: str, token: str | None = None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = fetch(
            self.url("/graphql"),
            method="POST",
            body=json.dumps({"query": query}).encode(),
            headers=headers,
        )
        expect_status(response, 200, "POST /graphql")
        answer = response.json()
        if not isinstance(answer, dict):
            raise CheckError(f"POST /graphql answered {answer!r}")
        return answer

    # Each check returns what it saw, or raises CheckError.

    def healthz(self) -> str:
        # A fresh deploy may still be starting containers: retry for a while.
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                response = fetch(self.url("/healthz"))
                if response.status == 200:
                    return "200"
                problem = f"GET /healthz answered {response.status}"
            except CheckError as error:
                problem = str(error)
            if time.monotonic() >= deadline:
                raise CheckError(problem)
            time.sleep(2)

    def readyz(self) -> str:
        response = fetch(self.url("/readyz"))
        expect_status(response, 200, "GET /readyz (the database)")
        return "200, database reachable"

    def security_headers(self) -> str:
        missing = []
        for path in ("/healthz", "/"):
            response = fetch(self.url(path))
            wanted = list(SECURITY_HEADERS)
            if self.base_url.startswith("https://"):
                wanted.append(HSTS)
            missing += [f"{name} on {path}" for name in wanted if not response.header(name)]
            if response.header("X-Content-Type-Options").lower() not in ("", "nosniff"):
                missing.append(f"X-Content-Type-Options: nosniff on {path}")
        if missing:
            raise CheckError("missing " + ", ".join(missing))
        return "present on the API and the SPA"

    def typename(self) -> str:
        answer = self.graphql("{ __typename }")
        if answer.get("data") != {"__typename": "Query"}:
            raise CheckError(f"{{ __typename }} answered {answer}")
        return "Query"

    def query_with_api_key(self) -> str:
        if not self.api_key:
            raise CheckError(f"no API key: set {API_KEY_ENV}")
        answer = self.graphql(API_KEY_QUERY, self.api_key)
        if answer.get("errors"):
            codes = [e.get("extensions", {}).get("code") for e in answer["errors"]]
            raise CheckError(f"errors {codes}: {answer['errors'][0].get('message')}")
        if not (answer.get("data") or {}).get("customers"):
            raise CheckError(f"no data: {answer}")
        return "answered without errors"

    def spa(self) -> str:
        index = fetch(self.url("/"))
        expect_status(index, 200, "GET /")
        if "text/html" not in index.header("Content-Type"):
            raise CheckError(f"GET / is {index.header('Content-Type')!r}, not HTML")
        if "no-cache" not in index.header("Cache-Control"):
            raise CheckError(f"index.html Cache-Control {index.header('Cache-Control')!r}")
        found = ASSET.search(index.body.decode("utf-8", "replace"))
        if not found:
            raise CheckError("index.html names no /assets/ file")
        asset = fetch(self.url(found.group(1)))
        expect_status(asset, 200, f"GET {found.group(1)}")
        if "immutable" not in asset.header("Cache-Control"):
            raise CheckError(f"{found.group(1)} Cache-Control {asset.header('Cache-Control')!r}")
        return f"index.html no-cache, {found.group(1)} immutable"

    def config_js(self) -> str:
        response = fetch(self.url("/config.js"))
        expect_status(response, 200, "GET /config.js")
        if "no-cache" not in response.header("Cache-Control"):
            raise CheckError(f"config.js Cache-Control {response.header('Cache-Control')!r}")
        return "no-cache"

    def tracker(self) -> str:
        response = fetch(self.url("/tracker.js"))
        expect_status(response, 200, "GET /tracker.js")
        if "max-age=300" not in response.header("Cache-Control"):
            raise CheckError(f"tracker.js Cache-Control {response.header('Cache-Control')!r}")
        return "max-age=300"

    def checks(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            ("healthz", self.healthz),
            ("readyz", self.readyz),
            ("security headers", self.security_headers),
            ("graphql __typename", self.typename),
            ("graphql with API key", self.query_with_api_key),
            ("spa", self.spa),
            ("config.js", self.config_js),
            ("tracker.js", self.tracker),
        ]


def run(smoke: Smoke, out: Callable[[str], None] = print) -> bool:
    """Runs every check (one failing does not hide the others); True if all passed."""
    failed = 0
    checks = smoke.checks()
    for name, check in checks:
        try:
            out(f"ok   {name}: {check()}")
        except CheckError as error:
            failed += 1
            out(f"FAIL {name}: {error}")
    if failed:
        out(f"smoke test of {smoke.base_url} failed: {failed} of {len(checks)} checks")
    else:
        out(f"smoke test of {smoke.base_url} passed: {len(checks)} checks")
    return failed == 0


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] = os.environ) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.smoke", description=__doc__)
    parser.add_argument("--base-url", required=True, help="e.g. https://tracking.example.com")
    parser.add_argument(
        "--wait", type=float, default=60.0, help="seconds to wait for /healthz (default 60)"
    )
    args = parser.parse_args(argv)
    smoke = Smoke(args.base_url, env.get(API_KEY_ENV) or None, args.wait)
    return 0 if run(smoke) else 1


if __name__ == "__main__":
    sys.exit(main())
