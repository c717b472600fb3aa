"""Customer search against a brute-force reference over the same customers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.customers.documents import Customer
from api.customers.search import normalize
from tests.factories import insert_customers

SEARCH = """
query($search: String, $after: String) {
  customers(search: $search, first: 100, after: $after, orderBy: {field: NAME, direction: ASC}) {
    edges { node { databaseId } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def reference_match(customer: Customer, search: str) -> bool:
    """The documented rule, written plainly: every word of the search prefixes the
    distinct id, the whole email, the email's local part or a word of the name."""
    words = normalize(search).split()
    candidates = [normalize(customer.distinct_id)]
    if customer.email:
        email = normalize(customer.email)
        candidates += [email, email.split("@")[0]]
    for word in normalize(customer.name).split():
        candidates.append(word)
        piece = ""
        for char in word + " ":
            if char.isascii() and char.isalnum():
                piece += char
            else:
                if piece:
                    candidates.append(piece)
                piece = ""
    return all(any(c.startswith(w[:100]) for c in candidates) for w in words[:8])


async def search_ids(api, search):
    ids, cursor = [], None
    while True:
        conn = (await api.data(SEARCH, search=search, after=cursor))["customers"]
        ids += [edge["node"]["databaseId"] for edge in conn["edges"]]
        if not conn["pageInfo"]["hasNextPage"]:
            return ids
        cursor = conn["pageInfo"]["endCursor"]


@pytest.fixture
async def people(api):
    await insert_customers(40)
    extra = [
        Customer(distinctId="ext-1", name="Anna-Lena Öztürk", email="Anna.Lena+Shop@Example.COM"),
        Customer(distinctId="ext-2", name="Dot Star", email="a.b@example.org"),
        Customer(distinctId="$where", name="Weird Id", email="w@example.net"),
    ]
    await Customer.insert_many(extra)
    return await Customer.find_all().to_list()


def expected(people, search):
    return sorted(
        (str(c.id) for c in people if reference_match(c, search)),
    )


@pytest.mark.parametrize(
    "search,must_find",
    [
        ("jose", {"José Álvarez", "Jose Alvarez"}),
        ("JOSÉ ALV", {"José Álvarez", "Jose Alvarez"}),
        ("zoe", {"Zoë Müller"}),
        ("muller", {"Zoë Müller"}),
        ("ivan", {"Иван Петров"}),
        ("luc", {"Jean-Luc Picard"}),
        ("jean-luc", {"Jean-Luc Picard"}),
        ("lukasz zak", {"Łukasz Żak"}),
        ("anna.lena+shop", {"Anna-Lena Öztürk"}),
        ("anna.lena+shop@example.com", {"Anna-Lena Öztürk"}),
        ("ANNA.LENA+SHOP@EXAMPLE.COM", {"Anna-Lena Öztürk"}),
        ("ozturk anna", {"Anna-Lena Öztürk"}),
        ("$where", {"Weird Id"}),
    ],
)
async def test_search_examples(api, people, search, must_find):
    found = await search_ids(api, search)
    names = {c.name for c in people if str(c.id) in found}
    assert must_find <= names
    assert sorted(found) == expected(people, search)


@pytest.mark.parametrize(
    "hostile",
    [".*", "^", "a.b", "(", "[a-z]+", "\\", '{"$gt": ""}', "$where", "$ne", "a|b", "x" * 10_000],
)
async def test_hostile_search_is_literal(api, people, hostile):
    body = await api.graphql(SEARCH, search=hostile)
    if len(hostile) > 1000:
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert body["errors"][0]["message"].startswith("search:")
        return
    assert "errors" not in body
    found = sorted(e["node"]["databaseId"] for e in body["data"]["customers"]["edges"])
    assert found == expected(people, hostile)
    # A pattern such as ".*" would match everyone if it were taken as a regex.
    assert len(found) < len(people)


async def test_search_combines_with_filters(api, people):
    body = await api.data(
        """query { customers(search: "anna", filter: {countries: ["de", "FR"]}, first: 100) {
                     nodes { name country } } }"""
    )
    nodes = body["customers"]["nodes"]
    assert nodes and all(node["country"] in {"DE", "FR"} for node in nodes)
    reference = [c for c in people if reference_match(c, "anna") and c.country in {"DE", "FR"}]
    assert len(nodes) == len(reference)


WORDS = st.sampled_from(
    ["anna", "an", "jos", "é", "ü", "zo", "user1", "user12+tag", "d-00", "example", "@", "."]
)
TEXT = st.text(alphabet="aeioujlnsxyzéüøłÅ .+-@$*^[]{}\"'\\", max_size=12)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(search=st.one_of(TEXT, st.lists(WORDS, min_size=1, max_size=3).map(" ".join)))
async def test_search_matches_reference(api, people, search):
    found = await search_ids(api, search)
    assert sorted(found) == expected(people, search)
