"""Authorisation of every field, from the permissions written on the fields.

A root field names its permission with ``Needs``; an object type names one for
all its fields with ``@needs``, and a field of it may name another with
``Needs``. The ``Authorization`` extension checks that before any resolver
runs, so a resolver cannot forget to. A field with no permission declared is
refused (fail closed), and tests/integration/test_authorization.py walks the
whole schema to prove every field is covered and enforced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from graphql import GraphQLError, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema
from graphql import get_named_type as named
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.types.field import StrawberryField

from api.auth.roles import Permission, Principal
from api.core.errors import Code
from schema.errors import may_learn_schema

log = logging.getLogger("api.graphql")

# No check: fields reached only through a field that was checked already, or
# meant for everyone (signing in, asking who one is).
PUBLIC = None

T = TypeVar("T", bound=type)
DEFINITION = "strawberry-definition"


class Needs(FieldExtension):
    """The permission one field needs: ``strawberry.field(extensions=[Needs(Permission.READ)])``.

    Only a declaration: it takes no part in resolving (it implements no
    ``resolve``); ``Authorization`` reads it off the field."""

    def __init__(self, permission: Permission | None) -> None:
        self.permission = permission


@dataclass(frozen=True)
class _Like:
    """A generic type (a connection, an edge) needs what its field's type needs."""

    field: str


def needs(permission: Permission | None) -> Callable[[T], T]:
    """On an object type: the permission each of its fields needs, unless the
    field names another with ``Needs``."""

    def declare(cls: T) -> T:
        cls.__needs__ = permission  # type: ignore[attr-defined]
        return cls

    return declare


def needs_what(field: str) -> Callable[[T], T]:
    """On a generic type: needs what the type of ``field`` needs (the nodes a
    connection holds)."""

    def declare(cls: T) -> T:
        cls.__needs__ = _Like(field)  # type: ignore[attr-defined]
        return cls

    return declare


class UnknownFieldError(LookupError):
    pass


_MISSING = object()


def _field_needs(kind: GraphQLObjectType, name: str) -> Any:
    definition = kind.fields[name].extensions.get(DEFINITION)
    if isinstance(definition, StrawberryField):
        for extension in definition.extensions:
            if isinstance(extension, Needs):
                return extension.permission
    return _MISSING


def _type_needs(kind: GraphQLObjectType) -> Any:
    definition = kind.extensions.get(DEFINITION)
    declared = getattr(getattr(definition, "origin", None), "__needs__", _MISSING)
    if isinstance(declared, _Like):
        held = named(kind.fields[declared.field].type)
        return _type_needs(held) if isinstance(held, GraphQLObjectType) else _MISSING
    return declared


@dataclass(frozen=True)
class Table:
    """Who may call what, read off a built schema."""

    root_fields: dict[str, dict[str, Permission | None]]
    types: dict[str, Permission | None]
    fields: dict[tuple[str, str], Permission | None]

    @classmethod
    def of(cls, schema: GraphQLSchema) -> Table:
        roots = {kind.name for kind in (schema.query_type, schema.mutation_type) if kind}
        root_fields: dict[str, dict[str, Permission | None]] = {root: {} for root in roots}
        types: dict[str, Permission | None] = {}
        fields: dict[tuple[str, str], Permission | None] = {}
        for name, kind in schema.type_map.items():
            if not isinstance(kind, GraphQLObjectType) or name.startswith("__"):
                continue
            if name not in roots and (declared := _type_needs(kind)) is not _MISSING:
                types[name] = declared
            for field in kind.fields:
                if (permission := _field_needs(kind, field)) is _MISSING:
                    continue
                if name in roots:
                    root_fields[name][field] = permission
                else:
                    fields[(name, field)] = permission
        return cls(root_fields, types, fields)

    def required(self, type_name: str, field_name: str) -> Permission | None:
        """The permission a field needs; UnknownFieldError when none is declared."""
        if type_name in self.root_fields:
            fields = self.root_fields[type_name]
            if field_name not in fields:
                raise UnknownFieldError(f"{type_name}.{field_name}")
            return fields[field_name]
        if (type_name, field_name) in self.fields:
            return self.fields[(type_name, field_name)]
        if type_name not in self.types:
            raise UnknownFieldError(type_name)
        return self.types[type_name]


@cache
def table_of(schema: GraphQLSchema) -> Table:
    return Table.of(schema)


INTROSPECTION = {"__schema", "__type"}


def refusal(principal: Principal, needed: Permission, where: str) -> GraphQLError:
    if not principal.authenticated:
        return GraphQLError(
            f"{where}: sign in or send an API key", extensions={"code": Code.UNAUTHENTICATED}
        )
    return GraphQLError(
        f"{where}: needs the {needed.value} permission, which {principal.kind.value} "
        f"{principal.role.value if principal.role else 'credentials'} do not have",
        extensions={"code": Code.FORBIDDEN, "permission": needed.value},
    )


def check(
    table: Table, principal: Principal, type_name: str, field_name: str
) -> GraphQLError | None:
    try:
        needed = table.required(type_name, field_name)
    except UnknownFieldError:
        log.error("no permission declared for %s.%s: refused", type_name, field_name)
        return GraphQLError(
            f"{type_name}.{field_name}: not available", extensions={"code": Code.FORBIDDEN}
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
            raise GraphQLError(reason, extensions={"code": Code.FORBIDDEN})
        # __typename anywhere, and the fields of the introspection types.
        if not name.startswith("__") and not info.parent_type.name.startswith("__"):
            table = table_of(info.schema)
            error = check(table, info.context.principal, info.parent_type.name, name)
            if error is not None:
                raise error
        return _next(root, info, *args, **kwargs)
