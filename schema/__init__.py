"""The GraphQL schema: types per domain, connections and the root Query."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from schema.errors import ErrorCodes
from schema.ingestion.types import Mutation
from schema.query import Query
from schema.tracing import Tracing


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # ErrorCodes logs what is unexpected; a client's mistake is not worth a traceback.
        return None


# Tracing first: it wraps the others and sees the final errors.
schema = Schema(query=Query, mutation=Mutation, extensions=[Tracing, ErrorCodes])
