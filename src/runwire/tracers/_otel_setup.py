"""The OpenTelemetry tracer that `RUNWIRE_TRACE=otel[:EXPORTER]` and `runwire.tracing("otel")` name.

* `otel`: spans go to the application's global tracer provider, looked up when the first span
  starts, so an application that configures OpenTelemetry after `import runwire` (which is when
  `RUNWIRE_TRACE` is read) is honoured. If none is configured by then, one is set up from the
  standard variables: `OTEL_TRACES_EXPORTER` (default `otlp`; `none` exports nothing),
  `OTEL_SERVICE_NAME` (default `runwire`), `OTEL_RESOURCE_ATTRIBUTES`, the exporter's own.
* `otel:EXPORTER` (`console`, `otlp`, ...): that set-up at once, with that exporter.
An exporter is found by name in the `opentelemetry_traces_exporter` entry points, as the SDK's
own auto-configuration finds it. A provider set up here becomes the global one when none is
set, so instrumentations (httpx, provider SDKs) export to the same place and nest under runs.

Content is exported only when asked for: `RUNWIRE_TRACE_CONTENT` set (its policy applies),
`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, or a policy other than the default
passed to `runwire.tracing("otel", content=redacted(...))`. Not here: the handler (`otel`).
"""

from __future__ import annotations

import os
import threading
import warnings
from typing import Any

from runwire.tracers.content import FULL, ContentPolicy, parse_policy
from runwire.tracers.otel import OpenTelemetryTracer  # raises the install hint without the extra

from opentelemetry import trace  # isort: skip  # after: a missing extra is reported above

_CAPTURE_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_lock = threading.RLock()  # one set-up, however many threads start their first span at once


def from_spec(arg: str | None, *, content: ContentPolicy | None = None) -> OpenTelemetryTracer:
    """The tracer for `otel` (`arg` None) or `otel:EXPORTER`; see the module docstring."""
    provider: trace.TracerProvider = configured_provider(arg) if arg else _GlobalProvider()
    policy = parse_policy(content)
    capture: bool | ContentPolicy
    if os.environ.get("RUNWIRE_TRACE_CONTENT"):
        capture = policy
    elif os.environ.get(_CAPTURE_ENV, "").strip().lower() in ("1", "true", "yes"):
        capture = True
    else:  # FULL is also what an unset RUNWIRE_TRACE_CONTENT parses to: it does not opt in
        capture = policy if policy is not FULL else False
    return OpenTelemetryTracer(provider, capture)


def configured_provider(exporter: str | None) -> trace.TracerProvider:
    """An SDK provider exporting through `exporter` (default `$OTEL_TRACES_EXPORTER` or `otlp`)
    in batches, flushed at exit; installed as the global provider when none is set."""
    from importlib.metadata import entry_points

    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    name = (exporter or os.environ.get("OTEL_TRACES_EXPORTER") or "otlp").split(",")[0].strip().lower()
    if name == "none":
        return trace.NoOpTracerProvider()
    found = list(entry_points(group="opentelemetry_traces_exporter", name=name))
    if not found:
        known = sorted(e.name for e in entry_points(group="opentelemetry_traces_exporter"))
        raise ValueError(
            f"no OpenTelemetry span exporter named {name!r} is installed (installed: {known}). "
            f"Install one (`pip install opentelemetry-exporter-otlp` for otlp) or use otel:console."
        )
    named = os.environ.get("OTEL_SERVICE_NAME") or "service.name" in os.environ.get(
        "OTEL_RESOURCE_ATTRIBUTES", ""
    )
    provider = TracerProvider(resource=Resource.create({} if named else {"service.name": "runwire"}))
    provider.add_span_processor(BatchSpanProcessor(found[0].load()()))
    with _lock:
        if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            trace.set_tracer_provider(provider)
    return provider


def _global_provider() -> trace.TracerProvider:
    """The global provider; one set up from the environment if the application set none (or,
    when that fails, a no-op provider and one warning: tracing must not break the program)."""
    with _lock:
        provider = trace.get_tracer_provider()
        if isinstance(provider, trace.ProxyTracerProvider):
            try:
                configured_provider(None)
            except ValueError as exc:
                warnings.warn(f"RUNWIRE_TRACE=otel exports nothing: {exc}", RuntimeWarning, stacklevel=2)
                return trace.NoOpTracerProvider()
            provider = trace.get_tracer_provider()
        return provider


class _GlobalProvider(trace.TracerProvider):
    """Hands out tracers that bind to the global provider when their first span starts."""

    def get_tracer(
        self,
        instrumenting_module_name: str,
        instrumenting_library_version: str | None = None,
        schema_url: str | None = None,
        attributes: Any = None,
    ) -> trace.Tracer:
        return _DeferredTracer(instrumenting_module_name, instrumenting_library_version)

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        flush = getattr(trace.get_tracer_provider(), "force_flush", None)
        return bool(flush(timeout_millis)) if callable(flush) else True


class _DeferredTracer(trace.Tracer):
    """A tracer of the global provider, looked up on the first span."""

    def __init__(self, name: str, version: str | None) -> None:
        self._name = name
        self._version = version
        self._real: trace.Tracer | None = None

    def _bind(self) -> trace.Tracer:
        self._real = _global_provider().get_tracer(self._name, self._version)
        return self._real

    def start_span(self, *args: Any, **kwargs: Any) -> trace.Span:
        return (self._real or self._bind()).start_span(*args, **kwargs)

    def start_as_current_span(self, *args: Any, **kwargs: Any) -> Any:
        return (self._real or self._bind()).start_as_current_span(*args, **kwargs)
