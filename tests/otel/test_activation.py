"""Turning export on: as a run-time handler, with `runwire.tracing(...)`, or with
`RUNWIRE_TRACE=otel` and no code change; carrying the context to another process; and the core
never importing any of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
from opentelemetry import baggage, context, trace

import runwire
from runwire.runnables import RunnableLambda
from runwire.tracers import redacted
from runwire.tracers._global import parse_specs
from runwire.tracers._otel_setup import from_spec
from runwire.tracers.otel import OpenTelemetryTracer, capture_context, restore_context

from .conftest import Spans
from .models import CHAIN_TREE, chain

SRC = str(Path(__file__).resolve().parents[2] / "src")

CHAIN = """
import itertools
from runwire.language_models import GenericFakeChatModel
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate
chain = ChatPromptTemplate.from_template("What is 1 + {number}?") | GenericFakeChatModel(
    messages=itertools.repeat("The answer is 3.")) | StrOutputParser()
"""


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run CHAIN + `code` in a fresh interpreter with only the given RUNWIRE_/OTEL_ variables."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("RUNWIRE_", "OTEL_"))}
    environment.update(env, PYTHONPATH=SRC)
    return subprocess.run(
        [sys.executable, "-c", CHAIN + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def _json_objects(text: str) -> list[dict[str, Any]]:
    """The JSON objects printed one after another (the console exporter's output)."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while (start := text.find("{", at)) != -1:
        value, at = decoder.raw_decode(text, start)
        found.append(value)
    return found


def test_runwire_tracing_scopes_the_tracer_to_a_block(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """`with runwire.tracing(OpenTelemetryTracer(...))`: runs in the block export with no config."""
    with runwire.tracing(tracer):
        chain().invoke({"number": "2"})
    chain().invoke({"number": "2"})
    assert spans.tree() == CHAIN_TREE


def test_runwire_trace_otel_console_exports_every_run() -> None:
    """`RUNWIRE_TRACE=otel:console` and no code change: each run printed as a span, one trace,
    flushed at exit, no content."""
    done = _run("chain.invoke({'number': '2'})\n", RUNWIRE_TRACE="otel:console")
    assert done.returncode == 0, done.stderr
    printed = _json_objects(done.stdout)
    assert sorted(s["name"] for s in printed) == [
        "ChatPromptTemplate",
        "RunnableSequence",
        "StrOutputParser",
        "chat",
    ]
    assert len({s["context"]["trace_id"] for s in printed}) == 1
    assert "What is 1 + 2?" not in done.stdout
    chat = next(s for s in printed if s["name"] == "chat")
    assert chat["kind"] == "SpanKind.CLIENT"
    assert chat["attributes"]["gen_ai.operation.name"] == "chat"


def test_runwire_trace_otel_uses_a_provider_the_app_sets_up_later() -> None:
    """`RUNWIRE_TRACE=otel` is read at `import runwire`; an application that configures its
    provider afterwards still gets the spans (the provider is looked up at the first span)."""
    code = """
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    chain.invoke({'number': '2'})
    print(sorted(s.name for s in exporter.get_finished_spans()))
    """
    done = _run(code, RUNWIRE_TRACE="otel")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['ChatPromptTemplate', 'RunnableSequence', 'StrOutputParser', 'chat']"
    assert "Overriding" not in done.stderr


def test_runwire_trace_otel_sets_up_from_otel_variables_when_the_app_does_not() -> None:
    """No provider configured: the standard `OTEL_*` variables choose the exporter; the content
    opt-in variable of the GenAI conventions is honoured."""
    done = _run(
        CHAIN + "chain.invoke({'number': '2'})\n",
        RUNWIRE_TRACE="otel",
        OTEL_TRACES_EXPORTER="console",
        OTEL_SERVICE_NAME="quiz",
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="true",
    )
    assert done.returncode == 0, done.stderr
    printed = _json_objects(done.stdout)
    assert len(printed) == 4
    assert {s["resource"]["attributes"]["service.name"] for s in printed} == {"quiz"}
    chat = next(s for s in printed if s["name"] == "chat")
    assert "What is 1 + 2?" in chat["attributes"]["gen_ai.input.messages"]


def test_an_unknown_exporter_is_reported_and_nothing_breaks() -> None:
    """`otel:nosuch`: a warning naming what is installed; the program runs untraced."""
    done = _run("print(chain.invoke({'number': '2'}))\n", RUNWIRE_TRACE="otel:nosuch")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "The answer is 3."
    assert "no OpenTelemetry span exporter named 'nosuch'" in done.stderr


def test_runwire_tracing_otel_console_flushes_on_exit() -> None:
    """`with runwire.tracing("otel:console"):` exports the block's runs and flushes at its end."""
    code = """
    import runwire
    with runwire.tracing("otel:console"):
        chain.invoke({'number': '2'})
    print("after")
    """
    done = _run(code)
    assert done.returncode == 0, done.stderr
    before, _, after = done.stdout.partition("after")
    assert len(_json_objects(before)) == 4
    assert after.strip() == ""


def test_no_exporter_and_no_provider_warns_once_and_runs_untraced() -> None:
    """`RUNWIRE_TRACE=otel` where nothing is configured and the exporter is missing: one
    warning, then the program runs as if untraced."""
    code = "for n in range(3): print(chain.invoke({'number': str(n)}))\n"
    done = _run(code, RUNWIRE_TRACE="otel", OTEL_TRACES_EXPORTER="nosuch")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["The", "answer", "is", "3."] * 3
    assert done.stderr.count("RUNWIRE_TRACE=otel exports nothing") == 1
    assert "Error in" not in done.stderr


def test_content_needs_an_explicit_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default policy (FULL, which is also what an unset RUNWIRE_TRACE_CONTENT parses to)
    does not turn content on; RUNWIRE_TRACE_CONTENT, the OTel variable or another policy do."""

    def captures() -> bool:  # as `RUNWIRE_TRACE=otel` builds it (runwire.tracers._global)
        (tracer,) = parse_specs("otel", os.environ.get("RUNWIRE_TRACE_CONTENT"))
        return bool(tracer.capture_content)

    for name in ("RUNWIRE_TRACE_CONTENT", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"):
        monkeypatch.delenv(name, raising=False)
    assert not captures()
    assert not from_spec(None).capture_content
    assert from_spec(None, content=redacted()).capture_content
    monkeypatch.setenv("RUNWIRE_TRACE_CONTENT", "none")
    assert not captures()
    monkeypatch.setenv("RUNWIRE_TRACE_CONTENT", "full")
    assert captures()
    monkeypatch.delenv("RUNWIRE_TRACE_CONTENT")
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    assert captures()


def test_the_core_never_imports_the_exporter() -> None:
    """Running a chain imports neither OpenTelemetry nor this integration."""
    code = """
    import sys
    from runwire.callbacks import BaseCallbackHandler
    chain.invoke({'number': '2'})
    chain.invoke({'number': '2'}, {'callbacks': [BaseCallbackHandler()]})
    print(sorted(m for m in sys.modules if m.startswith(('opentelemetry', 'runwire.tracers'))))
    """
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# -- across processes ---------------------------------------------------------------------------


def test_a_carrier_continues_the_trace_elsewhere(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """capture_context() inside a step, restore_context() on the other side (here a bare thread,
    which starts from an empty context as a worker process does): the remote runs join the
    trace under that step, with the baggage."""
    carried: dict[str, Any] = {}

    def submit(x: Any) -> Any:
        carried["carrier"] = json.loads(json.dumps(capture_context()))  # as shipped: plain JSON
        return x

    token = context.attach(baggage.set_baggage("tenant", "acme"))
    try:
        RunnableLambda(submit, name="submit").invoke(1, {"callbacks": [tracer]})
    finally:
        context.detach(token)
    carrier = carried["carrier"]
    assert set(carrier) == {"traceparent", "baggage"}

    seen: dict[str, Any] = {}

    def worker() -> None:
        assert not trace.get_current_span().get_span_context().is_valid
        with restore_context(carrier):
            seen["tenant"] = baggage.get_baggage("tenant")
            chain().invoke({"number": "2"}, {"callbacks": [tracer]})
        seen["after"] = trace.get_current_span().get_span_context().is_valid

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == {"tenant": "acme", "after": False}
    assert len(spans.traces()) == 1
    remote_root = spans.one("RunnableSequence")
    assert remote_root.parent is not None
    assert remote_root.parent.is_remote
    assert remote_root.parent.span_id == spans.one("submit").context.span_id


def test_restore_with_nothing_captured_is_a_no_op(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """Outside any span there is nothing to carry; restoring None changes nothing."""
    assert capture_context() is None
    with restore_context(None):
        chain().invoke({"number": "2"}, {"callbacks": [tracer]})
    assert spans.tree() == CHAIN_TREE


def test_runwire_propagation_carries_the_otel_context(
    tracer: OpenTelemetryTracer, spans: Spans, provider: Any
) -> None:
    """`runwire.propagation.capture()` includes the W3C context under `ext.otel`; `restore()`
    on the other side (a tracer that never heard the captured run, as in another process)
    attaches it, so the restored runs' spans join the captured step's trace under its span."""
    from runwire import propagation

    carried: dict[str, Any] = {}

    def submit(x: Any) -> Any:
        carried["carrier"] = json.loads(json.dumps(propagation.capture()))
        return x

    RunnableLambda(submit, name="submit").invoke(1, {"callbacks": [tracer]})
    carrier = carried["carrier"]
    assert set(carrier["ext"]["otel"]) == {"traceparent"}

    remote = OpenTelemetryTracer(provider)

    def worker() -> None:
        with propagation.restore(carrier, [remote]):
            chain().invoke({"number": "2"})

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert spans.tree() == ("submit", [CHAIN_TREE])
    assert len(spans.traces()) == 1
