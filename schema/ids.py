"""Opaque global ids: base64 of "TypeName:databaseId", as Relay expects."""

from __future__ import annotations

from beanie import PydanticObjectId
from bson import ObjectId
from strawberry import relay

from api.core.errors import InputError


def object_id(argument: str, value: str) -> PydanticObjectId:
    if not ObjectId.is_valid(value):
        raise InputError(argument, f"{value!r} is not a valid id")
    return PydanticObjectId(value)


def parse_global_id(
    argument: str, value: str, expected: str | None = None
) -> tuple[str, PydanticObjectId]:
    try:
        global_id = relay.GlobalID.from_id(value)
    except relay.GlobalIDValueError:
        raise InputError(argument, f"{value!r} is not a valid id") from None
    if expected is not None and global_id.type_name != expected:
        raise InputError(argument, f"is a {global_id.type_name} id, expected a {expected} id")
    return global_id.type_name, object_id(argument, global_id.node_id)
