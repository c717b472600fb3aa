"""Documents by id, many at once: what the per-request DataLoaders call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from beanie import Document, PydanticObjectId

D = TypeVar("D", bound=Document)


async def by_ids(document: type[D], ids: Sequence[PydanticObjectId]) -> dict[PydanticObjectId, D]:
    found = await document.find({"_id": {"$in": list(ids)}}).to_list()
    return {doc.id: doc for doc in found if doc.id is not None}
