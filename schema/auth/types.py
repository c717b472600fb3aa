"""Signing in and out, who am I, API keys, write keys and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from api.auth.documents import ApiKey as ApiKeyDocument
from api.auth.documents import AuditEntry as AuditEntryDocument
from api.auth.documents import WriteKey as WriteKeyDocument
from api.auth.roles import Permission, Principal, Role
from api.core.ids import global_id
from schema.authz import PUBLIC, needs

# Registers the domain enum itself, so fields are annotated with Role.
strawberry.enum(Role, name="Role", description="What a staff member may do.")


@needs(PUBLIC)
@strawberry.type(description="Who is asking: a signed-in staff member, an API key or a token.")
class Me:
    subject: str = strawberry.field(description="An email, or an API key's id.")
    role: Role | None
    kind: str = strawberry.field(description="staff, api_key, token or website.")
    permissions: list[str]


def me_of(principal: Principal) -> Me | None:
    if not principal.authenticated:
        return None
    return Me(
        subject=principal.subject,
        role=principal.role,
        kind=principal.kind.value,
        permissions=sorted(permission.value for permission in principal.permissions),
    )


@needs(PUBLIC)
@strawberry.type
class SignInPayload:
    me: Me
    expires_at: datetime


@needs(Permission.ADMIN)
@strawberry.type(description="A key for programmatic read access; the secret is shown once.")
class ApiKey:
    id: strawberry.ID
    name: str
    role: Role
    prefix: str = strawberry.field(description="The secret's first characters, to recognise it.")
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    last_used_at: datetime | None = strawberry.field(description="To the minute.")

    @classmethod
    def from_document(cls, doc: ApiKeyDocument) -> ApiKey:
        return cls(
            id=strawberry.ID(global_id("ApiKey", doc.id)),
            name=doc.name,
            role=doc.role,
            prefix=doc.prefix,
            created_at=doc.created_at,
            created_by=doc.created_by,
            revoked_at=doc.revoked_at,
            last_used_at=doc.last_used_at,
        )


@needs(Permission.ADMIN)
@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKey
    secret: str = strawberry.field(description="Shown this once; only its digest is stored.")


@needs(Permission.ADMIN)
@strawberry.type(
    description=(
        "A website's key for sending events. It is public (it goes into the page) and "
        "can only send events, never read."
    )
)
class WriteKey:
    id: strawberry.ID
    website: str
    key: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def from_document(cls, doc: WriteKeyDocument) -> WriteKey:
        return cls(
            id=strawberry.ID(global_id("WriteKey", doc.id)),
            website=doc.website,
            key=doc.key,
            created_at=doc.created_at,
            created_by=doc.created_by,
            revoked_at=doc.revoked_at,
            last_used_at=doc.last_used_at,
        )


@needs(Permission.ADMIN)
@strawberry.type(description="Who changed access or erased data, and when.")
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str
    details: JSON

    @classmethod
    def from_document(cls, doc: AuditEntryDocument) -> AuditEntry:
        return cls(
            at=doc.at,
            actor=doc.actor,
            action=doc.action,
            target=doc.target,
            details=cast(JSON, doc.details),
        )
