"""Schemathesis in GraphQL mode against the real server: no generated document,
valid or not, gets a 5xx, an unexpected error code or a leaked stack trace,
and none changes the data except by the writes its answer reports.

How it runs. Schemathesis reads the schema the app serves (its SDL, printed
from the same strawberry object: introspection may be off, as in production)
and its GraphQL strategies write the documents: every query and mutation, in
positive mode (schema-valid) and negative mode (arguments that break the
schema). Scalar values are steered with schemathesis' custom-scalar registry
so that documents reach real data: ids of the seeded customers, sessions and
events, cursors, time zones, distinct ids, times near the seeded events,
metadata objects. Each case is sent with ``api.http`` (and so with its
credential), not with schemathesis' own transport (``requests``, synchronous):
it runs in the test's event loop beside the in-process server, hypothesis
driving it through pytest-asyncio's support for async ``@given`` tests.
Schemathesis then judges the answer too (``response_schema_conformance``).

After every case the whole test database is compared with the snapshot taken
before it, byte for byte (tests/fuzz_support.py; rate-limit counters and keys'
"last used" times are left out). A query must change nothing. Of the
mutations, ``trackEvents`` and ``identifyCustomer`` are fuzzed in both modes:
every document they add or change must be explained by their answer, which is
made to include what it wrote (the event results, the customer's
``distinctId``) by adding aliased fields to the generated selection. The
other mutations (sign-in, keys, erasure) change access or erase data by
design and need their own oracle; they are fuzzed in negative mode only,
where nothing may change at all.

Known bugs are kept out of the generated values and reproduced, xfail, at the
end of this file and in test_fuzz_ingest.py.
"""

from __future__ import annotations

import base64
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import graphql
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, event, given, note, reject, settings
from hypothesis import strategies as st
from schemathesis.checks import response_schema_conformance
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.graphql import nodes
from schemathesis.specs.graphql import scalars

from schema.export import sdl
from tests.factories import BASE, insert_customers, insert_sessions
from tests.fuzz_support import (
    ALLOWED_CODES,
    OFFSETS,
    Snapshot,
    Written,
    diff,
    iso_time,
    leaks,
    post_track,
    snapshot,
    stores_nul,
    unexplained,
)
from tests.ingest_helpers import NOW, random_batch
from tests.ingest_helpers import event as make_event

