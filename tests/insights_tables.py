"""The store's two views as plain DuckDB tables, filled from Python rows: the
engine's query layer runs on them exactly as on the store's Parquet files
(same columns, api/insights/store.py), without a database to fill first."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from api.insights.properties import flatten, shredded_columns

EVENT_COLUMNS = {
    "id": "VARCHAR", "name": "VARCHAR", "timestamp": "TIMESTAMPTZ", "customer_id": "VARCHAR",
    "session_id": "VARCHAR", "page": "VARCHAR", "properties": "VARCHAR", "bot": "BOOLEAN",
    "prop_paths": "VARCHAR[]", "prop_kinds": "VARCHAR[]", "prop_texts": "VARCHAR[]",
    "prop_numbers": "DOUBLE[]", "referrer": "VARCHAR", "referrer_domain": "VARCHAR",
    "utm_source": "VARCHAR", "utm_medium": "VARCHAR", "utm_campaign": "VARCHAR",
    "utm_term": "VARCHAR", "utm_content": "VARCHAR", "browser": "VARCHAR",
    "browser_version": "VARCHAR", "os": "VARCHAR", "os_version": "VARCHAR",
    "device_type": "VARCHAR", "language": "VARCHAR", "screen_width": "INTEGER",
    "screen_height": "INTEGER", "country": "VARCHAR", "device": "VARCHAR",
}  # fmt: skip
CUSTOMER_COLUMNS = {
    "id": "VARCHAR", "distinct_id": "VARCHAR", "name": "VARCHAR", "email": "VARCHAR",
    "country": "VARCHAR", "language": "VARCHAR", "created_at": "TIMESTAMPTZ",
    "last_seen_at": "TIMESTAMPTZ",
}  # fmt: skip


# Opening a DuckDB database costs a tenth of a second; a cursor of one, nothing.
_DATABASE = duckdb.connect()


def _table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str]) -> None:
    listed = ", ".join(f"{column} {kind}" for column, kind in columns.items())
    con.execute(f"CREATE TEMP TABLE {name} ({listed})")


def load(
    events: list[dict[str, Any]], customers: dict[str, dict[str, Any]], shredded: bool = False
) -> duckdb.DuckDBPyConnection:
    """A connection of its own (temporary tables: no other connection sees them);
    ``shredded``: with each property path's own columns, as the store writes
    them (api/insights/properties.py), else the lists only."""
    con = _DATABASE.cursor()
    _table(con, "raw_events" if shredded else "events", EVENT_COLUMNS)
    _table(con, "customers", CUSTOMER_COLUMNS)
    rows = []
    for event in events:
        paths, kinds, texts, numbers = flatten(event["properties"])
        row = {**event, "properties": json.dumps(event["properties"])}
        row |= {"prop_paths": paths, "prop_kinds": kinds, "prop_texts": texts}
        row["prop_numbers"] = numbers
        rows.append([row.get(column) for column in EVENT_COLUMNS])
    _insert(con, "raw_events" if shredded else "events", len(EVENT_COLUMNS), rows)
    if shredded:
        paths = sorted({path for event in events for path in flatten(event["properties"])[0]})
        extra = f", {shredded_columns(paths)}" if paths else ""
        con.execute(f"CREATE TEMP TABLE events AS SELECT *{extra} FROM raw_events")
        con.execute("CREATE TEMP TABLE events_layout (overflow BOOLEAN, paths VARCHAR[])")
        con.execute("INSERT INTO events_layout VALUES (false, ?)", [paths])
    people = [[customer.get(c) for c in CUSTOMER_COLUMNS] for customer in customers.values()]
    _insert(con, "customers", len(CUSTOMER_COLUMNS), people)
    return con


def _insert(con: duckdb.DuckDBPyConnection, table: str, width: int, rows: list[list[Any]]) -> None:
    # One statement: executemany runs one per row, which costs more than the queries tested.
    if rows:
        marks = ", ".join(["(" + ", ".join("?" * width) + ")"] * len(rows))
        con.execute(f"INSERT INTO {table} VALUES {marks}", [v for row in rows for v in row])
