"""The demo data: deterministic, realistic, and exactly what the models store."""

from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from beanie.odm.utils.dump import get_dict
from bson import ObjectId

from api.cli.seed import run
from api.customers.documents import Customer
from api.demo import seed
from api.demo.seed import SeedStats, generate, load
from api.events.documents import Event, EventType
from api.sessions.documents import Session

ANCHOR = datetime(2026, 3, 1, tzinfo=UTC)
TYPES = {kind.value for kind in EventType}
CUSTOM = {"signup", "video.play", "feature.used"}
ROOT = Path(__file__).resolve().parents[2]


def flatten(customers: int, seed_value: int, anchor: datetime = ANCHOR):
    out: tuple[list[dict], list[dict], list[dict]] = ([], [], [])
    for batch in generate(customers, seed_value, anchor):
        for bucket, docs in zip(out, batch, strict=True):
            bucket.extend(docs)
    return out


def digest(docs: Any) -> str:
    return hashlib.sha256(pickle.dumps(docs)).hexdigest()


def datetimes(doc: dict) -> list[datetime]:
    return [value for value in doc.values() if isinstance(value, datetime)]


def by_id(docs: list[dict]) -> list[dict]:
    return sorted(docs, key=lambda doc: doc["_id"])


def check_consistency(customers: list[dict], sessions: list[dict], events: list[dict]) -> None:
    """What must hold between the documents of a seed, whether generated or stored."""
    emails = [c["email"] for c in customers if c.get("email")]
    assert len({email.casefold() for email in emails}) == len(emails)

    customers_by_id = {c["_id"]: c for c in customers}
    events_by_session: dict[Any, list[dict]] = defaultdict(list)
    for event in events:
        events_by_session[event["sessionId"]].append(event)
    sessions_by_customer: dict[Any, list[dict]] = defaultdict(list)
    for session in sessions:
        sessions_by_customer[session["customerId"]].append(session)
        own = events_by_session[session["_id"]]
        assert session["eventCount"] == len(own) >= 1
        assert session["country"] == customers_by_id[session["customerId"]]["country"]
        end = session["endTime"] or ANCHOR
        times = [event["timestamp"] for event in own]
        assert times == sorted(times) and times[0] == session["startTime"]
        assert all(session["startTime"] <= moment <= end for moment in times)
        for event in own:
            assert event["customerId"] == session["customerId"]
    assert set(events_by_session) == {s["_id"] for s in sessions}

    sessions_by_id = {s["_id"]: s for s in sessions}
    for event in events:
        assert event["type"] in TYPES | CUSTOM
        assert event["bot"] is sessions_by_id[event["sessionId"]]["bot"]
        assert (
            event["context"]["deviceType"] == "bot"
            if event["bot"]
            else "browser" in event["context"]
        )
        spent = event["metadata"].get("timeSpent")
        if event["type"] == "page_view":
            assert isinstance(spent, int | float) and not isinstance(spent, bool) and spent > 0
        else:
            assert spent is None

    for customer in customers:
        own = sessions_by_customer[customer["_id"]]
        assert customer["lastSeenAt"] >= customer["createdAt"]
        assert all(customer["createdAt"] < s["startTime"] for s in own)
        seen = max((s["endTime"] or s["startTime"] for s in own), default=customer["createdAt"])
        assert customer["lastSeenAt"] == seen
        ordered = sorted(own, key=lambda s: s["startTime"])
        assert all(s["endTime"] is not None for s in ordered[:-1])  # only the newest is active
        for earlier, later in itertools.pairwise(ordered):
            assert earlier["endTime"] < later["startTime"]  # visits never overlap


def test_generate_is_deterministic_and_seed_dependent():
    seed._pools.cache_clear()  # rebuild the Faker name pools too
    first = flatten(30, 7)
    seed._pools.cache_clear()
    second = flatten(30, 7)
    assert first == second
    assert [doc["_id"] for doc in first[2]] == [doc["_id"] for doc in second[2]]
    assert all(first)  # customers, sessions and events were made

    other = flatten(30, 8)
    assert [c["distinctId"] for c in other[0]] != [c["distinctId"] for c in first[0]]
    assert {c["_id"] for c in other[0]}.isdisjoint(c["_id"] for c in first[0])
    assert [c["name"] for c in other[0]] != [c["name"] for c in first[0]]

    # A smaller run is a prefix of a larger one, and batches hold about 200 customers.
    assert flatten(12, 7)[0] == first[0][:12]
    assert [len(b[0]) for b in generate(250, 7, ANCHOR)] == [200, 50]


