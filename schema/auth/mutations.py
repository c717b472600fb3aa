"""Root mutations of access: signing in and out, API keys and write keys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError

from api.auth import service
from api.auth.http import SESSION_COOKIE, clear_session_cookie, client_ip, set_session_cookie
from api.auth.roles import Kind, Permission, Role, staff
from api.core.errors import Code
from api.core.ids import key_id
from schema.auth.types import ApiKey, CreateApiKeyPayload, SignInPayload, WriteKey, me_of
from schema.authz import PUBLIC, Needs
from schema.context import Info

T = TypeVar("T")


def _coded(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def _found(found: T | None, argument: str, value: str) -> T:
    if found is None:
        raise _coded(f"{argument}: no such object {value!r}", Code.NOT_FOUND)
    return found


@strawberry.type
class AuthMutation:
    @strawberry.mutation(
        description="Sign in with email and password; sets an HttpOnly session cookie.",
        extensions=[Needs(PUBLIC)],
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
            raise _coded("wrong email or password", Code.UNAUTHENTICATED)
        if info.context.response is not None:
            set_session_cookie(
                info.context.response, signed_in.token, lifetime, settings.secure_cookies
            )
        user = signed_in.user
        me = me_of(staff(Kind.STAFF, user.email, user.role, str(user.id)))
        assert me is not None
        return SignInPayload(me=me, expires_at=signed_in.session.expires_at)

    @strawberry.mutation(
        description="End this browser's session and clear its cookie.",
        extensions=[Needs(PUBLIC)],
    )
    async def sign_out(self, info: Info) -> bool:
        request, response = info.context.request, info.context.response
        token = request.cookies.get(SESSION_COOKIE) if request is not None else None
        if token:
            await service.sign_out(token)
        if response is not None:
            clear_session_cookie(response, info.context.settings.secure_cookies)
        return bool(token)

    @strawberry.mutation(
        description="Make an API key; its secret is in the answer, once.",
        extensions=[Needs(Permission.ADMIN)],
    )
    async def create_api_key(self, info: Info, name: str, role: Role) -> CreateApiKeyPayload:
        key, secret = await service.create_api_key(name, Role(role), info.context.principal)
        return CreateApiKeyPayload(api_key=ApiKey.from_document(key), secret=secret)

    @strawberry.mutation(
        description="Revoke an API key: it stops working at once.",
        extensions=[Needs(Permission.ADMIN)],
    )
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKey:
        key = await service.revoke_api_key(key_id(id, "ApiKey"), info.context.principal)
        return ApiKey.from_document(_found(key, "id", id))

    @strawberry.mutation(
        description="Make a write key for a website's tracking snippet.",
        extensions=[Needs(Permission.ADMIN)],
    )
    async def create_write_key(self, info: Info, website: str) -> WriteKey:
        key = await service.create_write_key(website, info.context.principal)
        return WriteKey.from_document(key)

    @strawberry.mutation(
        description="Revoke a write key: the website's events are refused.",
        extensions=[Needs(Permission.ADMIN)],
    )
    async def revoke_write_key(self, info: Info, id: strawberry.ID) -> WriteKey:
        key = await service.revoke_write_key(key_id(id, "WriteKey"), info.context.principal)
        return WriteKey.from_document(_found(key, "id", id))
