"""Recognising MongoDB errors the code handles rather than reports."""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

DUPLICATE_KEY = 11000


def is_duplicate_key(error: PyMongoError) -> bool:
    """A unique index refused a write. MongoDB says so with code 11000; FerretDB
    on PostgreSQL reports some of these (in updates) as an internal error."""
    return isinstance(error, DuplicateKeyError) or (
        isinstance(error, OperationFailure) and "duplicate key" in str(error)
    )