def test_generate_is_deterministic_across_processes():
    """No dependence on hash randomisation or anything else of the process."""
    script = (
        "import hashlib, pickle; from datetime import datetime, UTC;"
        "from api.demo.seed import generate;"
        "docs = list(generate(20, 7, datetime(2026, 3, 1, tzinfo=UTC)));"
        "print(hashlib.sha256(pickle.dumps(docs)).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == digest(list(generate(20, 7, ANCHOR)))


def test_generated_data_looks_real():
    customers, sessions, events = flatten(600, 11)
    check_consistency(customers, sessions, events)
    emails = [c["email"] for c in customers if c["email"] is not None]
    assert len({email.casefold() for email in emails}) == len(emails)
    assert 0.02 < 1 - len(emails) / len(customers) < 0.09  # about 5 % without email
    assert any("+" in email.split("@")[0] for email in emails)  # plus addressing
    assert all(email.isascii() and email.split("@")[1].endswith(
        (".example", "example.com", "example.org", "example.net")) for email in emails)  # fmt: skip
    names = [c["name"] for c in customers]
    assert any(any(ch in "éèäöüßçñãõłśżčřőğ" for ch in name.lower()) for name in names)
    # CJK, Cyrillic, kana, Hangul: their whole blocks
    for low, high in (("\u4e00", "\u9fff"), ("\u0400", "\u04ff"), ("\u3040", "\u30ff"),
                      ("\uac00", "\ud7af")):  # fmt: skip
        assert any(any(low <= ch <= high for ch in name) for name in names)
    countries = Counter(c["country"] for c in customers)
    assert len(countries) >= 12 and countries.most_common(1)[0][0] == "US"
    assert {c["language"] for c in customers} >= {"de-DE", "pt-BR", "ja-JP", "zh-CN", "en-US"}
    assert len({c["distinctId"] for c in customers}) == len(customers)

    per_customer = Counter(s["customerId"] for s in sessions)
    counts = [per_customer[c["_id"]] for c in customers]
    assert max(counts) <= 30 and min(counts) == 0
    assert sum(1 for n in counts if n <= 5) > sum(1 for n in counts if n >= 20) > 0  # skewed
    active = [s for s in sessions if s["endTime"] is None]
    assert 0.05 < len(active) / len(customers) < 0.16
    assert all(ANCHOR - timedelta(hours=1) <= s["startTime"] < ANCHOR for s in active)
    devices = Counter(s["device"] for s in sessions)
    assert set(devices) == {"web", "ios", "android"} and devices.most_common(1)[0][0] == "web"
    assert all(1 <= s["eventCount"] <= 40 for s in sessions)

    bots = [s for s in sessions if s["bot"]]
    assert 0 < len(bots) < 0.05 * len(sessions)
    bot_agents = Counter(e["context"]["browser"] for e in events if e["bot"])
    assert len(bot_agents) >= 3 and "Googlebot" in bot_agents
    human = [e for e in events if not e["bot"]]
    browsers = Counter(e["context"]["browser"] for e in human)
    assert {"Chrome", "Mobile Safari", "Firefox", "Edge", "Samsung Internet"} <= set(browsers)
    assert set(Counter(e["context"]["deviceType"] for e in human)) == {
        "desktop",
        "mobile",
        "tablet",
    }
    firsts = [e for e in human if "screenWidth" in e["context"]]
    assert len(firsts) == len(sessions) - len(bots)  # the snippet's first event of a visit
    domains = Counter(e["context"].get("referrerDomain") for e in firsts)
    assert {"google.com", "bing.com", "l.facebook.com", "shop.example", None} <= set(domains)
    campaigns = Counter(e["context"].get("utmCampaign") for e in firsts)
    assert {"winter_sale", "weekly_digest", "spring_drop"} <= set(campaigns)
    assert {e["context"]["language"] for e in firsts} >= {"de-DE", "en-US", "ja-JP"}

    kinds = Counter(e["type"] for e in events)
    assert set(kinds) == TYPES | CUSTOM
    assert kinds["video.play"] > kinds["signup"] > 0 and kinds["feature.used"] > 0
    for event in events:
        if event["type"] == "signup":
            assert event["metadata"]["plan"] in ("free", "plus", "pro")
        elif event["type"] == "video.play":
            assert set(event["metadata"]["video"]) == {"quality", "duration"}
        elif event["type"] == "feature.used":
            assert isinstance(event["metadata"]["feature"], str)
    events = [e for e in events if e["type"] in TYPES]
    assert 0.02 < kinds["checkout"] / len(sessions) < 0.16  # most visits never buy
    assert kinds["page_view"] > kinds["search"] > kinds["add_to_cart"] > kinds["checkout"]
    for event in events:
        page, metadata = event["page"], event["metadata"]
        if event["type"] == "search":
            assert page == "/search" and isinstance(metadata["query"], str)
        elif event["type"] == "checkout":
            assert page == "/checkout" and metadata["orderTotal"] > 0
        elif event["type"] in ("add_to_cart", "upsell"):
            assert page.startswith("/product/") and metadata["price"] > 0
            assert isinstance(metadata["productId"], int)
        else:
            assert page in ("/home", "/cart") or page.startswith("/product/")

    window_start = ANCHOR - timedelta(days=180)
    for doc in customers + sessions + events:
        for moment in datetimes(doc):
            assert moment.tzinfo is UTC and moment.microsecond % 1000 == 0
            assert window_start <= moment <= ANCHOR


def test_colliding_emails_are_made_unique():
    generator = seed._Generator(5, ANCHOR)
    emails = [generator._email("anna", "muller") for _ in range(400)]
    present = [email for email in emails if email is not None]
    assert len({email.casefold() for email in present}) == len(present)
    assert any(email.casefold() == "anna.muller@example.com" for email in present)
    assert any("+" in email for email in present)


async def test_load_stores_exactly_the_generated_documents(db):
    count, seed_value = 40, 4
    stats = await load(db, count, seed_value, ANCHOR, progress=False)
    customers, sessions, events = flatten(count, seed_value)
    assert isinstance(stats, SeedStats) and stats.seconds > 0
    assert (stats.customers, stats.sessions, stats.events) == (
        count,
        len(sessions),
        len(events),
    )

    stored_customers = await db["customers"].find().to_list()
    stored_sessions = await db["sessions"].find().to_list()
    stored_events = await db["events"].find().to_list()
    assert len(stored_customers) == stats.customers
    assert len(stored_sessions) == stats.sessions
    assert len(stored_events) == stats.events
    # Stored and read back unchanged: milliseconds only, UTC, nothing lost or added.
    assert by_id(stored_customers) == by_id(customers)
    assert by_id(stored_sessions) == by_id(sessions)
    assert by_id(stored_events) == by_id(events)

    # Every document is what the models would have stored themselves.
    models = ((Customer, stored_customers), (Session, stored_sessions), (Event, stored_events))
    for model, docs in models:
        for doc in docs:
            if model is Event:  # as ingestion stores it: context keys absent when unknown
                assert model.model_validate(doc).model_dump(by_alias=True) == doc
            else:
                assert get_dict(model.model_validate(doc), to_db=True) == doc
    for doc in stored_customers:
        customer = Customer.model_validate(doc)
        assert customer.email_key == doc["emailKey"]
        assert customer.search_terms == doc["searchTerms"]
        assert customer.sort_name == doc["sortName"]
        assert ObjectId(doc["_id"]).generation_time == doc["createdAt"].replace(microsecond=0)

    # The stored documents equal the generated ones (above), whose natural
    # order is time order; a server returns them in an order of its own.
    check_consistency(customers, sessions, events)
    assert any(c["email"] is None for c in stored_customers)  # some have no email


async def test_run_if_empty_does_not_duplicate(settings, db, capsys):
    assert await run(settings, customers=15, seed=2, if_empty=True) == 0
    assert "seeded 15 customers" in capsys.readouterr().out
    counts = [await db[name].count_documents({}) for name in ("customers", "sessions", "events")]
    assert counts[0] == 15 and counts[1] > 0 and counts[2] > counts[1]

    assert await run(settings, customers=15, seed=2, if_empty=True) == 0
    assert "already has customers" in capsys.readouterr().out
    again = [await db[name].count_documents({}) for name in ("customers", "sessions", "events")]
    assert again == counts

    # Without --if-empty the same data again is refused by the unique indexes, cleanly.
    assert await run(settings, customers=15, seed=2, if_empty=False) == 1
    assert "rejected" in capsys.readouterr().out
    assert await db["customers"].count_documents({}) == 15
