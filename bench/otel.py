"""What OpenTelemetry export costs: chain (a) with `OpenTelemetryTracer` vs one no-op handler,
and with no tracer installed vs plain.

    .venv/bin/python bench/otel.py [--quick]

chain (a) = ChatPromptTemplate.from_template("What is 1 + {number}?") |
GenericFakeChatModel(messages=itertools.repeat("The answer is 3.")) | StrOutputParser().
Per-call medians (bench/_timing.py: loops of ~200 ms, 7 repeats, wall and CPU):
* plain: no handler, before anything OpenTelemetry is imported (checked: the core never imports
  it); no tracer installed: the same after `runwire.tracers.otel` and the SDK are loaded and a
  global SDK provider is set, with no tracer on the run. The integration must add nothing.
* no-op handler: one handler listening to the events the tracer listens to, doing nothing;
  recording handler: one that appends (run_id, parent_run_id, name) on every start and end
  (as `make bench`'s a.invoke.h1.recording); OTel tracer: `OpenTelemetryTracer` on an SDK
  provider whose exporter drops every batch (BatchSpanProcessor, what applications use;
  SimpleSpanProcessor as a second row): 4 spans per call, each made current around its body;
  lean: `exclude_types=("prompt", "parser")`, 2 spans. Target (issue 20): tracer <= 2.5x the
  recording handler.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import FULL, QUICK, Settings, per_call
from runwire.callbacks import BaseCallbackHandler
from runwire.language_models import GenericFakeChatModel
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate

INPUT = {"number": "2"}
TARGET_RATIO = 2.5  # vs the recording handler
LEAN = ("prompt", "parser")


class NoOp(BaseCallbackHandler):
    """Listens to the events `OpenTelemetryTracer` listens to, and does nothing."""

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        pass

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        pass

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        pass

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        pass

    def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
        pass

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        pass

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        pass

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        pass


class Recording(NoOp):
    """Appends (run_id, parent_run_id, name) on every start and (run_id, parent_run_id) on
    every end (bounded)."""

    def __init__(self) -> None:
        from collections import deque

        self.log: Any = deque(maxlen=64)

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.log.append((kwargs["run_id"], kwargs.get("parent_run_id"), kwargs.get("name")))

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.log.append((kwargs["run_id"], kwargs.get("parent_run_id")))

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.log.append((kwargs["run_id"], kwargs.get("parent_run_id"), kwargs.get("name")))

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.log.append((kwargs["run_id"], kwargs.get("parent_run_id")))


def chain_a() -> Any:
    return (
        ChatPromptTemplate.from_template("What is 1 + {number}?")
        | GenericFakeChatModel(messages=itertools.repeat("The answer is 3."))
        | StrOutputParser()
    )


def invoke(chain: Any, handlers: Sequence[Any] | None) -> Callable[[], object]:
    config = {"callbacks": list(handlers)} if handlers is not None else None
    return lambda: chain.invoke(INPUT, config)


def stream(chain: Any, handlers: Sequence[Any]) -> Callable[[], object]:
    config = {"callbacks": list(handlers)}
    return lambda: list(chain.stream(INPUT, config))


class Minimal(NoOp):
    """The least an OTel handler on this runtime does: a span per run with an explicit parent and
    one attribute, made current around each body, ended at the end. No GenAI attributes."""

    def __init__(self, provider: Any) -> None:
        from opentelemetry import context, trace

        self.tracer = provider.get_tracer("minimal")
        self.spans: dict[Any, Any] = {}
        self.current, self.attach, self.detach = context.get_current, context.attach, context.detach
        self.with_span = trace.set_span_in_context

    def _open(self, kwargs: dict[str, Any], kind: Any) -> None:
        known = self.spans.get(kwargs.get("parent_run_id"))
        parent = known[1] if known is not None else self.current()
        attributes = {"runwire.run_id": str(kwargs["run_id"])}
        span = self.tracer.start_span(kwargs.get("name") or "run", parent, kind, attributes)
        self.spans[kwargs["run_id"]] = (span, self.with_span(span, parent))

    def _close(self, kwargs: dict[str, Any]) -> None:
        found = self.spans.pop(kwargs["run_id"], None)
        if found is not None:
            found[0].end()

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        from opentelemetry.trace import SpanKind

        self._open(kwargs, SpanKind.INTERNAL)

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        from opentelemetry.trace import SpanKind

        self._open(kwargs, SpanKind.CLIENT)

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self._close(kwargs)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self._close(kwargs)

    def enter_run(self, run_id: Any) -> Any:
        found = self.spans.get(run_id)
        return None if found is None else self.attach(found[1])

    def exit_run(self, token: Any) -> None:
        if token is not None:
            self.detach(token)


def us(result: dict[str, Any]) -> str:
    return f"{result['wall'] / 1000:7.1f} µs ({result['cpu'] / 1000:6.1f} cpu)"


def row(what: str, left: dict[str, Any], right: dict[str, Any], target: float | None) -> str:
    ratio, cpu_ratio = right["wall"] / left["wall"], right["cpu"] / left["cpu"]
    mark = "" if target is None else (" ✓" if ratio <= target else " ✗")
    return f"| {what} | {us(left)} | {us(right)} | {ratio:5.2f}x ({cpu_ratio:.2f}x cpu){mark} |"


def main(settings: Settings) -> None:
    chain = chain_a()
    plain = per_call(invoke(chain, None), settings)
    loaded = [m for m in sys.modules if m == "opentelemetry" or m.startswith("runwire.tracers")]
    assert not loaded, f"the core loaded {loaded}"

    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        SimpleSpanProcessor,
        SpanExporter,
        SpanExportResult,
    )

    from runwire.tracers.otel import OpenTelemetryTracer

    class Drop(SpanExporter):
        def export(self, spans: Any) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    batch = TracerProvider()
    batch.add_span_processor(BatchSpanProcessor(Drop(), max_queue_size=1 << 16))
    simple = TracerProvider()
    simple.add_span_processor(SimpleSpanProcessor(Drop()))
    trace.set_tracer_provider(batch)

    installed = per_call(invoke(chain, None), settings)
    noop = per_call(invoke(chain, [NoOp()]), settings)
    recording = per_call(invoke(chain, [Recording()]), settings)
    minimal = per_call(invoke(chain, [Minimal(batch)]), settings)
    otel_batch = per_call(invoke(chain, [OpenTelemetryTracer(batch)]), settings)
    otel_simple = per_call(invoke(chain, [OpenTelemetryTracer(simple)]), settings)
    lean_batch = per_call(invoke(chain, [OpenTelemetryTracer(batch, exclude_types=LEAN)]), settings)
    lean_simple = per_call(invoke(chain, [OpenTelemetryTracer(simple, exclude_types=LEAN)]), settings)
    otel_content = per_call(invoke(chain, [OpenTelemetryTracer(batch, capture_content=True)]), settings)
    noop_stream = per_call(stream(chain, [NoOp()]), settings)
    otel_stream = per_call(stream(chain, [OpenTelemetryTracer(batch)]), settings)
    batch.shutdown()
    simple.shutdown()

    print("chain (a), per call: median wall time (and CPU time, all threads)\n")
    print("| figure | baseline | with OTel | ratio |")
    print("| --- | --- | --- | --- |")
    print(row("invoke: plain → no tracer installed (SDK loaded)", plain, installed, None))
    print(row("invoke: recording → OTel tracer (batch processor)", recording, otel_batch, TARGET_RATIO))
    print(row("invoke: recording → OTel tracer (simple processor)", recording, otel_simple, TARGET_RATIO))
    print(row("invoke: recording → OTel tracer, lean (batch)", recording, lean_batch, TARGET_RATIO))
    print(row("invoke: recording → OTel tracer, lean (simple)", recording, lean_simple, TARGET_RATIO))
    print(row("invoke: no-op handler → OTel tracer (batch processor)", noop, otel_batch, None))
    print(row("invoke: no-op handler → minimal span handler (SDK floor)", noop, minimal, None))
    print(row("invoke: minimal span handler → OTel tracer", minimal, otel_batch, None))
    print(row("invoke: no-op handler → OTel tracer + content", noop, otel_content, None))
    print(row("stream (7 chunks): no-op handler → OTel tracer", noop_stream, otel_stream, None))
    print(
        f"\ntarget: OTel tracer <= {TARGET_RATIO:g}x one recording handler; nothing added when not installed."
        '\nlean: exclude_types=("prompt", "parser"), 2 spans per call instead of 4.'
        "\nThe minimal span handler makes the same 4 spans with one attribute each and no GenAI"
        "\nmapping: what any exporter on this SDK pays at least."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats (smoke run)")
    main(QUICK if parser.parse_args().quick else FULL)
