"""Root Query fields of access: who am I, API keys, write keys and the audit log."""

from __future__ import annotations

import strawberry

from api.auth import audit, service
from api.auth.roles import Permission
from api.db.pagination import Window
from schema.auth.types import ApiKey, AuditEntry, Me, WriteKey, me_of
from schema.authz import PUBLIC, Needs
from schema.connections import Connection, paged_forward, to_connection
from schema.context import Info


@strawberry.type
class AuthQuery:
    @strawberry.field(
        description="Who is asking; null when not signed in.", extensions=[Needs(PUBLIC)]
    )
    def me(self, info: Info) -> Me | None:
        return me_of(info.context.principal)

    @strawberry.field(
        description="API keys, newest first (admin).", extensions=[Needs(Permission.ADMIN)]
    )
    @paged_forward
    async def api_keys(self, window: Window) -> Connection[ApiKey]:
        page = await service.api_keys(window)
        return to_connection(page, ApiKey.from_document)

    @strawberry.field(
        description="Websites' write keys, newest first (admin).",
        extensions=[Needs(Permission.ADMIN)],
    )
    @paged_forward
    async def write_keys(self, window: Window) -> Connection[WriteKey]:
        page = await service.write_keys(window)
        return to_connection(page, WriteKey.from_document)

    @strawberry.field(
        description="The audit log, newest first; action filters (admin).",
        extensions=[Needs(Permission.ADMIN)],
    )
    @paged_forward
    async def audit_log(
        self, action: str | None = None, *, window: Window
    ) -> Connection[AuditEntry]:
        page = await audit.entries(window, action)
        return to_connection(page, AuditEntry.from_document)
