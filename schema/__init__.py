"""The GraphQL schema: types per domain, connections and the root Query."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types

from schema.auth.types import AuthMutation, AuthQuery
from schema.authz import Authorization
from schema.customers.erasure import ErasureMutation
from schema.errors import ErrorCodes
from schema.events.types import EventsQuery
from schema.ingestion.types import IngestionMutation
from schema.limits import QueryLimits
from schema.query import CustomerQuery
from schema.text import StorableText
from schema.tracing import Tracing

Query = merge_types("Query", (AuthQuery, CustomerQuery, EventsQuery))
Mutation = merge_types("Mutation", (AuthMutation, IngestionMutation, ErasureMutation))


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # ErrorCodes logs what is unexpected; a client's mistake is not worth a traceback.
        return None


# Tracing first: it wraps the others and sees the final errors. StorableText
# after QueryLimits, to see what it refused. Authorization wraps every
# resolver (schema/authz.py).
schema = Schema(
    query=Query,
    mutation=Mutation,
    extensions=[Tracing, ErrorCodes, QueryLimits, StorableText, Authorization],
)
