"""Opaque global ids: base64 of "TypeName:databaseId", as Relay expects."""

from __future__ import annotations

import base64
from typing import Any

from beanie import PydanticObjectId
from bson import ObjectId

from api.core.errors import InputError


def global_id(type_name: str, ident: Any) -> str:
    return base64.b64encode(f"{type_name}:{ident}".encode()).decode()


def object_id(argument: str, value: str) -> PydanticObjectId:
    if not ObjectId.is_valid(value):
        raise InputError(argument, f"{value!r} is not a valid id")
    return PydanticObjectId(value)


def _type_and_id(value: str) -> tuple[str, str] | None:
    try:
        parts = base64.b64decode(value.encode()).decode().split(":", 1)
    except ValueError:
        return None
    return (parts[0], parts[1]) if len(parts) == 2 else None


def parse_global_id(
    argument: str, value: str, expected: str | None = None
) -> tuple[str, PydanticObjectId]:
    found = _type_and_id(value)
    if found is None:
        raise InputError(argument, f"{value!r} is not a valid id")
    type_name, ident = found
    if expected is not None and type_name != expected:
        raise InputError(argument, f"is a {type_name} id, expected a {expected} id")
    return type_name, object_id(argument, ident)


def key_id(value: str, type_name: str) -> PydanticObjectId:
    """A key's global id, or its database id as the audit log shows it."""
    if ObjectId.is_valid(value):
        return PydanticObjectId(value)
    return parse_global_id("id", value, type_name)[1]
