"""Properties and filters as DuckDB SQL over the store's ``events`` view
(aliased ``e``) and ``customers`` (``c``). Every value from the caller is a
bound parameter; only names from our own tables are written into the text.

An event property is found by its path in the store's lists of leaves
(api/insights/properties.py), a bound value like any other. Comparisons are
typed: a string equals only a string, a number only a number, and a property
that is missing or null is not set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from api.insights.properties import (
    BOOLEAN,
    KIND,
    NULL,
    NUMBER,
    NUMBER_COLUMN,
    STRING,
    TEXT,
    quoted,
)
from api.insights.properties import column as shredded
from api.insights.query import Filter, Kind, Operator, Property


@dataclass
class Sql:
    """A fragment of SQL and the parameters it binds, in order."""

    text: str
    params: list[Any]

    def __add__(self, other: Sql) -> Sql:
        return Sql(self.text + other.text, self.params + other.params)


@dataclass(frozen=True)
class Typed:
    """Expressions for one property: its JSON type name (NULL when not set),
    its text, its number (NULL unless numeric)."""

    kind: Sql
    text: Sql
    number: Sql


@dataclass(frozen=True)
class Layout:
    """What the ``events`` view holds: the property paths that have columns of
    their own in some day read (NULL in the days without them), and whether
    some day kept paths in the lists only (then every property is read from
    the lists). The store writes it as the table ``events_layout`` of each
    reader."""

    paths: frozenset[str] = frozenset()
    lists_only: bool = True

    @classmethod
    def of(cls, con: Any) -> Layout:
        try:
            found = con.execute("SELECT overflow, paths FROM events_layout").fetchone()
        except duckdb.CatalogException:  # tables of our own making, not the store's
            return cls()
        if found is None:
            return cls()
        return cls(frozenset(found[1] or ()), bool(found[0]))


def typed(prop: Property, layout: Layout = Layout()) -> Typed:
    dimension = prop.dimension
    if dimension is None:
        at = ".".join(prop.path)
        if at in layout.paths and not layout.lists_only:
            names = [quoted(shredded(part, at)) for part in (KIND, TEXT, NUMBER_COLUMN)]
            return Typed(*(Sql(f"e.{name}", []) for name in names))
        if not layout.lists_only:
            # Every path of every day in the view has its columns: no event has this one.
            nothing = Sql("CAST(NULL AS VARCHAR)", [])
            return Typed(nothing, nothing, Sql("CAST(NULL AS DOUBLE)", []))
        # The store's parallel lists of leaves (api/insights/properties.py).
        find = "list_position(e.prop_paths, ?)"
        return Typed(
            Sql(f"e.prop_kinds[{find}]", [at]),
            Sql(f"e.prop_texts[{find}]", [at]),
            Sql(f"e.prop_numbers[{find}]", [at]),
        )
    column = f"{'c' if dimension.table == 'customers' else 'e'}.{dimension.column}"
    kind = {Kind.NUMBER: NUMBER, Kind.BOOLEAN: BOOLEAN, Kind.STRING: STRING}[dimension.kind]
    present = Sql(f"CASE WHEN {column} IS NOT NULL THEN '{kind}' END", [])
    if dimension.kind == Kind.NUMBER:
        return Typed(
            present, Sql(f"CAST({column} AS VARCHAR)", []), Sql(f"CAST({column} AS DOUBLE)", [])
        )
    if dimension.kind == Kind.BOOLEAN:
        text = Sql(f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' END", [])
        return Typed(present, text, Sql("CAST(NULL AS DOUBLE)", []))
    return Typed(present, Sql(column, []), Sql("CAST(NULL AS DOUBLE)", []))


def breakdown_value(prop: Property, layout: Layout) -> Sql:
    """The text a breakdown groups by: a string as it is, any other value as
    its JSON text, NULL when not set."""
    return typed(prop, layout).text


def _equals(expr: Typed, value: str | float | bool) -> Sql:
    if isinstance(value, bool):
        kind, text = BOOLEAN, "true" if value else "false"
    elif isinstance(value, str):
        kind, text = STRING, value
    else:
        return Sql("(", []) + expr.number + Sql(" = ?)", [value])
    return (
        Sql("(", []) + expr.kind + Sql(f" = '{kind}' AND ", []) + expr.text + Sql(" = ?)", [text])
    )


def _set(expr: Typed) -> Sql:
    return Sql("(coalesce(", []) + expr.kind + Sql(f", '{NULL}') <> '{NULL}')", [])


def _not(condition: Sql) -> Sql:
    # Not set counts as not equal: "plan is not pro" keeps events with no plan.
    return Sql("NOT coalesce(", []) + condition + Sql(", false)", [])


def condition(item: Filter, layout: Layout) -> Sql:
    expr = typed(item.prop, layout)
    operator, value = item.operator, item.value
    if operator == Operator.IS_SET:
        return _set(expr)
    if operator == Operator.IS_NOT_SET:
        return _not(_set(expr))
    if operator == Operator.IN:
        assert isinstance(value, tuple)
        parts = [_equals(expr, one) for one in value]
        joined = parts[0]
        for part in parts[1:]:
            joined = joined + Sql(" OR ", []) + part
        return Sql("coalesce(", []) + joined + Sql(", false)", [])
    if operator == Operator.CONTAINS:
        assert isinstance(value, str)
        return (
            Sql("coalesce(", [])
            + expr.kind
            + Sql(f" = '{STRING}' AND contains(lower(", [])
            + expr.text
            + Sql("), lower(?)), false)", [value])
        )
    if operator in (Operator.GREATER_THAN, Operator.LESS_THAN):
        sign = ">" if operator == Operator.GREATER_THAN else "<"
        return Sql("coalesce(", []) + expr.number + Sql(f" {sign} ?, false)", [value])
    assert value is not None and not isinstance(value, tuple)
    if operator == Operator.EQUALS:
        return Sql("coalesce(", []) + _equals(expr, value) + Sql(", false)", [])
    return _not(_equals(expr, value))


def needs_customers(props: list[Property | None]) -> bool:
    return any(
        p is not None and p.dimension is not None and p.dimension.table == "customers"
        for p in props
    )
