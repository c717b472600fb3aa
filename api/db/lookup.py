"""Documents by id, many at once: what the per-request DataLoaders call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from beanie import Document, PydanticObjectId

D = TypeVar("D", bound=Document)


async def by_ids(document: type[D], ids: Sequence[PydanticObjectId]) -> dict[PydanticObjectId, D]:
    # A single id is asked for as plain equality: MongoDB plans it like `$in`,
    # but FerretDB reads only that document instead of the whole collection.
    query: dict[str, Any] = {"_id": ids[0]} if len(ids) == 1 else {"_id": {"$in": list(ids)}}
    found = await document.find(query).to_list()
    return {doc.id: doc for doc in found if doc.id is not None}
