"""The GraphQL schema: each domain's types and root fields, merged in schema/root.py."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.authz import Authorization
from schema.errors import ErrorCodes, HiddenSuggestions, may_learn_schema
from schema.limits import QueryLimits
from schema.root import Mutation, Query
from schema.storable_text import StorableText
from schema.tracing import Tracing


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        # Variables are coerced here: "Did you mean the enum value ..." only for
        # callers who may introspect (schema/errors.py, HiddenSuggestions).
        context = kwargs["context_value"] if "context_value" in kwargs else args[3]
        kwargs["hide_suggestions"] = not may_learn_schema(context)
        return super().build(*args, **kwargs)


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # ErrorCodes logs what is unexpected; a client's mistake is not worth a traceback.
        return None


# Tracing first: it wraps the others and sees the final errors. StorableText
# after QueryLimits, to see what it refused; HiddenSuggestions validates what
# neither refused. Authorization wraps every resolver (schema/authz.py).
schema = Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        Tracing,
        ErrorCodes,
        QueryLimits,
        StorableText,
        HiddenSuggestions,
        Authorization,
    ],
    execution_context_class=ExecutionContext,
)
