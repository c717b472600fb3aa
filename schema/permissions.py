"""Who may call what in this schema: the table ``Authorization`` enforces, read
off the permissions written on the fields and types (schema/authz.py)."""

from __future__ import annotations

from schema import schema
from schema.authz import Table, UnknownFieldError, table_of

TABLE: Table = table_of(schema._schema)
ROOT_FIELDS = TABLE.root_fields
TYPE_PERMISSIONS = TABLE.types
required = TABLE.required

__all__ = ["ROOT_FIELDS", "TABLE", "TYPE_PERMISSIONS", "UnknownFieldError", "required"]
