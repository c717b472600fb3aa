"""Node types backed by a document, fetched through the request's DataLoaders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Self

from beanie import Document

from api.core.ids import object_id
from schema.context import Info


class DocumentNode:
    """Mixin for ``relay.Node`` types: ``resolve_nodes`` batches by id."""

    document: ClassVar[type[Document]]

    @classmethod
    def from_document(cls, doc: Any) -> Self:
        raise NotImplementedError

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        ids = [object_id("id", node_id) for node_id in node_ids]
        found = await info.context.loaders.of(cls.document).load_many(ids)
        return [cls.from_document(doc) if doc else None for doc in found]
