"""Signing in and out, who am I, API keys, write keys and the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON

from api.auth import audit, service
from api.auth.documents import ApiKey as ApiKeyDocument
from api.auth.documents import AuditEntry as AuditEntryDocument
from api.auth.documents import WriteKey as WriteKeyDocument
from api.auth.http import SESSION_COOKIE, clear_session_cookie, client_ip, set_session_cookie
from api.auth.roles import Kind, Principal, Role, staff
from api.core.ids import global_id, key_id
from schema.connections import Connection, to_connection, window
from schema.context import Info

# Registers the domain enum itself, so fields are annotated with Role.
strawberry.enum(Role, name="Role", description="What a staff member may do.")


@strawberry.type(description="Who is asking: a signed-in staff member, an API key or a token.")
class Me:
    subject: str = strawberry.field(description="An email, or an API key's id.")
    role: Role | None
    kind: str = strawberry.field(description="staff, api_key, token or website.")
    permissions: list[str]


def _me(principal: Principal) -> Me | None:
    if not principal.authenticated:
        return None
    return Me(
        subject=principal.subject,
        role=principal.role,
        kind=principal.kind.value,
        permissions=sorted(permission.value for permission in principal.permissions),
    )


@strawberry.type
class SignInPayload:
    me: Me
    expires_at: datetime


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


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKey
    secret: str = strawberry.field(description="Shown this once; only its digest is stored.")


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


@strawberry.type
class AuthQuery:
    @strawberry.field(description="Who is asking; null when not signed in.")
    def me(self, info: Info) -> Me | None:
        return _me(info.context.principal)

    @strawberry.field(description="API keys, newest first (admin).")
    async def api_keys(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[ApiKey]:
        page = await service.api_keys(window(first, after, None, None))
        return to_connection(page, ApiKey.from_document)

    @strawberry.field(description="Websites' write keys, newest first (admin).")
    async def write_keys(
        self, first: int | None = None, after: str | None = None
    ) -> Connection[WriteKey]:
        page = await service.write_keys(window(first, after, None, None))
        return to_connection(page, WriteKey.from_document)

    @strawberry.field(description="The audit log, newest first; action filters (admin).")
    async def audit_log(
        self, action: str | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEntry]:
        page = await audit.entries(window(first, after, None, None), action)
        return to_connection(page, AuditEntry.from_document)


def _coded(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def _not_found(argument: str, value: str) -> GraphQLError:
    return _coded(f"{argument}: no such object {value!r}", "NOT_FOUND")


@strawberry.type
class AuthMutation:
    @strawberry.mutation(
        description="Sign in with email and password; sets an HttpOnly session cookie."
    )
    async def sign_in(self, info: Info, email: str, password: str) -> SignInPayload:
        settings, request = info.context.settings, info.context.request
        limits = service.SignInLimits(
            per_client_account=settings.rate_limit_sign_in,
            per_client=settings.rate_limit_sign_in_per_ip,
            failure_seconds=settings.sign_in_failure_ms / 1000,
        )
        client = client_ip(request, settings) if request is not None else ""
        lifetime = timedelta(hours=settings.session_hours)
        signed_in = await service.sign_in(email, password, lifetime, client, limits)
        if signed_in is None:
            raise _coded("wrong email or password", "UNAUTHENTICATED")
        if info.context.response is not None:
            set_session_cookie(
                info.context.response, signed_in.token, lifetime, settings.secure_cookies
            )
        user = signed_in.user
        me = _me(staff(Kind.STAFF, user.email, user.role, str(user.id)))
        assert me is not None
        return SignInPayload(me=me, expires_at=signed_in.session.expires_at)

    @strawberry.mutation(description="End this browser's session and clear its cookie.")
    async def sign_out(self, info: Info) -> bool:
        request, response = info.context.request, info.context.response
        token = request.cookies.get(SESSION_COOKIE) if request is not None else None
        if token:
            await service.sign_out(token)
        if response is not None:
            clear_session_cookie(response, info.context.settings.secure_cookies)
        return bool(token)

    @strawberry.mutation(description="Make an API key; its secret is in the answer, once.")
    async def create_api_key(self, info: Info, name: str, role: Role) -> CreateApiKeyPayload:
        key, secret = await service.create_api_key(name, Role(role), info.context.principal)
        return CreateApiKeyPayload(api_key=ApiKey.from_document(key), secret=secret)

    @strawberry.mutation(description="Revoke an API key: it stops working at once.")
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKey:
        key = await service.revoke_api_key(key_id(id, "ApiKey"), info.context.principal)
        if key is None:
            raise _not_found("id", id)
        return ApiKey.from_document(key)

    @strawberry.mutation(description="Make a write key for a website's tracking snippet.")
    async def create_write_key(self, info: Info, website: str) -> WriteKey:
        key = await service.create_write_key(website, info.context.principal)
        return WriteKey.from_document(key)

    @strawberry.mutation(description="Revoke a write key: the website's events are refused.")
    async def revoke_write_key(self, info: Info, id: strawberry.ID) -> WriteKey:
        key = await service.revoke_write_key(key_id(id, "WriteKey"), info.context.principal)
        if key is None:
            raise _not_found("id", id)
        return WriteKey.from_document(key)
