"""Which media type a GraphQL answer is sent in, from the request's Accept.

GraphQL over HTTP: ``application/graphql-response+json`` when the client
prefers it, ``application/json`` otherwise (and when it says nothing, or says
something we cannot parse). The first lets a client tell from the status alone
that nothing was executed (4xx); the second keeps 200 for those answers, as
older clients expect.
"""

from __future__ import annotations

from collections.abc import Mapping

import mimeparse

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# On a tie (``*/*``, or both at one quality) the last wins: JSON, which every client reads.
_OFFERED = [GRAPHQL_RESPONSE, JSON]


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in; None when Accept allows neither (406)."""
    if not accept or not accept.strip():
        return JSON
    try:
        best: str = mimeparse.best_match(_OFFERED, accept)
        return best or None
    except (mimeparse.MimeTypeParseException, ValueError):
        return JSON


def of(headers: Mapping[str, str]) -> str:
    """The media type of an error answered before negotiation could refuse anything."""
    return negotiate(headers.get("accept")) or JSON


def content_type(media_type: str) -> str:
    """The Content-Type header; JSON's own media type has no charset parameter."""
    return f"{media_type}; charset=utf-8" if media_type == GRAPHQL_RESPONSE else media_type
