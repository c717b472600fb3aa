"""Node types backed by a document, and the root fields that fetch any of them.

Every ``DocumentNode`` type registers itself under its document class and its
name, so a document becomes its GraphQL type (``to_node``) and a global id
finds its type without any module importing the others."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, ClassVar, Self

import strawberry
from beanie import Document
from strawberry import relay

from api.auth.roles import Permission
from api.core.errors import InputError
from api.core.ids import object_id, parse_global_id
from schema.authz import Needs
from schema.context import Info

MAX_NODES = 100

_BY_DOCUMENT: dict[type[Document], type[DocumentNode]] = {}
_BY_NAME: dict[str, type[DocumentNode]] = {}


class DocumentNode:
    """Mixin for ``relay.Node`` types: ``resolve_nodes`` batches by id."""

    document: ClassVar[type[Document]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _BY_DOCUMENT[cls.document] = cls
        _BY_NAME[cls.__name__] = cls

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


def to_node(doc: Document) -> Any:
    """A document as the GraphQL type registered for its class."""
    return _BY_DOCUMENT[type(doc)].from_document(doc)


def node_type(
    argument: str, value: str, expected: str | None = None
) -> tuple[type[DocumentNode], str]:
    type_name, ident = parse_global_id(argument, value, expected)
    found = _BY_NAME.get(type_name)
    if found is None:
        raise InputError(argument, f"{value!r} is not a valid id")
    return found, str(ident)


async def _load(info: Info, kind: type[DocumentNode], ident: str) -> Any:
    found = await kind.resolve_nodes(info=info, node_ids=[ident])
    return found[0]


async def load_node(info: Info, argument: str, value: str, expected: str | None = None) -> Any:
    """The object of a global id, of the type ``expected`` when given; None when unknown."""
    return await _load(info, *node_type(argument, value, expected))


def by_id(kind: type[DocumentNode], description: str, extensions: list[Any]) -> Any:
    """A root field: the ``kind`` with this global id; null when unknown."""

    async def resolve(info: Info, id: strawberry.ID) -> Any:
        return await load_node(info, "id", id, kind.__name__)

    resolve.__annotations__["return"] = kind | None
    return strawberry.field(resolver=resolve, description=description, extensions=extensions)


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any object by its global id; null when it does not exist.",
        extensions=[Needs(Permission.READ)],
    )
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await load_node(info, "id", id)

    @strawberry.field(
        description=f"Objects by global ids, in order (at most {MAX_NODES}).",
        extensions=[Needs(Permission.READ)],
    )
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[relay.Node | None]:
        if len(ids) > MAX_NODES:
            raise InputError("ids", f"at most {MAX_NODES} ids, got {len(ids)}")
        # Parse every id before loading any, then load together so that the
        # DataLoaders batch them into one query per type.
        parsed = [node_type(f"ids[{index}]", value) for index, value in enumerate(ids)]
        return list(await asyncio.gather(*(_load(info, *pair) for pair in parsed)))
