"""Root Query fields of the sessions domain."""

from __future__ import annotations

import strawberry

from api.auth.roles import Permission
from schema.authz import Needs
from schema.context import Info
from schema.nodes import load_node
from schema.sessions.types import Session


@strawberry.type
class SessionQuery:
    @strawberry.field(
        description="A session by global id; null when unknown.",
        extensions=[Needs(Permission.READ)],
    )
    async def session(self, info: Info, id: strawberry.ID) -> Session | None:
        return await load_node(info, "id", id, "Session")
