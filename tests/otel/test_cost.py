"""What the exporter does not do when it need not: `exclude_types` (no span for some run types,
children nested under the nearest traced ancestor) and no content serialised for spans the
sampler drops. Structural checks only; the timings are in bench/ (`make bench`, bench/otel.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, Sampler
from opentelemetry.trace import StatusCode

from runwire.exceptions import OutputParserException
from runwire.output_parsers import JsonOutputParser, StrOutputParser
from runwire.runnables import RunnableLambda
from runwire.tools import tool
from runwire.tracers.content import ContentPolicy
from runwire.tracers.otel import OpenTelemetryTracer

from .conftest import Spans
from .models import chain, model

pytestmark = pytest.mark.usefixtures("no_detach_errors")

LEAN = ("prompt", "parser")


def _without_run_id(attributes: Any) -> dict[str, Any]:
    return {k: v for k, v in dict(attributes or {}).items() if k != "runwire.run_id"}


def test_excluding_prompts_and_parsers_keeps_the_other_spans_as_they_were(
    provider: TracerProvider, spans: Spans
) -> None:
    """Chain (a) with exclude_types=("prompt", "parser"): the sequence and the chat span, linked
    and attributed exactly as the default tracer makes them; nothing left in flight."""
    full = OpenTelemetryTracer(provider)
    chain().invoke({"number": "2"}, {"callbacks": [full]})
    before = {s.name: (s.kind, _without_run_id(s.attributes)) for s in spans.all}
    spans.exporter.clear()

    lean = OpenTelemetryTracer(provider, exclude_types=LEAN)
    assert lean.exclude_types == frozenset(LEAN)
    assert chain().invoke({"number": "2"}, {"callbacks": [lean]}) == "The answer is 3."
    assert spans.tree() == ("RunnableSequence", [("chat gpt-fake", [])])
    assert {s.name: (s.kind, _without_run_id(s.attributes)) for s in spans.all} == {
        name: before[name] for name in ("RunnableSequence", "chat gpt-fake")
    }
    spans.assert_well_formed()
    assert lean._runs == {}
    assert lean._hidden == {}


def test_runs_inside_an_excluded_run_nest_under_its_nearest_traced_ancestor(
    provider: TracerProvider, spans: Spans
) -> None:
    """tool (traced) → lambda (a chain, excluded) → lambda (excluded) → model (traced): the chat
    span is the tool span's child, in the tool's trace."""
    llm = model()
    inner = RunnableLambda(lambda q: llm.invoke(q).content)
    outer = RunnableLambda(lambda q: inner.invoke(q))

    @tool
    def ask(question: str) -> str:
        """Ask the model."""
        return str(outer.invoke(question))

    tracer = OpenTelemetryTracer(provider, exclude_types=("chain",))
    assert ask.invoke({"question": "1 + 2?"}, {"callbacks": [tracer]}) == "The answer is 3."
    assert spans.tree() == ("execute_tool ask", [("chat gpt-fake", [])])
    assert len(spans.traces()) == 1
    assert tracer._runs == {}
    assert tracer._hidden == {}


def test_an_excluded_run_that_fails_does_not_fail_its_ancestor(
    provider: TracerProvider, spans: Spans
) -> None:
    """A JSON parser (excluded) fails inside with_fallbacks and the string parser (excluded)
    takes over: the fallbacks span ends OK, as the run did; a failing traced run still fails."""
    tracer = OpenTelemetryTracer(provider, exclude_types=("parser",))
    guarded = JsonOutputParser().with_fallbacks([StrOutputParser()])
    assert guarded.invoke("not json", {"callbacks": [tracer]}) == "not json"
    (span,) = spans.all
    assert span.name == "RunnableWithFallbacks"
    assert span.status.status_code is StatusCode.UNSET
    assert not span.events

    spans.exporter.clear()
    with pytest.raises(OutputParserException):
        (RunnableLambda(lambda x: x) | JsonOutputParser()).invoke("not json", {"callbacks": [tracer]})
    statuses = {s.name: s.status.status_code for s in spans.all}
    assert statuses == {"RunnableSequence": StatusCode.ERROR, "RunnableLambda": StatusCode.UNSET}
    assert tracer._runs == {}
    assert tracer._hidden == {}


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (("prompt", "parsers"), ValueError, "unknown run type.*'parsers'.*expected some of"),
        ("prompt", TypeError, r"exclude_types=\('prompt',\)"),
    ],
)
def test_exclude_types_says_what_it_expects(
    provider: TracerProvider, value: Any, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        OpenTelemetryTracer(provider, exclude_types=value)


def _counting_dumps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the field of every content serialisation the policy is asked for."""
    fields: list[str] = []
    real: Callable[..., Any] = ContentPolicy.dumps

    def dumps(self: ContentPolicy, value: Any, field: str = "") -> str | None:
        fields.append(field)
        return real(self, value, field)

    monkeypatch.setattr(ContentPolicy, "dumps", dumps)
    return fields


@pytest.mark.parametrize(("sampler", "serialised"), [(ALWAYS_OFF, False), (ALWAYS_ON, True)])
def test_content_is_serialised_only_for_recorded_spans(
    monkeypatch: pytest.MonkeyPatch, sampler: Sampler, serialised: bool
) -> None:
    """capture_content=True under a sampler that drops everything: no payload is serialised
    (and nothing exported); under one that keeps everything, inputs and outputs are."""
    fields = _counting_dumps(monkeypatch)
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=sampler)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = OpenTelemetryTracer(provider, capture_content=True)
    assert chain().invoke({"number": "2"}, {"callbacks": [tracer]}) == "The answer is 3."
    assert len(exporter.get_finished_spans()) == (4 if serialised else 0)
    if serialised:
        assert set(fields) == {"inputs", "outputs"}
        assert len(fields) == 8  # 4 runs: inputs and outputs each
    else:
        assert fields == []
    assert tracer._runs == {}
    provider.shutdown()
