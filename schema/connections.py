"""Relay connections backed by keyset pages (see ``api.db.pagination``).

Strawberry's ``ListConnection`` slices by offset, which costs more the deeper a
client pages; these types only present what ``paginate`` already fetched.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from api.db.pagination import Page, Window
from schema.authz import PUBLIC, needs, needs_what

NodeT = TypeVar("NodeT")
R = TypeVar("R")
Resolver = Callable[..., Awaitable[R]]


@needs(PUBLIC)  # only under a connection field, which was checked
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


@needs_what("node")
@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Opaque; pass as after/before to continue.")
    node: NodeT


@needs_what("nodes")
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


_ARGUMENTS = {"first": int | None, "after": str | None, "last": int | None, "before": str | None}


def _paging(names: tuple[str, ...]) -> Callable[[Resolver[R]], Resolver[R]]:
    def decorate(resolver: Resolver[R]) -> Resolver[R]:
        signature = inspect.signature(resolver)
        parameters = list(signature.parameters.values())
        at = [parameter.name for parameter in parameters].index("window")
        keyword = inspect.Parameter.KEYWORD_ONLY
        # Strawberry reads the arguments off this signature, in this order.
        signature = signature.replace(
            parameters=[
                *parameters[:at],
                *(
                    inspect.Parameter(name, keyword, default=None, annotation=_ARGUMENTS[name])
                    for name in names
                ),
                *(parameter.replace(kind=keyword) for parameter in parameters[at + 1 :]),
            ]
        )

        @functools.wraps(resolver)
        async def paged(*args: Any, **kwargs: Any) -> R:
            given = {name: kwargs.pop(name, None) for name in names}
            return await resolver(*args, window=Window(**given), **kwargs)

        paged.__signature__ = signature  # type: ignore[attr-defined]
        paged.__annotations__ = {
            parameter.name: parameter.annotation
            for parameter in signature.parameters.values()
            if parameter.annotation is not inspect.Parameter.empty
        } | {"return": signature.return_annotation}
        return paged

    return decorate


# A resolver's ``window: Window`` parameter becomes Relay's paging arguments,
# in its place: first, after, last, before (or first and after only).
paged = _paging(("first", "after", "last", "before"))
paged_forward = _paging(("first", "after"))
