"""Who is asking, and what each kind of caller may do.

Staff roles nest: an analyst can do what a viewer can, an admin what an
analyst can. A website's write key is not a role of staff: it may only send
events, never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"  # customers, sessions, events, analytics
    RAW_EVENTS = "raw_events"  # event queries across customers, GraphiQL
    INGEST = "ingest"  # trackEvents, identifyCustomer, POST /v1/track
    ADMIN = "admin"  # erasure, keys, audit log


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.ANALYST: frozenset({Permission.READ, Permission.RAW_EVENTS}),
    Role.ADMIN: frozenset(Permission),
}
WEBSITE_PERMISSIONS = frozenset({Permission.INGEST})


class Kind(StrEnum):
    ANONYMOUS = "anonymous"
    STAFF = "staff"  # signed in from the SPA (session cookie)
    API_KEY = "api_key"
    TOKEN = "token"  # noqa: S105  # a bearer JWT from the configured identity provider
    WEBSITE = "website"  # an ingestion write key


@dataclass(frozen=True)
class Principal:
    kind: Kind
    # Who, for audit entries and rate limits: a staff email, a key's id, a
    # token's subject; empty when anonymous.
    subject: str = ""
    role: Role | None = None
    permissions: frozenset[Permission] = frozenset()
    # A staff user's id, to list or revoke their own sessions.
    user_id: str | None = None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def authenticated(self) -> bool:
        return self.kind != Kind.ANONYMOUS

    @property
    def label(self) -> str:
        return f"{self.kind.value}:{self.subject}" if self.subject else self.kind.value


ANONYMOUS = Principal(kind=Kind.ANONYMOUS)


def staff(kind: Kind, subject: str, role: Role, user_id: str | None = None) -> Principal:
    return Principal(
        kind=kind, subject=subject, role=role, permissions=ROLE_PERMISSIONS[role], user_id=user_id
    )


def website(key_id: str) -> Principal:
    return Principal(kind=Kind.WEBSITE, subject=key_id, permissions=WEBSITE_PERMISSIONS)
