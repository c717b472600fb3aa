"""The root types, merged from each domain's query.py and mutations.py.

Fields print in the SDL in this order, which is why customers come in two."""

from __future__ import annotations

from strawberry.tools import merge_types

from schema.analytics.query import AnalyticsQuery
from schema.auth.mutations import AuthMutation
from schema.auth.query import AuthQuery
from schema.customers.mutations import CustomerMutation
from schema.customers.query import CustomerListQuery, CustomerQuery
from schema.events.query import EventQuery
from schema.ingestion.mutations import IngestionMutation
from schema.insights.query import InsightsQuery
from schema.nodes import NodeQuery
from schema.sessions.query import SessionQuery

Query = merge_types(
    "Query",
    (
        AuthQuery,
        NodeQuery,
        CustomerListQuery,
        AnalyticsQuery,
        InsightsQuery,
        CustomerQuery,
        SessionQuery,
        EventQuery,
    ),
)
Mutation = merge_types("Mutation", (AuthMutation, IngestionMutation, CustomerMutation))
