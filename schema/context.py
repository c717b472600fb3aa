"""Per-request context: the request and DataLoaders that batch lookups by id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from beanie import PydanticObjectId
from starlette.requests import Request
from starlette.responses import Response
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from api.customers.documents import Customer
from api.customers.service import customers_by_ids
from api.events.documents import Event
from api.events.service import events_by_ids
from api.sessions.documents import Session
from api.sessions.service import sessions_by_ids

T = TypeVar("T")


def _loader(
    fetch: Callable[[list[PydanticObjectId]], Awaitable[dict[PydanticObjectId, T]]],
) -> DataLoader[PydanticObjectId, T | None]:
    async def load(keys: Sequence[PydanticObjectId]) -> list[T | None]:
        found = await fetch(list(keys))
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    customer: DataLoader[PydanticObjectId, Customer | None] = field(
        default_factory=lambda: _loader(customers_by_ids)
    )
    session: DataLoader[PydanticObjectId, Session | None] = field(
        default_factory=lambda: _loader(sessions_by_ids)
    )
    event: DataLoader[PydanticObjectId, Event | None] = field(
        default_factory=lambda: _loader(events_by_ids)
    )


@dataclass
class Context:
    request: Request | None = None
    response: Response | None = None
    loaders: Loaders = field(default_factory=Loaders)


Info = StrawberryInfo[Context, Any]
