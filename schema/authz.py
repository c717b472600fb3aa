"""Authorisation of every field, from one table.

Each object type has a permission its fields need; the root types and a few
fields that cross from one domain into another name theirs field by field.
The ``Authorization`` extension checks the table before any resolver runs, so
a resolver cannot forget to. A type missing from the table is refused (fail
closed), and tests/integration/test_authorization.py walks the whole schema to
prove every field is covered and enforced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from api.auth.roles import Permission, Principal
from schema.errors import may_learn_schema

log = logging.getLogger("api.graphql")

# No check: fields reached only through a field that was checked already, or
# meant for everyone (signing in, asking who one is).
PUBLIC = None

READ = Permission.READ
RAW = Permission.RAW_EVENTS
INGEST = Permission.INGEST
ADMIN = Permission.ADMIN

ROOT_FIELDS: dict[str, dict[str, Permission | None]] = {
    "Query": {
        "me": PUBLIC,
        "node": READ,
        "nodes": READ,
        "customers": READ,
        "customer": READ,
        "customerByDistinctId": READ,
        "session": READ,
        "event": READ,
        "analytics": READ,
        "events": RAW,
        "apiKeys": ADMIN,
        "writeKeys": ADMIN,
        "auditLog": ADMIN,
    },
    "Mutation": {
        "signIn": PUBLIC,
        "signOut": PUBLIC,
        "trackEvents": INGEST,
        "identifyCustomer": INGEST,
        "eraseCustomer": ADMIN,
        "createApiKey": ADMIN,
        "revokeApiKey": ADMIN,
        "createWriteKey": ADMIN,
        "revokeWriteKey": ADMIN,
    },
}

# Fields that need another permission than their type's.
FIELD_OVERRIDES: dict[tuple[str, str], Permission | None] = {
    # A write key may record an identity, not read the customer back.
    ("IdentifyCustomerPayload", "customer"): READ,
}

TYPE_PERMISSIONS: dict[str, Permission | None] = {
    # Customer data.
    **dict.fromkeys(
        [
            "Customer", "CustomerConnection", "CustomerEdge",
            "Session", "SessionConnection", "SessionEdge",
            "Event", "EventConnection", "EventEdge",
            "Analytics", "Breakdown", "CustomerComparison", "EventTypeStats", "FunnelStep",
            "PageComparison", "PageStats", "TimeSeriesPoint", "TypeComparison",
        ],
        READ,
    ),
    # Ingestion answers: counts and ids the sender itself sent.
    **dict.fromkeys(
        ["TrackEventsPayload", "TrackEventResult", "IdentifyCustomerPayload"], INGEST
    ),
    # Administration.
    **dict.fromkeys(
        [
            "ApiKey", "ApiKeyConnection", "ApiKeyEdge", "CreateApiKeyPayload",
            "WriteKey", "WriteKeyConnection", "WriteKeyEdge",
            "AuditEntry", "AuditEntryConnection", "AuditEntryEdge",
            "EraseCustomerPayload",
        ],
        ADMIN,
    ),
    # One's own identity.
    "Me": PUBLIC,
    "SignInPayload": PUBLIC,
    # Only under a connection field, which was checked.
    "PageInfo": PUBLIC,
}  # fmt: skip


INTROSPECTION = {"__schema", "__type"}


class UnknownFieldError(LookupError):
    pass


def required(type_name: str, field_name: str) -> Permission | None:
    """The permission a field needs; UnknownFieldError when the table lacks it."""
    if type_name in ROOT_FIELDS:
        fields = ROOT_FIELDS[type_name]
        if field_name not in fields:
            raise UnknownFieldError(f"{type_name}.{field_name}")
        return fields[field_name]
    if (type_name, field_name) in FIELD_OVERRIDES:
        return FIELD_OVERRIDES[(type_name, field_name)]
    if type_name not in TYPE_PERMISSIONS:
        raise UnknownFieldError(type_name)
    return TYPE_PERMISSIONS[type_name]


def refusal(principal: Principal, needed: Permission, where: str) -> GraphQLError:
    if not principal.authenticated:
        return GraphQLError(
            f"{where}: sign in or send an API key", extensions={"code": "UNAUTHENTICATED"}
        )
    return GraphQLError(
        f"{where}: needs the {needed.value} permission, which {principal.kind.value} "
        f"{principal.role.value if principal.role else 'credentials'} do not have",
        extensions={"code": "FORBIDDEN", "permission": needed.value},
    )


def check(principal: Principal, type_name: str, field_name: str) -> GraphQLError | None:
    try:
        needed = required(type_name, field_name)
    except UnknownFieldError:
        log.error("no permission declared for %s.%s: refused", type_name, field_name)
        return GraphQLError(
            f"{type_name}.{field_name}: not available", extensions={"code": "FORBIDDEN"}
        )
    if needed is None or principal.can(needed):
        return None
    return refusal(principal, needed, f"{type_name}.{field_name}")


class Authorization(SchemaExtension):
    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        name = info.field_name
        if name in INTROSPECTION and not may_learn_schema(info.context):
            # The rule that also withholds "Did you mean" suggestions: whoever
            # may not read the schema one way may not read it the other.
            reason = (
                "introspection needs a staff credential"
                if info.context.settings.introspection_enabled
                else "introspection is turned off here"
            )
            raise GraphQLError(reason, extensions={"code": "FORBIDDEN"})
        # __typename anywhere, and the fields of the introspection types.
        if not name.startswith("__") and not info.parent_type.name.startswith("__"):
            error = check(info.context.principal, info.parent_type.name, name)
            if error is not None:
                raise error
        return _next(root, info, *args, **kwargs)
