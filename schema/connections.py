"""Relay connections backed by keyset pages (see ``api.db.pagination``).

Strawberry's ``ListConnection`` slices by offset, which costs more the deeper a
client pages; these types only present what ``paginate`` already fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from api.db.pagination import Page, Window

NodeT = TypeVar("NodeT")
DocT = TypeVar("DocT")


@strawberry.type(description="Where a page sits in its list (Relay cursor connections).")
class PageInfo:
    start_cursor: str | None
    end_cursor: str | None
    _page: strawberry.Private[Page[Any]]

    @strawberry.field(description="True when more items follow endCursor.")
    async def has_next_page(self) -> bool:
        return await self._page.has_next()

    @strawberry.field(description="True when items precede startCursor.")
    async def has_previous_page(self) -> bool:
        return await self._page.has_previous()


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Opaque; pass as after/before to continue.")
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    nodes: list[NodeT] = strawberry.field(description="The nodes of edges, without cursors.")
    page_info: PageInfo
    _page: strawberry.Private[Page[Any]]

    @strawberry.field(description="Items matching in the whole list; counted only when asked.")
    async def total_count(self) -> int:
        return await self._page.total()


def to_connection(page: Page[Any], convert: Callable[[Any], NodeT]) -> Connection[NodeT]:
    nodes = [convert(item) for item in page.items]
    return Connection(
        edges=[
            Edge(cursor=cursor, node=node) for cursor, node in zip(page.cursors, nodes, strict=True)
        ],
        nodes=nodes,
        page_info=PageInfo(
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
            _page=page,
        ),
        _page=page,
    )


def window(first: int | None, after: str | None, last: int | None, before: str | None) -> Window:
    return Window(first=first, after=after, last=last, before=before)
