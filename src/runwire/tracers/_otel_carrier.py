"""The W3C trace carrier `runwire.propagation` ships across processes: `capture_context()` /
`restore_context(carrier)`, public as `runwire.tracers.otel.capture_context` / `restore_context`.

Importing `runwire.tracers.otel` registers them, so every `runwire.propagation.capture()` carries
the OTel context too and `restore()` attaches it around the restored work (the worker must import
that module, as it must configure OTel). Spans and handlers are not here (see `otel`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import propagate

from runwire.propagation import register_carrier

__all__ = ["capture_context", "restore_context"]


def capture_context() -> dict[str, str] | None:
    """The current OTel context as a W3C carrier (`traceparent`, `tracestate`, `baggage`), through
    the global propagator; None when there is nothing to carry."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier or None


@contextmanager
def restore_context(carrier: Mapping[str, str] | None) -> Iterator[None]:
    """Make a captured carrier's context current for the block (a worker runs its chunk inside):
    root runs started there become children of the span that was current at capture time."""
    if not carrier:
        yield
        return
    token = otel_context.attach(propagate.extract(dict(carrier)))
    try:
        yield
    finally:
        otel_context.detach(token)


# Every `runwire.propagation.capture()` now carries the OTel context too, and `restore()` attaches
# it around the restored work (the worker must import `runwire.tracers.otel`, as it configures OTel).
register_carrier("otel", capture_context, restore_context)
