"""Traces, metrics and trace-aware logs (OpenTelemetry)."""
