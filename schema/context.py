"""Per-request context: the request and DataLoaders that batch lookups by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from beanie import Document, PydanticObjectId
from opentelemetry import trace
from starlette.requests import Request
from starlette.responses import Response
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from api.auth.roles import ANONYMOUS, Principal
from api.db.lookup import by_ids
from api.settings import Settings

D = TypeVar("D", bound=Document)
tracer = trace.get_tracer("tracking.dataloader")


async def _load(document: type[D], keys: Sequence[PydanticObjectId]) -> list[D | None]:
    name = f"dataloader {document.__name__}"
    with tracer.start_as_current_span(name, attributes={"dataloader.batch_size": len(keys)}):
        found = await by_ids(document, keys)
    return [found.get(key) for key in keys]


@dataclass
class Loaders:
    """One DataLoader per document type, made on first use in a request."""

    _loaders: dict[type[Document], DataLoader[PydanticObjectId, Any]] = field(default_factory=dict)

    def of(self, document: type[D]) -> DataLoader[PydanticObjectId, D | None]:
        if document not in self._loaders:
            self._loaders[document] = DataLoader(load_fn=partial(_load, document))
        return self._loaders[document]


@dataclass
class Context:
    settings: Settings
    request: Request | None = None
    response: Response | None = None
    loaders: Loaders = field(default_factory=Loaders)
    principal: Principal = ANONYMOUS


Info = StrawberryInfo[Context, Any]
