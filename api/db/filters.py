"""Combining MongoDB filter clauses."""

from __future__ import annotations

from typing import Any


def all_of(*clauses: dict[str, Any]) -> dict[str, Any]:
    """The conjunction of ``clauses``, flat where their keys do not clash.

    ``{a: 1, b: {...}}`` and ``{$and: [{a: 1}, {b: {...}}]}`` mean the same, but
    FerretDB's PostgreSQL backend pushes down only top-level equality, so the
    flat form keeps a session's events a PostgreSQL-side filter instead of a
    scan in FerretDB. MongoDB plans both the same way.
    """
    merged: dict[str, Any] = {}
    rest: list[dict[str, Any]] = []
    for clause in clauses:
        if not clause:
            continue
        if merged.keys() & clause.keys():
            rest.append(clause)
        else:
            merged.update(clause)
    if rest:
        merged["$and"] = [*merged.pop("$and", []), *rest]
    return merged
