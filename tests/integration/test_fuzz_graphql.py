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

The bugs this fuzz found are reproduced at the end of this file and in
test_fuzz_ingest.py.
"""

from __future__ import annotations

import base64
import json
import random
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
    # No lone surrogates: GraphQL source text cannot hold one (a document with
    # one is a syntax error, tests/integration/test_bad_input.py).
    return st.text(st.characters(exclude_categories=["Cs"]), min_size=min_size, max_size=max_size)


ZONES = ["UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "Pacific/Kiritimati",
         "Etc/GMT+12", "Mars/Olympus", "utc", "+02:00", ""]  # fmt: skip
ODD_TIMES = [
    "", "now", "2026-02-30T00:00:00Z", "2026-11-29", "2026-11-29T25:00:00Z", "1764400000",
    "2026-11-29T10:00:00+25:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00", "2026-11-29 10:00:00", "2026-W48-7T10:00:00Z",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
]  # fmt: skip


def datetimes(anchors: list[datetime]) -> st.SearchStrategy[str]:
    """ISO 8601 times from days before the data to hours after, in any offset,
    and odd strings, among them the ends of time and beyond once in UTC."""
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
# Mostly within 64 bits; beyond, the event is rejected.
INTEGERS = mostly(st.integers(-(2**63), 2**63 - 1), st.integers())


def _object(pairs: list[tuple[str, graphql.ValueNode]]) -> graphql.ObjectValueNode:
    fields = [graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v) for k, v in pairs]
    return nodes.Object(fields)


JSON_LEAVES = st.one_of(
    st.just(nodes.Null),
    st.booleans().map(nodes.Boolean),
    INTEGERS.map(nodes.Int),
    st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    text().map(nodes.String),
)


def json_objects(values: st.SearchStrategy[graphql.ValueNode]) -> st.SearchStrategy[Any]:
    keys = st.one_of(NAME, st.just("timeSpent"))
    pairs = st.lists(st.tuples(keys, values), max_size=4, unique_by=lambda pair: pair[0])
    return pairs.map(_object)


def json_values(depth: int) -> st.SearchStrategy[graphql.ValueNode]:
    """Literals of the JSON scalar. Keys are GraphQL names, as a literal
    requires ($-keys and dotted keys come in test_fuzz_ingest.py); a list
    directly inside a list is rejected."""
    if depth == 0:
        return JSON_LEAVES
    inner = json_values(depth - 1)
    lists = st.lists(inner, max_size=4).map(nodes.List)
    return st.one_of(JSON_LEAVES, json_objects(inner), lists)


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
            "generation": {"allow-x00": True},
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
    for node in root_fields(document):
        key, name = (node.alias or node.name).value, node.name.value
        answer = data.get(key)
        if name not in INGESTION or not isinstance(answer, dict):
            continue  # refused, and so wrote nothing
        definition = mutation.fields[name]
        arguments = {
            arg.name.value: graphql.value_from_ast(arg.value, definition.args[arg.name.value].type)
            for arg in node.arguments or ()
            if arg.name.value in definition.args
        }
        if name == "identifyCustomer":
            distinct_id = arguments["input"]["distinctId"]
            assert answer["fuzzCustomer"]["distinctId"] == distinct_id
            written.identified.add(distinct_id)
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


# ---------------------------------------------------------------- found by the fuzz
# Bugs it found, each reproduced; the values are generated above as well. A
# bug found and not yet fixed goes here as a strict xfail, and its input is
# kept out of the strategies (the comment there names the test) until the fix
# removes both.


async def errors_of(api: Any, query: str) -> list[dict[str, Any]]:
    response = await api.http.post("/graphql", json={"query": query})
    assert response.status_code < 500, response.text
    errors: list[dict[str, Any]] = response.json().get("errors") or []
    return errors


@pytest.mark.parametrize(
    "query,message",
    [
        (
            '{ customers(filter: {created: {from: "0001-01-01T00:00:00+01:00"}}) { totalCount } }',
            "filter.created.from: outside the years 1 to 9999 in UTC",
        ),
        (
            '{ events(filter: {time: {to: "9999-12-31T23:59:59-01:00"}}) { totalCount } }',
            "filter.time.to: outside the years 1 to 9999 in UTC",
        ),
        (
            '{ analytics(range: {from: "0001-01-01T00:00:00+01:00", to: "0001-01-02T00:00:00Z"})'
            " { events } }",
            "range.from: outside the years 1 to 9999 in UTC",
        ),
    ],
    ids=["customers-filter", "events-filter", "analytics-range"],
)
async def test_time_out_of_range_after_conversion_is_a_client_error(api, query, message):
    """Once an OverflowError in as_utc: INTERNAL_SERVER_ERROR."""
    errors = await errors_of(api, query)
    assert [(error["extensions"]["code"], error["message"]) for error in errors] == [
        ("BAD_USER_INPUT", message)
    ]


@pytest.mark.parametrize(
    "when",
    [
        'from: "0001-01-01T00:00:00Z", to: "0001-01-02T00:00:00Z"',
        'from: "9999-12-30T00:00:00Z", to: "9999-12-31T23:59:59Z"',
        'from: "1899-12-31T00:00:00Z", to: "1900-01-02T00:00:00Z"',
    ],
    ids=["year-1", "year-9999", "before-1900"],
)
async def test_analytics_at_the_ends_of_time_is_a_client_error(api, when):
    """Once INTERNAL_SERVER_ERROR: hour keys of year 1 could not be read back,
    and stepping hours overflowed past 9999. Ranges must lie in 1900-9000."""
    query = f"{{ analytics(range: {{{when}}}) {{ events }} }}"
    errors = await errors_of(api, query)
    assert [(error["extensions"]["code"], error["message"]) for error in errors] == [
        ("BAD_USER_INPUT", "range: must lie between 1900-01-01 and 9000-01-01")
    ]


async def test_identify_with_a_null_name_leaves_the_name(api, db):
    """A null name is no name (once a ValidationError after the customer was made)."""
    data = await api.data(
        'mutation { identifyCustomer(input: {distinctId: "n1", name: null}) '
        "{ customer { distinctId name } } }"
    )
    assert data["identifyCustomer"]["customer"] == {"distinctId": "n1", "name": "Visitor n1"}


async def test_identify_whose_answer_fails_below_reports_its_write(api, db):
    """A refused argument below the payload nulls only its own field: the
    customer written is still in the answer."""
    before = await snapshot(db)
    response = await api.http.post(
        "/graphql",
        json={
            "query": 'mutation { identifyCustomer(input: {distinctId: "u1"}) '
            "{ customer { distinctId sessions(first: 101) { totalCount } } } }"
        },
    )
    body = response.json()
    assert diff(before, await snapshot(db)), "identify wrote nothing"
    assert body["data"] == {
        "identifyCustomer": {"customer": {"distinctId": "u1", "sessions": None}}
    }
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["identifyCustomer", "customer", "sessions"], "BAD_USER_INPUT")
    ]


@pytest.mark.parametrize(
    "query,message",
    [
        (
            'mutation { identifyCustomer(input: {distinctId: "a\\u0000b"}) { customer { name } } }',
            "input.distinctId: contains NUL",
        ),
        (
            '{ customerByDistinctId(distinctId: "a\\u0000b") { name } }',
            "distinctId: contains NUL",
        ),
        ('{ customers(search: "a\\u0000") { totalCount } }', "search: contains NUL"),
        (
            'mutation { signIn(email: "a@b.c", password: "\\u0000") { expiresAt } }',
            "password: contains NUL",
        ),
        (
            'mutation { trackEvents(events: [{eventId: "e", distinctId: "d", type: SEARCH, '
            'page: "/", timestamp: "2026-01-01T00:00:00Z", metadata: {q: ["\\u0000"]}}]) '
            "{ accepted } }",
            "events[0].metadata.q[0]: contains NUL",
        ),
    ],
    ids=["identifyCustomer", "customerByDistinctId", "customers", "signIn", "trackEvents"],
)
async def test_nul_in_a_string_argument_is_a_client_error(api, db, query, message):
    """Refused on every server, before anything runs: FerretDB on PostgreSQL
    cannot store NUL, and passed on it was answered INTERNAL_SERVER_ERROR."""
    before = await snapshot(db)
    errors = await errors_of(api, query)
    assert [(error["extensions"]["code"], error["message"]) for error in errors] == [
        ("BAD_USER_INPUT", message)
    ]
    assert not diff(before, await snapshot(db)), "refused, yet written"
