"""A real OTLP/HTTP receiver on 127.0.0.1 for tests and benchmarks: it decodes
what the API exports (traces, metrics, logs) with the opentelemetry-proto
package and keeps it for inspection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord
from opentelemetry.proto.trace.v1.trace_pb2 import Span


def value(any_value: AnyValue) -> Any:
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [value(item) for item in any_value.array_value.values]
    if kind == "kvlist_value":
        return attributes(any_value.kvlist_value.values)
    return getattr(any_value, kind) if kind else None


def attributes(pairs: Any) -> dict[str, Any]:
    return {pair.key: value(pair.value) for pair in pairs}


class Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.spans: list[tuple[dict[str, Any], Span]] = []  # (resource attributes, span)
        self.metrics: list[str] = []
        self.logs: list[LogRecord] = []
        self.received_bytes = 0
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def trace(self, trace_id: str) -> list[Span]:
        with self.lock:
            return [span for _, span in self.spans if span.trace_id.hex() == trace_id]


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.received_bytes += len(body)
            if self.path == "/v1/traces":
                for resource_spans in ExportTraceServiceRequest.FromString(body).resource_spans:
                    resource = attributes(resource_spans.resource.attributes)
                    for scope in resource_spans.scope_spans:
                        self.server.spans.extend((resource, span) for span in scope.spans)
            elif self.path == "/v1/metrics":
                for resource_metrics in ExportMetricsServiceRequest.FromString(
                    body
                ).resource_metrics:
                    for scope in resource_metrics.scope_metrics:
                        self.server.metrics.extend(metric.name for metric in scope.metrics)
            elif self.path == "/v1/logs":
                for resource_logs in ExportLogsServiceRequest.FromString(body).resource_logs:
                    for scope_logs in resource_logs.scope_logs:
                        self.server.logs.extend(scope_logs.log_records)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.shutdown()
        receiver.server_close()
