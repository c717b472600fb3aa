"""Root Query fields of the sessions domain."""

from __future__ import annotations

import strawberry

from api.auth.roles import Permission
from schema.authz import Needs
from schema.nodes import by_id
from schema.sessions.types import Session


@strawberry.type
class SessionQuery:
    session = by_id(
        Session, "A session by global id; null when unknown.", extensions=[Needs(Permission.READ)]
    )
