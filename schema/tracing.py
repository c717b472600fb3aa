"""Spans, metrics and the slow-operation log for GraphQL operations.

One span per operation (its name, type, a hash of the document, its size),
one per resolver that does work (async resolvers: lists, lookups, analytics;
plain attribute reads get none), and ``extensions.traceId`` in every answer.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from graphql import GraphQLResolveInfo
from opentelemetry import metrics, trace
from strawberry.extensions import SchemaExtension

from api.telemetry.slow import collecting, database_ms, slowest

log = logging.getLogger("api.graphql")
tracer = trace.get_tracer("tracking.graphql")
meter = metrics.get_meter("tracking.graphql")
duration = meter.create_histogram(
    "graphql.server.operation.duration", unit="ms", description="GraphQL operations"
)
db_duration = meter.create_histogram(
    "graphql.server.db.duration",
    unit="ms",
    description="Time in MongoDB commands per GraphQL operation",
)


def trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def _field_count(document: Any) -> int:
    count = 0
    stack = list(getattr(document, "definitions", []) or [])
    while stack:
        node = stack.pop()
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            count += len(selection_set.selections)
            stack.extend(selection_set.selections)
    return count


def _operation_type(context: Any) -> str:
    # A text that does not parse, or lacks the operation named, has no type;
    # Strawberry raises for it, which would replace the client's error.
    try:
        return str(context.operation_type.value)
    except RuntimeError:
        return "unknown"


class Tracing(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        with tracer.start_as_current_span("graphql.operation") as span, collecting() as spans:
            self.trace_id = trace_id()
            yield
            context = self.execution_context
            kind = _operation_type(context)
            name = context.operation_name or "anonymous"
            failed = bool(context.result and context.result.errors)
            span.update_name(f"{kind} {name}")
            query = context.query or ""
            span.set_attributes(
                {
                    "graphql.operation.name": name,
                    "graphql.operation.type": kind,
                    "graphql.document.hash": hashlib.sha256(query.encode()).hexdigest()[:16],
                    "graphql.document.fields": _field_count(context.graphql_document),
                    "graphql.errors": len(context.result.errors or []) if context.result else 0,
                }
            )
            elapsed = (time.perf_counter() - started) * 1000
        labels = {"graphql.operation.name": name, "graphql.operation.type": kind}
        duration.record(elapsed, {**labels, "error": failed})
        db_duration.record(database_ms(spans), labels)
        if elapsed >= context.context.settings.slow_operation_ms:
            log.warning(
                "slow graphql operation",
                extra={
                    "operation": name,
                    "operation_type": kind,
                    "duration_ms": round(elapsed, 1),
                    "slowest_spans": slowest(spans),
                    "trace_id": self.trace_id,
                },
            )

    def get_results(self) -> dict[str, Any]:
        return {"traceId": self.trace_id} if getattr(self, "trace_id", None) else {}

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        result = _next(root, info, *args, **kwargs)
        if not inspect.isawaitable(result):
            return result  # a plain field read: not worth a span
        return self._traced(result, f"resolve {info.parent_type.name}.{info.field_name}")

    async def _traced(self, result: Awaitable[Any], name: str) -> Any:
        with tracer.start_as_current_span(name):
            return await result
