"""What incoming values are refused before anything is written, and how the
refusal reads: times out of range, text no database can keep, metadata values
BSON or FerretDB cannot store, an identify call's null name."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from api.analytics.service import ReportRange as Range
from api.core.errors import InputError
from api.core.hourkeys import hour_key, hour_start, hours_between
from api.core.strings import encodable, text_problem
from api.core.timerange import TimeRange, as_utc
from api.events.documents import check_incoming_metadata, check_metadata
from api.ingestion.models import parse_event, parse_identity
from api.settings import Settings

SETTINGS = Settings(mongodb_uri="mongodb://127.0.0.1:1/")
NOW = datetime(2026, 11, 29, 10, tzinfo=UTC)
EVENT = {"eventId": "e", "distinctId": "d", "type": "search", "page": "/", "timestamp": NOW}


def test_text_problems():
    assert text_problem("zoë 🙂 \uffff") is None
    assert text_problem("a\x00b") == "contains NUL"
    assert text_problem("a\ud800") == "is not valid Unicode (lone surrogate)"
    assert encodable("a\x00") == "a\x00"  # JSON escapes NUL: it can be echoed
    assert encodable("a\udfff") is None
    assert encodable(5) is None


def test_a_time_an_offset_moves_out_of_the_calendar_is_a_value_error():
    start = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    with pytest.raises(ValueError, match="outside the years 1 to 9999 in UTC"):
        as_utc(start)
    end = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-1)))
    with pytest.raises(InputError, match=r"^filter\.to: outside the years 1 to 9999 in UTC$"):
        TimeRange.of("filter", None, end)
    assert as_utc(datetime(1, 1, 1, 5, tzinfo=timezone(timedelta(hours=1)))).hour == 4


@pytest.mark.parametrize(
    "moment", [datetime(1, 1, 1, tzinfo=UTC), datetime(999, 5, 6, 7, tzinfo=UTC), NOW]
)
def test_hour_keys_read_back_in_every_year(moment):
    assert hour_start(hour_key(moment)) == moment
    assert len(hour_key(moment)) == len("2026-11-29T10")


def test_hours_between_keeps_its_zeros():
    assert hours_between(datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 1, 2, tzinfo=UTC)) == [
        "0001-01-01T00",
        "0001-01-01T01",
    ]


@pytest.mark.parametrize(
    "start,end",
    [
        (datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 2, tzinfo=UTC)),
        (datetime(1899, 12, 31, tzinfo=UTC), datetime(1900, 1, 2, tzinfo=UTC)),
        (datetime(8999, 12, 31, tzinfo=UTC), datetime(9000, 1, 1, 1, tzinfo=UTC)),
        (datetime(9999, 12, 30, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)),
    ],
)
def test_analytics_ranges_stay_inside_1900_to_9000(start, end):
    with pytest.raises(InputError, match=r"^range: must lie between 1900-01-01 and 9000-01-01$"):
        Range.of(start, end, 366)


def test_analytics_range_edges_are_allowed():
    Range.of(datetime(1900, 1, 1, tzinfo=UTC), datetime(1900, 1, 2, tzinfo=UTC), 366)
    Range.of(datetime(8999, 12, 31, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC), 366)


@pytest.mark.parametrize(
    "metadata,reason",
    [
        ({"price": 2**63}, "metadata.price: integer out of range (64 bits)"),
        ({"price": -(2**63) - 1}, "metadata.price: integer out of range (64 bits)"),
        ({"a": {"b\x00": 1}}, "metadata.a: a key contains NUL"),
        ({"\ud800": 1}, "metadata: a key is not valid Unicode (lone surrogate)"),
        ({"q": ["ok", "\udc00"]}, "metadata.q[1]: is not valid Unicode (lone surrogate)"),
        ({"q": "a\x00"}, "metadata.q: contains NUL"),
        ({"l": [1, [2]]}, "metadata.l[1]: lists directly inside lists are not supported"),
        ({"x": math.nan}, "metadata.x: not a finite number"),
        ({"x": [-math.inf]}, "metadata.x[0]: not a finite number"),
    ],
)
def test_metadata_a_server_cannot_store_is_refused(metadata, reason):
    with pytest.raises(ValueError) as refused:
        check_incoming_metadata(metadata, 8192, 5)
    assert str(refused.value) == reason
    assert parse_event({**EVENT, "metadata": metadata}, SETTINGS, NOW) == reason


def test_metadata_at_the_edges_is_kept():
    kept = {"big": 2**63 - 1, "small": -(2**63), "yes": True, "list": [{"in": [1]}], "f": 1e308}
    check_incoming_metadata(kept, 8192, 5)


def test_stored_metadata_is_read_back_as_it_is():
    # A list in a list, stored on MongoDB before they were refused, still loads.
    assert check_metadata({"l": [[1]], "s": "a\x00"}) == {"l": [[1]], "s": "a\x00"}


@pytest.mark.parametrize(
    "field,value,reason",
    [
        ("eventId", "\ud800", "eventId: is not valid Unicode (lone surrogate)"),
        ("distinctId", "a\x00", "distinctId: contains NUL"),
        ("sessionId", "t\x00", "sessionId: contains NUL"),
        ("page", "/\udfff", "page: is not valid Unicode (lone surrogate)"),
        ("device", "\x00", "device: contains NUL"),
        ("timestamp", "0001-01-01T00:00:00+01:00", "timestamp: outside the years 1 to 9999 in UTC"),
    ],
)
def test_event_fields_a_server_cannot_store_are_refused(field, value, reason):
    assert parse_event({**EVENT, field: value}, SETTINGS, NOW) == reason


def test_a_null_name_is_no_name():
    identity = parse_identity({"distinctId": "d", "name": None, "email": None})
    assert identity.changes() == {"email": None}


@pytest.mark.parametrize(
    "raw,reason",
    [
        ({"distinctId": "a\x00"}, "identify: distinctId: contains NUL"),
        (
            {"distinctId": "d", "name": "\ud800"},
            "identify: name: is not valid Unicode (lone surrogate)",
        ),
        ({"distinctId": "d", "email": "a\x00@example.com"}, "identify: email: contains NUL"),
        ({"distinctId": "d", "country": "D\x00"}, "identify: country: contains NUL"),
    ],
)
def test_identify_fields_a_server_cannot_store_are_refused(raw, reason):
    with pytest.raises(InputError) as refused:
        parse_identity(raw)
    assert str(refused.value) == reason
