"""Search terms: how a customer is found by name, email or distinct id.

A customer stores the normalised terms it can be found by; a query word matches
when it is a prefix of one of them. Terms are transliterated to ASCII and case
folded, so "jose" finds "José" and "ivan" finds "Иван". Matching is an anchored
prefix on a multikey index, so it is an index range scan on MongoDB and the
user's text is never a pattern or an operator (it is escaped).
"""

from __future__ import annotations

import re
from typing import Any

from unidecode import unidecode

from api.filters import all_of

_WORD_SPLIT = re.compile(r"[^0-9a-z]+")
# A 10 kB search string is legal input but only its first words can matter.
MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 100


def normalize(text: str) -> str:
    return unidecode(text).casefold().strip()


def customer_terms(name: str, email: str | None, distinct_id: str) -> list[str]:
    terms: set[str] = set()
    for word in normalize(name).split():
        terms.add(word)
        # "jean-luc" is found by "jean-luc", "jean" and "luc".
        terms.update(part for part in _WORD_SPLIT.split(word) if part)
    if email:
        address = normalize(email)
        terms.add(address)
        terms.add(address.split("@", 1)[0])
    terms.add(normalize(distinct_id))
    terms.discard("")
    return sorted(terms)


def query_words(search: str) -> list[str]:
    """The words of a search; every one must prefix some term of a match."""
    words = []
    for word in normalize(search).split():
        if word not in words:
            words.append(word[:MAX_WORD_LENGTH])
    return words[:MAX_QUERY_WORDS]


def search_filter(search: str) -> dict[str, Any]:
    words = query_words(search)
    if not words:
        return {}
    clauses: list[dict[str, Any]] = [
        {"searchTerms": {"$regex": "^" + re.escape(word)}} for word in words
    ]
    return all_of(*clauses)


def sort_name(name: str) -> str:
    """The key NAME ordering uses: accents and case must not split the alphabet."""
    return " ".join(normalize(name).split())
