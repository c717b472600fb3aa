import base64
import json

import pytest
from beanie import PydanticObjectId

from api.core.errors import InputError
from api.db.pagination import Ordering, decode_cursor, fingerprint

BY_DATE = Ordering(field="createdAt", attr="created_at", kind="date", descending=True)


def raw_cursor(*parts):
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode()


def test_round_trip_of_a_date_cursor():
    stamp = fingerprint("customers", BY_DATE, {})
    ident = str(PydanticObjectId())
    value, decoded = decode_cursor("after", raw_cursor(stamp, 1767225600123, ident), stamp, BY_DATE)
    assert value.isoformat() == "2026-01-01T00:00:00.123000+00:00"
    assert str(decoded) == ident


def test_fingerprint_depends_on_scope_order_and_filter():
    base = fingerprint("customers", BY_DATE, {})
    assert base != fingerprint("sessions", BY_DATE, {})
    assert base != fingerprint("customers", BY_DATE, {"country": "DE"})
    flipped = Ordering(field="createdAt", attr="created_at", kind="date", descending=False)
    assert base != fingerprint("customers", flipped, {})


@pytest.mark.parametrize(
    "key",
    [{"$gt": ""}, "2026-01-01", True, None, [1]],
)
def test_operator_or_wrong_type_in_cursor_is_refused(key):
    stamp = fingerprint("customers", BY_DATE, {})
    with pytest.raises(InputError, match="not a valid cursor"):
        decode_cursor("after", raw_cursor(stamp, key, str(PydanticObjectId())), stamp, BY_DATE)


def test_bad_id_in_cursor_is_refused():
    stamp = fingerprint("customers", BY_DATE, {})
    with pytest.raises(InputError, match="not a valid cursor"):
        decode_cursor("before", raw_cursor(stamp, 1, {"$ne": None}), stamp, BY_DATE)