QUERY_EXAMPLES = 150
MUTATION_EXAMPLES = 150
# Mutations whose writes the oracle below can explain from their answer.
INGESTION = frozenset({"trackEvents", "identifyCustomer"})
# Where each of them reports what it wrote; added to every generated selection.
REPORTS = {
    "trackEvents": "{ fuzzResults: results { index eventId status reason } }",
    "identifyCustomer": "{ fuzzCustomer: customer { distinctId } }",
}
FUZZ = settings(
    deadline=None,
    derandomize=True,
    # No shrinking: the server's data changes under it (a shrunk case meets
    # other data), and it would take minutes; the failing document is shown.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)

# ---------------------------------------------------------------- values


def mostly(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``usual`` nine times in ten. One bad literal makes a whole document
    invalid, so odd values must be rare for the others to be reached."""
    return st.integers(0, 9).flatmap(lambda roll: rare if roll == 0 else usual)


def text(max_size: int = 24, min_size: int = 0) -> st.SearchStrategy[str]:
    # No NUL (test_nul_in_a_string_argument_is_a_client_error) and no lone
    # surrogates (they cannot be sent as UTF-8 JSON at all).
    return st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
        min_size=min_size,
        max_size=max_size,
    )


ZONES = ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Pacific/Kiritimati",
         "Etc/GMT+12", "Mars/Olympus", "utc", "+02:00", ""]  # fmt: skip
ODD_TIMES = [
    "", "now", "2026-02-30T00:00:00Z", "2026-11-29", "2026-11-29T25:00:00Z", "1764400000",
    "2026-11-29T10:00:00+25:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00", "2026-11-29 10:00:00", "2026-W48-7T10:00:00Z",
]  # fmt: skip


def datetimes(anchors: list[datetime]) -> st.SearchStrategy[str]:
    """ISO 8601 times from days before the data to hours after, in any offset,
    and odd strings; never an offset that moves year 1 or 9999 out of range
    (test_time_out_of_range_after_conversion_is_a_client_error)."""
    near = st.builds(
        lambda anchor, minutes, offset, spec: iso_time(
            anchor + timedelta(minutes=minutes), offset, spec
        ),
        st.sampled_from(anchors),
        st.integers(-4 * 24 * 60, 2 * 60),
        st.sampled_from(OFFSETS),
        st.sampled_from(["seconds", "milliseconds", "microseconds"]),
    )
    return mostly(near, st.sampled_from(ODD_TIMES))


NAME = st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,8}", fullmatch=True)
# Within 64 bits: test_fuzz_ingest.py::test_bad_input_is_refused_without_writing.
INT64 = st.integers(-(2**63), 2**63 - 1)


def _object(pairs: list[tuple[str, graphql.ValueNode]]) -> graphql.ObjectValueNode:
    fields = [graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v) for k, v in pairs]
    return nodes.Object(fields)


JSON_LEAVES = st.one_of(
    st.just(nodes.Null),
    st.booleans().map(nodes.Boolean),
    INT64.map(nodes.Int),
    st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    text().map(nodes.String),
)


def json_objects(values: st.SearchStrategy[graphql.ValueNode]) -> st.SearchStrategy[Any]:
    keys = st.one_of(NAME, st.just("timeSpent"))
    pairs = st.lists(st.tuples(keys, values), max_size=4, unique_by=lambda pair: pair[0])
    return pairs.map(_object)


def json_values(depth: int) -> st.SearchStrategy[graphql.ValueNode]:
    """Literals of the JSON scalar. Keys are GraphQL names, as a literal
    requires ($-keys and dotted keys come in test_fuzz_ingest.py), and no list
    is directly inside a list
    (test_fuzz_ingest.py::test_value_the_database_cannot_store_...)."""
    if depth == 0:
        return JSON_LEAVES
    objects = json_objects(json_values(depth - 1))
    lists = st.lists(st.one_of(JSON_LEAVES, objects), max_size=4).map(nodes.List)
    return st.one_of(JSON_LEAVES, objects, lists)


def metadata() -> st.SearchStrategy[graphql.ValueNode]:
    """Mostly objects, as metadata must be; up to six levels deep, one more
    than allowed."""
    return mostly(json_objects(json_values(5)), json_values(2))


def global_id(type_name: str, ident: str) -> str:
    return base64.b64encode(f"{type_name}:{ident}".encode()).decode()


# ---------------------------------------------------------------- seeding


@dataclass
class Seed:
    ids: list[str]  # global ids that exist
    words: list[str]  # strings the data knows: distinct ids, emails, cursors...
    times: list[datetime]  # moments with data around them
    distinct_ids: list[str]
    emails: list[str]


QUERY_IDS = """
{ customers(first: 100) { pageInfo { endCursor } edges { cursor node { id distinctId email
    sessions(first: 20) { edges { cursor node { id events(first: 20) { edges { cursor node { id
    } } } } } } } } } }
"""


async def seed(api: Any) -> Seed:
    """Customers, sessions and events both ways (factories and real ingestion),
    then every analytics hour brought up to date, so that reads find nothing
    stale to recompute and store."""
    customers = await insert_customers(12)
    for customer in customers[:3]:
        await insert_sessions(customer, 3, events_each=4)
    batch = random_batch(random.Random(5), customers=4, size=40)
    # Odd but valid: what analytics must add up without tripping.
    odd = [("/ünï/🙂", "12"), ("/" + "p" * 2047, True), ("/a b?c=d#e", None), ("/", [1]),
           ("/x", {"a": 1}), ("/y", -1), ("/z", 1e308), ("/0", 0), ("/big", 2**62)]  # fmt: skip
    for minutes, (page, spent) in enumerate(odd):
        moment = NOW - timedelta(minutes=50 - minutes)
        batch.append(make_event("c1", moment, "page_view", page, "odd", timeSpent=spent))
    identify = {"distinctId": "c0", "name": "Zoë Ångström", "email": "zoe@example.com",
                "country": "SE", "language": "sv-SE"}  # fmt: skip
    response = await post_track(api, json.dumps({"events": batch, "identify": identify}).encode())
    assert response.status_code == 200 and response.json()["accepted"] == len(batch), response.text
    warm = """query($from: DateTime!, $to: DateTime!) {
        analytics(range: {from: $from, to: $to}, granularity: DAY) { events } }"""
    start = (NOW - timedelta(days=5)).replace(hour=0, minute=0, second=0)
    body = await api.data(
        warm, **{"from": start.isoformat(), "to": (start + timedelta(days=8)).isoformat()}
    )
    assert body["analytics"]["events"] == len(batch)

    found = (await api.data(QUERY_IDS))["customers"]
    ids, words = [], [found["pageInfo"]["endCursor"]]
    distinct_ids = [edge["node"]["distinctId"] for edge in found["edges"]]
    emails = [edge["node"]["email"] for edge in found["edges"] if edge["node"]["email"]]
    for edge in found["edges"]:
        node = edge["node"]
        ids.append(node["id"])
        words += [edge["cursor"], node["distinctId"], node["email"] or ""]
        for session in node["sessions"]["edges"]:
            ids.append(session["node"]["id"])
            words.append(session["cursor"])
            for item in session["node"]["events"]["edges"]:
                ids.append(item["node"]["id"])
                words.append(item["cursor"])
    words += ["anna", "zoë", "jose", "DE", "fr", "XX", "de-DE", "en", "x-klingon-xx", "web",
              "ios", "/home", "/checkout", "e-1", "e-2", "e-3", *ZONES]  # fmt: skip
    times = [NOW, BASE, NOW - timedelta(days=2)]
    return Seed(ids, words, times, distinct_ids, emails)


def register_scalars(monkeypatch: pytest.MonkeyPatch, seeded: Seed) -> None:
    """Values of the scalars for this test; undone when it ends (the registry
    that ``schemathesis.graphql.scalar`` fills is global)."""
    strings = mostly(st.one_of(st.sampled_from(seeded.words), text(40, min_size=1)), text())
    ids = st.one_of(
        st.sampled_from(seeded.ids),
        st.sampled_from(seeded.ids).map(lambda value: value[:-2]),
        st.builds(global_id, st.sampled_from(["Customer", "Session", "Event", "ApiKey"]), text(30)),
        text(),
    )
    chosen = {
        "ID": st.one_of(ids.map(nodes.String), st.integers().map(nodes.Int)),
        "String": strings.map(nodes.String),
        "DateTime": datetimes(seeded.times).map(nodes.String),
        "JSON": metadata(),
    }
    for name, strategy in chosen.items():
        monkeypatch.setitem(scalars.CUSTOM_SCALARS, name, strategy)


def load_schema(seeded: Seed) -> Any:
    """The schema the app serves, as SDL printed from the same Python object
    (introspection may be turned off, as it is in production), with
    schemathesis dictionaries for the arguments that random text rarely gets
    right, so that more documents get past validation to the data."""
    dictionaries = {
        "distinct_ids": [*seeded.distinct_ids, "new-1", "new-2"],
        "emails": [*seeded.emails, "new@example.com", "not an address"],
        "countries": ["DE", "fr", "se", "XX"],
        "languages": ["de-DE", "en", "sv-SE", "zz-!!"],
        "zones": ZONES,
        "devices": ["web", "ios", "android"],
        "sessions": ["tab-1", "tab-2"],
        "searches": ["anna", "zoë", "jose", "user1", "d-00", "example.com", "Visitor c"],
        "sizes": [0, 1, 5, 20, 100, 101, -1],
    }
    bound = {
        "Mutation.identifyCustomer.input.distinctId": "distinct_ids",
        "Mutation.identifyCustomer.input.email": "emails",
        "Mutation.identifyCustomer.input.country": "countries",
        "Mutation.identifyCustomer.input.language": "languages",
        "Mutation.trackEvents.events[*].distinctId": "distinct_ids",
        "Mutation.trackEvents.events[*].device": "devices",
        "Mutation.trackEvents.events[*].sessionId": "sessions",
        "Query.customerByDistinctId.distinctId": "distinct_ids",
        "Query.customers.search": "searches",
        "Query.analytics.timeZone": "zones",
        "*.*.first": "sizes",
        "*.*.last": "sizes",
    }
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"allow-x00": False},
            "dictionaries": {name: {"values": values} for name, values in dictionaries.items()},
            "parameters": {
                path: {"dictionary": name, "probability": 0.7} for path, name in bound.items()
            },
        }
    )
    return schemathesis.graphql.from_file(sdl(), config=config)


@dataclass
class Fuzz:
    cases: st.SearchStrategy[Case]
    schema: graphql.GraphQLSchema
    # The database as the last case left it (for queries: as seeded).
    baseline: Snapshot


def weighted(*choices: tuple[int, st.SearchStrategy[Case]]) -> st.SearchStrategy[Case]:
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(lambda index: table[index])


@pytest.fixture
async def query_fuzz(api, db, monkeypatch) -> Fuzz:
    seeded = await seed(api)
    register_scalars(monkeypatch, seeded)
    schema = load_schema(seeded)
    queries = schema["Query"]
    cases = weighted(
        (3, queries.as_strategy(generation_mode=GenerationMode.POSITIVE)),
        (1, queries.as_strategy(generation_mode=GenerationMode.NEGATIVE)),
    )
    return Fuzz(cases, schema.client_schema, await snapshot(db))


@pytest.fixture
async def mutation_fuzz(api, db, monkeypatch) -> Fuzz:
    seeded = await seed(api)
    register_scalars(monkeypatch, seeded)
    schema = load_schema(seeded)
    mutations = schema["Mutation"]
    positive, negative = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
    others = [mutations[name] for name in mutations if name not in INGESTION]
    # Tenths of the examples: the ingestion mutations get most, they are what writes.
    cases = weighted(
        (4, mutations["trackEvents"].as_strategy(generation_mode=positive)),
        (2, mutations["identifyCustomer"].as_strategy(generation_mode=positive)),
        (1, mutations["trackEvents"].as_strategy(generation_mode=negative)),
        (1, mutations["identifyCustomer"].as_strategy(generation_mode=negative)),
        (2, st.one_of([op.as_strategy(generation_mode=negative) for op in others])),
    )
    return Fuzz(cases, schema.client_schema, await snapshot(db))


# ---------------------------------------------------------------- checks


def with_reports(body: str) -> str:
    """The document with each ingestion mutation also selecting what it wrote."""
    try:
        document = graphql.parse(body)
    except graphql.GraphQLError:
        return body
    definitions = []
    for definition in document.definitions:
        if isinstance(definition, graphql.OperationDefinitionNode):
            selections = []
            for selection in definition.selection_set.selections:
                if isinstance(selection, graphql.FieldNode) and selection.selection_set:
                    report = REPORTS.get(selection.name.value)
                    if report is not None:
                        extra = graphql.parse(report).definitions[0]
                        assert isinstance(extra, graphql.OperationDefinitionNode)
                        selection = _with_selection(selection, extra.selection_set.selections)
                selections.append(selection)
            definition = _with_selections(definition, selections)
        definitions.append(definition)
    return graphql.print_ast(graphql.DocumentNode(definitions=tuple(definitions)))


def _with_selection(node: graphql.FieldNode, extra: Any) -> graphql.FieldNode:
    assert node.selection_set is not None
    merged = graphql.SelectionSetNode(selections=(*node.selection_set.selections, *extra))
    return graphql.FieldNode(
        alias=node.alias,
        name=node.name,
        arguments=node.arguments,
        directives=node.directives,
        selection_set=merged,
    )


def _with_selections(node: graphql.OperationDefinitionNode, selections: list[Any]) -> Any:
    return graphql.OperationDefinitionNode(
        operation=node.operation,
        name=node.name,
        variable_definitions=node.variable_definitions,
        directives=node.directives,
        selection_set=graphql.SelectionSetNode(selections=tuple(selections)),
    )


async def send(api: Any, case: Case, body: str) -> httpx.Response:
    """The case's document, posted with ``api.http`` (its credential) plus any
    headers the case carries."""
    headers = {key: str(value) for key, value in (case.headers or {}).items()}
    return await api.http.post("/graphql", json={"query": body}, headers=headers)


def check_response(case: Case, body: str, response: httpx.Response) -> dict[str, Any]:
    where = f"{case.operation.label} ({case.meta.generation.mode.value if case.meta else '?'})"
    shown = f"{where}\n{body}\n-> {response.status_code} {response.text[:2000]}"
    assert response.status_code < 500, shown
    payload = response.json()
    assert isinstance(payload, dict), shown
    for error in payload.get("errors") or []:
        extensions = error.get("extensions") or {}
        assert extensions.get("code") in ALLOWED_CODES, shown
        assert not leaks(error.get("message", "")), shown
        assert not {"exception", "stacktrace", "traceback"} & set(extensions), shown
    # Schemathesis' own judgement of the answer: JSON, and no null where the
    # schema promises a value.
    case.validate_response(response, checks=[response_schema_conformance])
    return payload


def root_fields(document: graphql.DocumentNode) -> Iterator[graphql.FieldNode]:
    for definition in document.definitions:
        if isinstance(definition, graphql.OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, graphql.FieldNode):
                    yield selection


def reported(schema: graphql.GraphQLSchema, body: str, payload: dict[str, Any]) -> Written:
    written = Written()
    mutation = schema.mutation_type
    try:
        document = graphql.parse(body)
    except graphql.GraphQLError:
        return written
    assert mutation is not None
    data = payload.get("data") or {}
    errors = payload.get("errors") or []
    # Root fields that wrote, yet answer null: a field below them failed
    # (test_identify_whose_answer_fails_below_reports_its_write), or identify
    # found the email taken after making the customer
    # (test_fuzz_ingest.py::test_identify_with_a_taken_email_writes_nothing).
    unreported = {
        error["path"][0]
        for error in errors
        if len(error.get("path") or []) > 1 or "belongs to another customer" in error["message"]
    }
    for node in root_fields(document):
        key, name = (node.alias or node.name).value, node.name.value
        answer = data.get(key)
        if name not in INGESTION or not (isinstance(answer, dict) or key in unreported):
            continue  # refused before it ran
        definition = mutation.fields[name]
        arguments = {
            arg.name.value: graphql.value_from_ast(arg.value, definition.args[arg.name.value].type)
            for arg in node.arguments or ()
            if arg.name.value in definition.args
        }
        if name == "identifyCustomer":
            distinct_id = arguments["input"]["distinctId"]
            if isinstance(answer, dict):
                assert answer["fuzzCustomer"]["distinctId"] == distinct_id
                written.identified.add(distinct_id)
            else:
                written.unreported.add(distinct_id)
            continue
        if not isinstance(answer, dict):
            continue
        events = arguments["events"]
        for result in answer["fuzzResults"]:
            sent = events[result["index"]]
            assert result["eventId"] == sent["eventId"]
            if result["status"] == "ACCEPTED":
                assert sent["eventId"] not in written.accepted, "accepted twice in one answer"
                written.accepted[sent["eventId"]] = sent
            elif result["status"] == "DUPLICATE":
                written.duplicates.append(sent)
    return written


# ---------------------------------------------------------------- the fuzz


def known_bug(name: str, body: str) -> bool:
    """Documents that hit a bug reproduced (xfail) at the end of this file; kept
    out of the fuzz until it is fixed."""
    if name == "identifyCustomer":  # test_identify_with_a_null_name_is_a_client_error
        return bool(re.search(r"\bname: null\b", body))
    if name == "analytics":  # test_analytics_at_the_ends_of_time_is_answered
        return bool(re.search(r'"(0\d\d\d|9999)-', body))
    return False


def tally(case: Case, payload: dict[str, Any]) -> None:
    """What was covered, for ``pytest --hypothesis-show-statistics``."""
    mode = case.meta.generation.mode.value if case.meta else "?"
    event(f"{case.operation.label} ({mode})")
    codes = sorted(
        {str((error.get("extensions") or {}).get("code")) for error in payload.get("errors") or []}
    )
    event(f"error codes: {', '.join(codes) or 'none'}")


@settings(FUZZ, max_examples=QUERY_EXAMPLES)
@given(data=st.data())
async def test_fuzzed_queries_answer_cleanly_and_write_nothing(api, db, query_fuzz, data):
    case = data.draw(query_fuzz.cases, label="case")
    if known_bug(case.operation.label.split(".", 1)[1], case.body):
        reject()
    note(case.body)
    response = await send(api, case, case.body)
    tally(case, check_response(case, case.body, response))
    changes = diff(query_fuzz.baseline, await snapshot(db))
    assert not changes, f"{case.operation.label} wrote:\n{changes.describe()}\n{case.body}"


@settings(FUZZ, max_examples=MUTATION_EXAMPLES)
@given(data=st.data())
async def test_fuzzed_mutations_write_only_what_they_report(api, db, mutation_fuzz, data):
    case = data.draw(mutation_fuzz.cases, label="case")
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    name = case.operation.label.split(".", 1)[1]
    if name not in INGESTION and not negative:
        reject()  # a positive fallback of a mutation the oracle cannot explain
    if known_bug(name, case.body):
        reject()
    body = with_reports(case.body)
    note(body)
    response = await send(api, case, body)
    after = await snapshot(db)
    changes = diff(mutation_fuzz.baseline, after)
    mutation_fuzz.baseline = after
    payload = check_response(case, body, response)
    tally(case, payload)
    if name in INGESTION:
        written = reported(mutation_fuzz.schema, body, payload)
        event(f"wrote events: {bool(written.accepted)}, customer: {bool(written.identified)}")
        problems = unexplained(changes, written, after)
    else:
        problems = ["a refused mutation wrote"] if changes else []
    assert not problems, (
        f"{problems}\n{body}\n-> {json.dumps(payload)[:2000]}\n{changes.describe()}"
    )


# ---------------------------------------------------------------- known bugs
# Each is kept out of the fuzz above (see known_bug, the value strategies and
# tests/fuzz_support.py::unexplained) until it is fixed; then the xfail turns
# into a failure (strict) and both the mark and the exclusion go.


async def errors_of(api: Any, query: str) -> list[dict[str, Any]]:
    response = await api.http.post("/graphql", json={"query": query})
    assert response.status_code < 500, response.text
    errors: list[dict[str, Any]] = response.json().get("errors") or []
    return errors


@pytest.mark.xfail(
    strict=True,
    reason="api/timerange.py as_utc: astimezone(UTC) raises OverflowError for a time whose "
    "offset moves it out of years 1-9999; answered INTERNAL_SERVER_ERROR",
)
@pytest.mark.parametrize(
    "query",
    [
        '{ customers(filter: {created: {from: "0001-01-01T00:00:00+01:00"}}) { totalCount } }',
        '{ analytics(range: {from: "0001-01-01T00:00:00+01:00", to: "0001-01-02T00:00:00Z"})'
        " { events } }",
    ],
    ids=["customers-filter", "analytics-range"],
)
async def test_time_out_of_range_after_conversion_is_a_client_error(api, query):
    assert [error["extensions"]["code"] for error in await errors_of(api, query)] == [
        "BAD_USER_INPUT"
    ]


@pytest.mark.xfail(
    strict=True,
    reason="api/timeutil.py: hour_key writes year 1 as '1-01-01T00' (strftime %Y is not "
    "zero-padded here), which hour_start cannot read back (ValueError), and hours_between "
    "steps past year 9999 (OverflowError); answered INTERNAL_SERVER_ERROR",
)
@pytest.mark.parametrize(
    "when",
    [
        'from: "0001-01-01T00:00:00Z", to: "0001-01-02T00:00:00Z"',
        'from: "9999-12-30T00:00:00Z", to: "9999-12-31T23:59:59Z"',
    ],
    ids=["year-1", "year-9999"],
)
async def test_analytics_at_the_ends_of_time_is_answered(api, when):
    query = f"{{ analytics(range: {{{when}}}) {{ events }} }}"
    codes = [error["extensions"]["code"] for error in await errors_of(api, query)]
    assert codes in ([], ["BAD_USER_INPUT"])


@pytest.mark.xfail(
    strict=True,
    reason="api/ingestion/service.py identify: an explicit null name reaches "
    "Customer.model_validate, whose ValidationError is not an InputError; the customer "
    "is created first",
)
async def test_identify_with_a_null_name_is_a_client_error(api, db):
    before = await snapshot(db)
    errors = await errors_of(
        api,
        'mutation { identifyCustomer(input: {distinctId: "n1", name: null}) { customer { id } } }',
    )
    assert [error["extensions"]["code"] for error in errors] in ([], ["BAD_USER_INPUT"])
    if errors:
        assert not diff(before, await snapshot(db)), "refused, yet written"


@pytest.mark.xfail(
    strict=True,
    reason="identifyCustomer writes, then a field of its answer fails (first > 100 is checked "
    "only when sessions resolves); the null propagates to data, so the client is told "
    "BAD_USER_INPUT about a write that happened",
)
async def test_identify_whose_answer_fails_below_reports_its_write(api, db):
    before = await snapshot(db)
    response = await api.http.post(
        "/graphql",
        json={
            "query": 'mutation { identifyCustomer(input: {distinctId: "u1"}) '
            "{ customer { distinctId sessions(first: 101) { totalCount } } } }"
        },
    )
    body = response.json()
    written = bool(diff(before, await snapshot(db)))
    reported = bool((body.get("data") or {}).get("identifyCustomer"))
    assert written == reported, body


@pytest.mark.parametrize(
    "query",
    [
        'mutation { identifyCustomer(input: {distinctId: "a\\u0000b"}) { customer { name } } }',
        '{ customerByDistinctId(distinctId: "a\\u0000b") { name } }',
    ],
    ids=["identifyCustomer", "customerByDistinctId"],
)
async def test_nul_in_a_string_argument_is_a_client_error(api, db, request, query):
    """Only where the database cannot store NUL (FerretDB on PostgreSQL): the
    database's refusal is answered INTERNAL_SERVER_ERROR."""
    if not await stores_nul(db):
        request.applymarker(
            pytest.mark.xfail(
                strict=True,
                reason="this database refuses NUL in strings; the API passes them on and "
                "answers INTERNAL_SERVER_ERROR (nothing is written: the first read fails)",
            )
        )
    before = await snapshot(db)
    errors = await errors_of(api, query)
    assert all(error["extensions"]["code"] == "BAD_USER_INPUT" for error in errors), errors
    if errors:
        assert not diff(before, await snapshot(db)), "refused, yet written"
