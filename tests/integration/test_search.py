"""Customer search against a brute-force reference over the same customers."""

from __future__ import annotations

import asyncio
import functools
import itertools
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.customers.documents import Customer
from api.customers.search import normalize
from api.demo import seed
from api.demo.seed import generate
from api.settings import Settings
from tests.api_process import start_api, stop_api
from tests.factories import insert_customers

SEARCH = """
query($search: String, $after: String) {
  customers(search: $search, first: 100, after: $after, orderBy: {field: NAME, direction: ASC}) {
    edges { node { databaseId } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


# The factory's names outside Latin script, as the documented rule reads them:
# Cyrillic as written and transliterated; Han as written (and the given name),
# in pinyin unless the customer is Japanese, and in Japanese (long vowels
# spelled and dropped) unless Chinese. Parts join from each one to the end.
CYRILLIC = {"Иван": {"иван", "ivan"}, "Петров": {"петров", "petrov"}}
PINYIN = [["wang"], ["fang"]]
JAPANESE = [["ou", "o"], ["hou", "ho"]]


def joined(parts):
    out = set()
    for start in range(len(parts)):
        out |= set(parts[start]) | {"".join(p) for p in itertools.product(*parts[start:])}
    return out


def name_candidates(customer: Customer) -> list[str]:
    candidates: list[str] = []
    for word in customer.name.split():
        if word in CYRILLIC:
            candidates += CYRILLIC[word]
        elif word == "王芳":
            candidates += ["王芳", "芳"]
            language = (customer.language or "").split("-")[0]
            if language != "ja":
                candidates += joined(PINYIN)
            if language != "zh":
                candidates += joined(JAPANESE)
        else:
            ascii_word = normalize(word)
            candidates += [ascii_word, "".join(c for c in ascii_word if c.isalnum())]
            candidates += [p for p in re.split("[^0-9a-z]", ascii_word) if p]
    return candidates


def reference_match(customer: Customer, search: str) -> bool:
    """The documented rule, written plainly: every word of the search prefixes the
    distinct id, the whole email, the email's local part or one of its words
    (split at . _ - +), or a word of the name (or a part of a hyphenated one)."""
    words = normalize(search).split()
    candidates = [normalize(customer.distinct_id)]
    if customer.email:
        email = normalize(customer.email)
        local = email.split("@")[0]
        candidates += [email, local, *re.split(r"[._+-]", local)]
    candidates += name_candidates(customer)
    return all(any(c and c.startswith(w[:100]) for c in candidates) for w in words[:8])


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


# --- the demo data's names, in each of its languages -----------------------------------

ROOT = Path(__file__).resolve().parents[2]
SEEDED = 800  # enough for every locale, the rarest (1 %) included
SEED = 12
ANCHOR = datetime(2026, 3, 1, tzinfo=UTC)
PER_LOCALE = 3


@functools.cache
def seeded_customers() -> tuple[dict, ...]:
    return tuple(doc for batch in generate(SEEDED, SEED, ANCHOR) for doc in batch[0])


def surname(locale: seed.Locale, name: str) -> tuple[str, str]:
    """The customer's surname as written, and as the demo data romanises it
    (Faker's own romaji for Japanese), found in the locale's pool of surnames."""
    pool = seed._pools(SEED).names[locale.code]
    pairs = {written: ascii_ for gender in pool.last for written, ascii_ in gender}
    if locale.order == "western":
        matches = [w for w in pairs if f" {w} " in f" {name} " and not name.startswith(w + " ")]
    else:
        matches = [w for w in pairs if name.startswith(w)]
    written = max(matches, key=len)
    return written, pairs[written]


def typed(locale: seed.Locale, written: str, romanised: str) -> str:
    """How someone types the surname in ASCII: word by word, as spelled."""
    if locale.code in {"ja_JP", "zh_CN", "ko_KR"}:
        return romanised
    return " ".join(seed._ascii(word) for word in written.split())


@pytest.mark.parametrize("locale", seed.LOCALES, ids=lambda locale: locale.code)
async def test_seeded_customers_are_found_in_every_language(api, db, locale):
    customers = seeded_customers()
    await db["customers"].insert_many([dict(doc) for doc in customers])
    mine = [doc for doc in customers if doc["language"] == locale.language][:PER_LOCALE]
    assert mine, f"no {locale.code} customer among {SEEDED}"
    for doc in mine:
        written, romanised = surname(locale, doc["name"])
        searches = [typed(locale, written, romanised), written]
        if doc["email"]:
            local = doc["email"].split("@")[0]
            searches += [word for word in re.split(r"[._+-]", local) if word]
        for search in searches:
            found = await search_ids(api, search)
            assert str(doc["_id"]) in found, (doc["name"], doc["email"], search)


JAPANESE_PEOPLE = [
    ("加藤 千代", "ja-JP", "chiyo.kato@example.com"),
    ("加藤 健", "ja-JP", None),
    ("加藤 美加子", "ja-JP", "mikako+shop@example.org"),
    ("佐藤 健", "ja-JP", None),
    ("斎藤 実", "ja-JP", None),
    ("藤原 誠", "ja-JP", None),
    ("贾滕", "zh-CN", None),
    ("滕雷", "zh-CN", None),
]


@pytest.fixture
async def japanese(api):
    people = [
        Customer(distinctId=f"jp-{i}", name=name, language=language, email=email)
        for i, (name, language, email) in enumerate(JAPANESE_PEOPLE)
    ]
    await Customer.insert_many(people)
    return {c.name: str(c.id) for c in await Customer.find_all().to_list()}


async def found_names(api, japanese, search):
    ids = set(await search_ids(api, search))
    return {name for name, id_ in japanese.items() if id_ in ids}


async def test_japanese_names_are_read_as_japanese(api, japanese):
    assert await found_names(api, japanese, "kato") == {"加藤 千代", "加藤 健", "加藤 美加子"}
    assert await found_names(api, japanese, "KATŌ chiyo") == {"加藤 千代"}
    assert await found_names(api, japanese, "satou") == {"佐藤 健"}
    assert await found_names(api, japanese, "saito") == {"斎藤 実"}
    assert await found_names(api, japanese, "fujiwara") == {"藤原 誠"}
    assert await found_names(api, japanese, "加藤") == {"加藤 千代", "加藤 健", "加藤 美加子"}
    assert await found_names(api, japanese, "かとう") == {"加藤 千代", "加藤 健", "加藤 美加子"}
    # The Chinese reading belongs to the Chinese customers only.
    assert await found_names(api, japanese, "jia teng") == {"贾滕"}
    assert await found_names(api, japanese, "teng") == {"贾滕", "滕雷"}
    assert await found_names(api, japanese, "jia") == {"贾滕"}


async def test_email_local_part_words_find_the_customer(api, japanese):
    assert await found_names(api, japanese, "kato chiyo") == {"加藤 千代"}
    assert await found_names(api, japanese, "shop") == {"加藤 美加子"}
    assert await found_names(api, japanese, "mikako kato") == {"加藤 美加子"}


async def reindex(settings) -> subprocess.CompletedProcess[str]:
    """``python -m api customers reindex`` on the test's database."""
    env = {**os.environ, "MONGODB_URI": settings.mongodb_uri, "MONGODB_DB": settings.mongodb_db}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "api", "customers", "reindex"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_reindex_rewrites_terms_stored_by_older_code(api, db, settings):
    await db["customers"].insert_one(
        {
            "distinctId": "old-1",
            "name": "加藤 千代",
            "email": "chiyo.kato@example.com",
            "language": "ja-JP",
            "emailKey": "email:chiyo.kato@example.com",
            # What the single transliteration table used to store.
            "searchTerms": [
                "chiyo.kato",
                "chiyo.kato@example.com",
                "dai",
                "jia",
                "old-1",
                "qian",
                "teng",
            ],
            "sortName": "jia teng qian dai",
            "createdAt": ANCHOR,
            "lastSeenAt": ANCHOR,
        }
    )
    assert await search_ids(api, "kato") == []
    result = await reindex(settings)
    assert result.returncode == 0, result.stderr
    assert "reindexed 1 of 1 customers" in result.stdout
    assert len(await search_ids(api, "kato")) == 1
    assert await search_ids(api, "jia") == []
    assert "reindexed 0 of 1 customers" in (await reindex(settings)).stdout


async def test_a_served_process_loads_the_readers_at_start(
    settings: Settings, tmp_path: Path
) -> None:
    """No customer is written or searched: the readers load because the server
    started, so the first Japanese name does not hold every request meanwhile."""
    log = tmp_path / "api.log"
    process, _ = start_api(settings.mongodb_uri, settings.mongodb_db, log=log.open("w"))
    try:
        for _ in range(300):
            if "search readers loaded" in log.read_text():
                break
            await asyncio.sleep(0.1)
    finally:
        stop_api(process)
    assert "search readers loaded" in log.read_text()
