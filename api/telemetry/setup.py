"""OpenTelemetry, set up once per process (once per Lambda container).

Standard ``OTEL_*`` variables configure it: ``OTEL_EXPORTER_OTLP_ENDPOINT``
(or ``..._TRACES_ENDPOINT``/``..._METRICS_ENDPOINT``) turns export on, OTLP over
HTTP; ``OTEL_TRACES_SAMPLER``/``OTEL_TRACES_SAMPLER_ARG`` choose sampling
(default: parent-based, always on); ``OTEL_SDK_DISABLED=true`` turns it all
off. Without an endpoint, spans are still made, so every response and log line
carries a trace id, but nothing leaves the process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry._logs import set_logger_provider
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.propagators import (
    ResponsePropagator,
    default_setter,
    set_global_response_propagator,
)
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.propagators.textmap import CarrierT, Setter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from api import __version__
from api.settings import Settings
from api.telemetry.mongo import query_shape_hook
from api.telemetry.slow import SlowSpanCollector

log = logging.getLogger("api.telemetry")


class TraceResponse(ResponsePropagator):
    """The W3C ``traceresponse`` header. OpenTelemetry's own propagator also adds
    ``Access-Control-Expose-Headers`` to every response; which origins may read
    it is for CORS to say (``api/server/cors.py``)."""

    def inject(
        self,
        carrier: CarrierT,
        context: Context | None = None,
        # Typed as upstream's: its default is not the textmap Setter it declares.
        setter: Setter[Any] = default_setter,  # type: ignore[assignment]
    ) -> None:
        span = trace.get_current_span(context).get_span_context()
        if span.is_valid:
            value = f"00-{span.trace_id:032x}-{span.span_id:016x}-{span.trace_flags:02x}"
            setter.set(carrier, "traceresponse", value)


@dataclass
class Telemetry:
    tracer_provider: TracerProvider | None
    meter_provider: MeterProvider | None
    logger_provider: LoggerProvider | None = None

    def flush(self, timeout_millis: int = 2000) -> None:
        """Send what is buffered; Lambda calls this before an invocation returns."""
        if self.tracer_provider is not None:
            self.tracer_provider.force_flush(timeout_millis)
        if self.meter_provider is not None:
            self.meter_provider.force_flush(timeout_millis)
        if self.logger_provider is not None:
            self.logger_provider.force_flush(timeout_millis)


class QuietExporter(SpanExporter):
    """Logs an unreachable collector once (and its return), never per batch, and
    never raises into the application: export runs on the processor's thread."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner
        self.failing = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            result = self.inner.export(spans)
        except Exception:  # an exporter bug must not end the export thread
            result = SpanExportResult.FAILURE
        if result == SpanExportResult.FAILURE and not self.failing:
            log.warning("trace export failing; spans are dropped until the collector answers")
        elif result == SpanExportResult.SUCCESS and self.failing:
            log.info("trace export recovered")
        self.failing = result == SpanExportResult.FAILURE
        return result

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


_telemetry: Telemetry | None = None


def _exporting(signal: str) -> bool:
    return bool(
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or os.environ.get(f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT")
    )


def configure(settings: Settings) -> Telemetry:
    """Idempotent: the first call sets the global providers, later calls reuse them."""
    global _telemetry
    if _telemetry is not None:
        return _telemetry
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        _telemetry = Telemetry(None, None)
        return _telemetry
    resource = Resource.create(
        {
            "service.name": os.environ.get("OTEL_SERVICE_NAME", "tracking-api"),
            "service.version": __version__,
            "deployment.environment": settings.stage.value,
        }
    )
    tracer_provider = TracerProvider(resource=resource)  # sampler from OTEL_TRACES_SAMPLER
    tracer_provider.add_span_processor(SlowSpanCollector())
    if _exporting("TRACES"):
        # The exporter's own error log would repeat on every failed batch.
        logging.getLogger("opentelemetry.exporter.otlp.proto.http").setLevel(logging.CRITICAL)
        tracer_provider.add_span_processor(BatchSpanProcessor(QuietExporter(OTLPSpanExporter())))
    trace.set_tracer_provider(tracer_provider)

    meter_provider = None
    if _exporting("METRICS"):
        reader = PeriodicExportingMetricReader(OTLPMetricExporter())
        meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
        metrics.set_meter_provider(meter_provider)

    logger_provider = None
    if _exporting("LOGS"):
        # Logs go to the collector too (and on to Loki), where Grafana links
        # them to their traces by trace id.
        logger_provider = LoggerProvider(resource=resource)
        logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter()))
        set_logger_provider(logger_provider)
        logging.getLogger().addHandler(LoggingHandler(logger_provider=logger_provider))

    set_global_response_propagator(TraceResponse())
    # Command names and the shape of filters only: values are never recorded.
    PymongoInstrumentor().instrument(tracer_provider=tracer_provider, request_hook=query_shape_hook)
    _telemetry = Telemetry(tracer_provider, meter_provider, logger_provider)
    return _telemetry
