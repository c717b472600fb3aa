"""Staff accounts, their sign-in sessions, API keys and websites' write keys.

Secrets that grant reading (session tokens, API keys) are stored only as
SHA-256 digests: they are long random strings, so a fast hash is enough and a
stolen database does not yield a usable credential. Passwords, which people
choose, are hashed with argon2 (api.auth.secrets). Write keys are stored in
clear: they are embedded in public web pages by design and grant only sending
events, and admins need to copy them again into a site.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from api.auth.roles import Role
from api.customers.documents import now


class StaffUser(Document):
    email: str = Field(min_length=3, max_length=254)  # casefolded
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(alias="passwordHash")
    role: Role
    disabled: bool = False
    created_at: datetime = Field(alias="createdAt", default_factory=now)
    last_sign_in_at: datetime | None = Field(alias="lastSignInAt", default=None)

    class Settings:
        name = "staff_users"
        indexes = [IndexModel([("email", ASCENDING)], name="email_unique", unique=True)]


class StaffSession(Document):
    # The user's email and role are copied here so that checking a request
    # costs one read; changing a role or disabling a user updates these.
    token_hash: str = Field(alias="tokenHash")
    user_id: PydanticObjectId = Field(alias="userId")
    email: str
    role: Role
    created_at: datetime = Field(alias="createdAt", default_factory=now)
    expires_at: datetime = Field(alias="expiresAt")
    revoked_at: datetime | None = Field(alias="revokedAt", default=None)

    class Settings:
        name = "staff_sessions"
        indexes = [
            IndexModel([("tokenHash", ASCENDING)], name="tokenHash_unique", unique=True),
            IndexModel([("userId", ASCENDING)], name="userId"),
            IndexModel([("expiresAt", ASCENDING)], name="expiresAt"),
        ]


class ApiKey(Document):
    name: str = Field(min_length=1, max_length=100)
    role: Role
    key_hash: str = Field(alias="keyHash")
    # The first characters of the key, to recognise it in a list.
    prefix: str
    created_at: datetime = Field(alias="createdAt", default_factory=now)
    created_by: str = Field(alias="createdBy")
    revoked_at: datetime | None = Field(alias="revokedAt", default=None)
    last_used_at: datetime | None = Field(alias="lastUsedAt", default=None)

    class Settings:
        name = "api_keys"
        indexes = [
            IndexModel([("keyHash", ASCENDING)], name="keyHash_unique", unique=True),
            IndexModel([("createdAt", DESCENDING), ("_id", DESCENDING)], name="createdAt_id"),
        ]


class WriteKey(Document):
    website: str = Field(min_length=1, max_length=200)
    key: str
    created_at: datetime = Field(alias="createdAt", default_factory=now)
    created_by: str = Field(alias="createdBy")
    revoked_at: datetime | None = Field(alias="revokedAt", default=None)
    last_used_at: datetime | None = Field(alias="lastUsedAt", default=None)

    class Settings:
        name = "write_keys"
        indexes = [
            IndexModel([("key", ASCENDING)], name="key_unique", unique=True),
            IndexModel([("createdAt", DESCENDING), ("_id", DESCENDING)], name="createdAt_id"),
        ]


class AuditEntry(Document):
    at: datetime = Field(default_factory=now)
    actor: str  # Principal.label: who did it
    action: str  # e.g. customer.erase, apiKey.create
    target: str  # what it was done to
    details: dict[str, Any] = Field(default_factory=dict)

    class Settings:
        name = "audit_log"
        indexes = [IndexModel([("at", DESCENDING), ("_id", DESCENDING)], name="at_id")]


AUTH_DOCUMENTS: list[type[Document]] = [StaffUser, StaffSession, ApiKey, WriteKey, AuditEntry]
