"""Fixtures for the OpenTelemetry exporter: an SDK provider writing to `InMemorySpanExporter`,
the tracer on it, httpx instrumentation on the same provider, a loopback HTTP server, and a
watch on the `opentelemetry.context` logger for "Failed to detach context"."""

from __future__ import annotations

import http.server
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from runwire.tracers.otel import OpenTelemetryTracer


@dataclass
class Spans:
    """The finished spans, with tree helpers."""

    exporter: InMemorySpanExporter

    @property
    def all(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> list[ReadableSpan]:
        return [s for s in self.all if s.name == name]

    def one(self, name: str) -> ReadableSpan:
        found = self.named(name)
        assert len(found) == 1, f"expected one span {name!r}, got {[s.name for s in self.all]}"
        return found[0]

    def parent_of(self, span: ReadableSpan) -> ReadableSpan | None:
        if span.parent is None:
            return None
        for other in self.all:
            if other.context.span_id == span.parent.span_id:
                return other
        return None

    def roots(self) -> list[ReadableSpan]:
        return [s for s in self.all if s.parent is None]

    def traces(self) -> set[int]:
        return {s.context.trace_id for s in self.all}

    def tree(self, root: ReadableSpan | None = None) -> Any:
        """`(name, [children...])` from `root` (the only root if None), children by start time."""
        if root is None:
            roots = self.roots()
            assert len(roots) == 1, f"expected one root, got {[r.name for r in roots]}"
            root = roots[0]
        children = sorted(
            (s for s in self.all if s.parent is not None and s.parent.span_id == root.context.span_id),
            key=lambda s: s.start_time or 0,
        )
        return (root.name, [self.tree(c) for c in children])

    def assert_well_formed(self) -> None:
        """Every parent was exported, in the child's trace; no span is left unended."""
        ids = {s.context.span_id: s for s in self.all}
        for span in self.all:
            assert span.end_time is not None
            if span.parent is not None:
                parent = ids.get(span.parent.span_id)
                assert parent is not None, f"{span.name}: parent not exported"
                assert parent.context.trace_id == span.context.trace_id


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> Iterator[TracerProvider]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider
    provider.shutdown()


@pytest.fixture
def spans(exporter: InMemorySpanExporter) -> Spans:
    return Spans(exporter)


@pytest.fixture
def tracer(provider: TracerProvider) -> OpenTelemetryTracer:
    return OpenTelemetryTracer(provider)


@pytest.fixture
def httpx_traced(provider: TracerProvider) -> Iterator[None]:
    """opentelemetry-instrumentation-httpx on, exporting to the test's provider."""
    instrumentor = HTTPXClientInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    yield
    instrumentor.uninstrument()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"ok {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A loopback HTTP server (stdlib, in a thread); yields its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def no_detach_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail the test if OpenTelemetry logs a context error ("Failed to detach context")."""
    caplog.set_level(logging.DEBUG, logger="opentelemetry")
    yield
    bad = [r.getMessage() for r in caplog.records if r.name.startswith("opentelemetry.context")]
    assert not bad, bad
