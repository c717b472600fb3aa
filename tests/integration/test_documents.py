import pytest
from pydantic import ValidationError
from pymongo.errors import DuplicateKeyError

from api.customers.documents import Customer, email_key
from api.db.client import DOCUMENT_MODELS, ensure_indexes
from api.events.documents import Event, check_metadata


async def test_declared_indexes_exist_and_creation_is_idempotent(db):
    for model in DOCUMENT_MODELS:
        names = {
            index["name"] async for index in await db[model.get_collection_name()].list_indexes()
        }
        assert {index.document["name"] for index in model.Settings.indexes} <= names
    assert await ensure_indexes(db) == []


async def test_unique_distinct_id_and_email_but_many_without_email(db):
    await Customer(distinctId="a", name="A").insert()
    await Customer(distinctId="b", name="B").insert()  # a second customer without email
    await Customer(distinctId="c", name="C", email="x@example.com").insert()
    with pytest.raises(DuplicateKeyError):
        await Customer(distinctId="d", name="D", email="X@Example.com").insert()
    with pytest.raises(DuplicateKeyError):
        await Customer(distinctId="a", name="Again").insert()


async def test_customer_validates_country_language_and_email(db):
    customer = Customer(
        distinctId="d1", name="Ann", email="Ann@Example.com", country="de", language="pt-br"
    )
    assert customer.country == "DE"
    assert customer.language == "pt-BR"
    assert customer.email_key == "email:ann@example.com"
    assert customer.last_seen_at >= customer.created_at
    for bad in ({"country": "XX"}, {"language": "not a tag"}, {"email": "nope"}, {"name": ""}):
        with pytest.raises(ValidationError):
            Customer(**{"distinctId": "d1", "name": "Ann", **bad})


def test_email_key_is_unique_per_customer_without_email():
    assert email_key(None, "a") != email_key(None, "b")
    assert email_key(None, "x@y.z") != email_key("x@y.z", "other")


@pytest.mark.parametrize(
    "metadata,fragment",
    [
        ({"$where": 1}, "starts with \\$"),
        ({"a.b": 1}, "has a dot"),
        ({"ok": {"$gt": 1}}, "starts with \\$"),
        ({"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}, "deeper"),
        ({"blob": "x" * 9000}, "bytes"),
    ],
)
def test_metadata_rules(metadata, fragment):
    # The limits ingestion applies by default: 8 KiB, 5 levels.
    with pytest.raises(ValueError, match=fragment):
        check_metadata(metadata, max_bytes=8192, max_depth=5)


def test_metadata_absolute_caps():
    check_metadata({"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}})  # 6 levels: within the cap
    with pytest.raises(ValueError, match="bytes"):
        check_metadata({"blob": "x" * 70_000})


async def test_event_name_must_be_a_name(db):
    """Any name of a-z 0-9 _ . : - (1-100 characters) is an event's name; nothing else."""
    from bson import ObjectId

    def event(name: str) -> Event:
        return Event(
            sessionId=ObjectId(),
            customerId=ObjectId(),
            type=name,
            page="/",
            timestamp="2026-01-01T00:00:00Z",
        )

    assert event("video.play").type == "video.play"
    for bad in ("Click", "two words", "", "x" * 101):
        with pytest.raises(ValidationError):
            event(bad)
