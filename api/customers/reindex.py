"""The derived fields of stored customers computed again (``python -m api
customers reindex``).

A customer's ``searchTerms`` and ``sortName`` are written with the customer, by
the code of that day; after that code changes (a better transliteration, a new
kind of term) the customers already stored keep their old ones until this
rewrites them. It reads the customers in ``_id`` order a page at a time and
writes only those whose fields differ, so it is safe to run again or to stop
midway. A write names the fields the terms came from, so a customer changed
meanwhile (whose write computed fresh terms itself) is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import UpdateOne

from api.customers.documents import Customer
from api.customers.search import customer_terms, sort_name

PAGE = 500
_SOURCES = ("distinctId", "name", "email", "language")


@dataclass(frozen=True)
class Reindexed:
    customers: int
    changed: int


def derived(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "searchTerms": customer_terms(
            doc["name"], doc.get("email"), doc["distinctId"], doc.get("language")
        ),
        "sortName": sort_name(doc["name"]),
    }


async def reindex() -> Reindexed:
    collection = Customer.get_pymongo_collection()
    projection = {field: 1 for field in (*_SOURCES, "searchTerms", "sortName")}
    seen = changed = 0
    last: Any = None
    while True:
        query = {} if last is None else {"_id": {"$gt": last}}
        page = await collection.find(query, projection).sort("_id", 1).limit(PAGE).to_list()
        if not page:
            return Reindexed(seen, changed)
        writes = []
        for doc in page:
            fields = derived(doc)
            if any(doc.get(key) != value for key, value in fields.items()):
                unchanged = {field: doc.get(field) for field in _SOURCES}
                writes.append(UpdateOne({"_id": doc["_id"], **unchanged}, {"$set": fields}))
        if writes:
            result = await collection.bulk_write(writes, ordered=False)
            changed += result.modified_count
        seen += len(page)
        last = page[-1]["_id"]
