"""Finding customers: search, filters and orderings, always by keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from api.core.errors import InputError
from api.core.timerange import TimeRange
from api.customers.documents import Customer
from api.customers.search import search_filter
from api.db.filters import all_of
from api.db.pagination import Ordering, Page, Window, paginate


class CustomerOrderField(StrEnum):
    CREATED_AT = "createdAt"
    NAME = "sortName"
    LAST_SEEN_AT = "lastSeenAt"


_ATTRS = {
    CustomerOrderField.CREATED_AT: ("created_at", "date"),
    CustomerOrderField.NAME: ("sort_name", "str"),
    CustomerOrderField.LAST_SEEN_AT: ("last_seen_at", "date"),
}


def ordering(order_field: CustomerOrderField, descending: bool) -> Ordering:
    attr, kind = _ATTRS[order_field]
    return Ordering(field=order_field.value, attr=attr, kind=kind, descending=descending)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CustomerFilter:
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    created: TimeRange | None = None
    last_seen: TimeRange | None = None


def customer_query(search: str | None, where: CustomerFilter) -> dict[str, Any]:
    clauses: list[dict[str, Any]] = []
    if search:
        clauses.append(search_filter(search))
    if where.countries:
        clauses.append({"country": {"$in": [code.upper() for code in where.countries]}})
    if where.languages:
        clauses.append({"language": {"$in": list(where.languages)}})
    if where.created:
        clauses.append(where.created.mongo("createdAt"))
    if where.last_seen:
        clauses.append(where.last_seen.mongo("lastSeenAt"))
    return all_of(*clauses)


async def find_customers(
    search: str | None,
    where: CustomerFilter,
    order_field: CustomerOrderField,
    descending: bool,
    window: Window,
) -> Page[Customer]:
    if search is not None and len(search) > 1000:
        raise InputError("search", f"is {len(search)} characters long, at most 1000 are allowed")
    return await paginate(
        Customer,
        customer_query(search, where),
        ordering(order_field, descending),
        window,
        scope="customers",
    )


async def customer_by_distinct_id(distinct_id: str) -> Customer | None:
    return await Customer.find_one({"distinctId": distinct_id})
