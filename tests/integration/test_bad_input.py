"""Bad input answered as the client's mistake, with nothing written: found
beside the fuzz reproductions (test_fuzz_ingest.py, test_fuzz_graphql.py),
where they needed more than one request or a body the fuzz does not send."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest

from api.auth.service import create_write_key
from api.cli.imports import run_import
from api.core.errors import InputError
from api.ingestion.models import parse_identity
from api.ingestion.service import identify
from tests.conftest import WAYS
from tests.fuzz_support import diff, snapshot
from tests.ingest_helpers import NOW, event

TRACK = """mutation($events: [TrackEventInput!]!) {
  trackEvents(events: $events) { accepted results { status reason } } }"""


async def post_graphql(http: httpx.AsyncClient, body: dict[str, Any] | bytes) -> Any:
    """A body as the client wrote it: ``ensure_ascii`` writes a lone surrogate
    as its JSON escape, as a browser may."""
    content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=True).encode()
    return await http.post(
        "/graphql", content=content, headers={"Content-Type": "application/json"}
    )


def codes(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(error["extensions"]["code"], error["message"]) for error in answer["errors"]]


@pytest.mark.parametrize(
    "query,message",
    [
        ("{", "Syntax Error: Expected Name, found <EOF>."),
        (
            '{ customers(search: "\\ud800") { totalCount } }',
            "Syntax Error: Invalid Unicode escape sequence: '\\ud800'.",
        ),
    ],
    ids=["syntax", "surrogate-literal"],
)
async def test_a_document_that_does_not_parse_is_a_client_error(api, query, message):
    """Once answered without a code ("No GraphQL document available"): the
    tracing extension asked for the type of an operation there was not."""
    answer = (await post_graphql(api.http, {"query": query})).json()
    assert answer["data"] is None
    assert codes(answer) == [("BAD_USER_INPUT", message)]


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ me { kind } }", "variables": {"v": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}}",
        b'{"query": "{ me { kind } }", "variables": {"v": NaN}}',
        b'{"query": "{ me { kind } }", "variables": {"v": "\xff"}}',
    ],
    ids=["nested-too-deeply", "nan", "not-utf-8"],
)
async def test_a_body_that_is_not_json_is_refused(api, body):
    response = await post_graphql(api.http, body)
    assert response.status_code == 400, response.text


async def test_text_a_server_cannot_store_in_variables_is_refused(website, db):
    before = await snapshot(db)
    events = [{**event("v1", NOW), "type": "SEARCH", "metadata": {"q": ["ok", "a\ud800"]}}]
    answer = await post_graphql(website.http, {"query": TRACK, "variables": {"events": events}})
    answer = answer.json()
    assert codes(answer) == [
        ("BAD_USER_INPUT", "$events[0].metadata.q[1]: is not valid Unicode (lone surrogate)")
    ]
    keyed = [{**event("v1", NOW), "type": "SEARCH", "metadata": {"a\x00": 1}}]
    answer = await post_graphql(website.http, {"query": TRACK, "variables": {"events": keyed}})
    answer = answer.json()
    assert codes(answer) == [("BAD_USER_INPUT", "$events[0].metadata: a key contains NUL")]
    assert not diff(before, await snapshot(db)), "refused, yet written"


async def test_a_number_no_server_can_store_rejects_its_event(website, db):
    before = await snapshot(db)
    query = f"""mutation {{ trackEvents(events: [{{eventId: "e", distinctId: "d", type: SEARCH,
        page: "/", timestamp: "{NOW.isoformat()}", metadata: {{x: 1e999}}}}])
        {{ accepted results {{ status reason }} }} }}"""
    answer = (await post_graphql(website.http, {"query": query})).json()
    assert answer["data"]["trackEvents"] == {
        "accepted": 0,
        "results": [{"status": "REJECTED", "reason": "metadata.x: not a finite number"}],
    }
    assert not diff(before, await snapshot(db)), "refused, yet written"


@pytest.mark.parametrize("way", WAYS)
async def test_identify_null_is_no_identify_call(website, way):
    body = {"identify": None, "events": [event("v1", NOW)]}
    answer = (await website.track(body, way)).json()
    assert "identify" not in answer and answer["accepted"] == 1


@pytest.mark.parametrize("key", ["wk_\ud800", "wk_a\x00b"])
async def test_a_write_key_no_server_can_store_is_refused(api, db, key):
    await create_write_key("shop.example", "test")
    before = await snapshot(db)
    body = json.dumps({"writeKey": key, "events": [event("v1", NOW)]}).encode()
    response = await api.http.post("/v1/track", content=body)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    assert not diff(before, await snapshot(db)), "refused, yet written"


async def test_identify_with_a_taken_email_over_graphql_writes_nothing(api, db):
    mutation = """mutation($input: IdentifyCustomerInput!) {
        identifyCustomer(input: $input) { customer { distinctId } } }"""
    await api.data(mutation, input={"distinctId": "owner", "email": "taken@example.com"})
    before = await snapshot(db)
    answer = await api.graphql(
        mutation, input={"distinctId": "thief", "email": "TAKEN@example.com"}
    )
    assert codes(answer) == [("BAD_USER_INPUT", "identify.email: belongs to another customer")]
    assert not diff(before, await snapshot(db)), "refused, yet written"


async def test_two_customers_racing_for_an_email_leave_one(db):
    """Both pass the check before either writes; the unique index picks one,
    and the other leaves no customer behind."""
    claims = [
        identify(parse_identity({"distinctId": name, "email": "race@example.com"}))
        for name in ("first", "second", "third")
    ]
    results = await asyncio.gather(*claims, return_exceptions=True)
    won = [result for result in results if not isinstance(result, BaseException)]
    lost = [result for result in results if isinstance(result, BaseException)]
    assert len(won) == 1 and len(lost) == 2
    assert all(isinstance(error, InputError) for error in lost), lost
    stored = await db["customers"].find().to_list()
    assert [doc["distinctId"] for doc in stored] == [won[0].distinct_id]


async def test_two_calls_racing_to_create_one_customer_make_one(db):
    claims = [identify(parse_identity({"distinctId": "same", "name": f"N{i}"})) for i in range(3)]
    await asyncio.gather(*claims)
    assert await db["customers"].count_documents({"distinctId": "same"}) == 1


async def test_import_rejects_a_line_nested_too_deeply(settings, db, tmp_path, capsys):
    good = event("c1", NOW - timedelta(minutes=1))
    path = tmp_path / "events.ndjson"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n" + json.dumps(good) + "\n")
    assert await run_import(settings, path) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "line 1: not valid JSON (nested too deeply)"
    assert lines[1].startswith("accepted 1, duplicates 0, rejected 1, lines 2, ")
