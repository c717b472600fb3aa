"""Slowest spans of an operation, for the slow-operation log line.

A span processor notes every span that ends while a collector is active in the
current context; the GraphQL operation reads the slowest when it is slow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

Noted = tuple[str, float, bool]  # name, milliseconds, is a database command
_active: ContextVar[list[Noted] | None] = ContextVar("slow_spans", default=None)


class SlowSpanCollector(SpanProcessor):
    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        collected = _active.get()
        if collected is not None and span.start_time and span.end_time:
            attributes = span.attributes or {}
            is_db = "db.system" in attributes or "db.system.name" in attributes
            collected.append((span.name, (span.end_time - span.start_time) / 1e6, is_db))

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


@contextmanager
def collecting() -> Iterator[list[Noted]]:
    """Spans that end inside this block, in this context."""
    spans: list[Noted] = []
    token = _active.set(spans)
    try:
        yield spans
    finally:
        _active.reset(token)


def slowest(spans: list[Noted], count: int = 5) -> list[dict[str, object]]:
    ordered = sorted(spans, key=lambda item: -item[1])[:count]
    return [{"span": name, "ms": round(ms, 1)} for name, ms, _ in ordered]


def database_ms(spans: list[Noted]) -> float:
    return sum(ms for _, ms, is_db in spans if is_db)
