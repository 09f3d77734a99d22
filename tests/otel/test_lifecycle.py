"""Every span ends exactly once: on success, on error, on task cancellation and when a consumer
abandons a stream (the last three with ERROR status)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from opentelemetry.trace import StatusCode

from runwire.runnables import RunnableLambda
from runwire.tracers.otel import OpenTelemetryTracer

from .conftest import Spans
from .models import chain, model

pytestmark = pytest.mark.usefixtures("no_detach_errors")


async def test_cancellation_ends_every_open_span_with_error(
    tracer: OpenTelemetryTracer, spans: Spans
) -> None:
    """A cancelled task: the step waiting and every run above it end, ERROR, CancelledError."""
    started = asyncio.Event()

    async def wait_forever(x: Any) -> Any:
        started.set()
        await asyncio.sleep(60)
        return x

    steps = RunnableLambda(lambda x: x, name="first") | RunnableLambda(wait_forever, name="wait")
    task = asyncio.create_task(steps.ainvoke(1, {"callbacks": [tracer]}))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert spans.tree() == ("RunnableSequence", [("first", []), ("wait", [])])
    for name in ("wait", "RunnableSequence"):
        span = spans.one(name)
        assert span.status.status_code is StatusCode.ERROR
        assert dict(span.attributes or {})["error.type"] == "asyncio.exceptions.CancelledError"
    assert spans.one("first").status.status_code is StatusCode.UNSET
    assert tracer._runs == {}


async def test_cancelling_a_gather_ends_each_branch(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """Cancellation in a fan-out: every branch's span ends (children before the parent)."""
    started: list[int] = []
    both = asyncio.Event()

    async def wait(x: int) -> int:
        started.append(x)
        if len(started) == 2:
            both.set()
        await asyncio.sleep(60)
        return x

    leaf = RunnableLambda(wait, name="leaf")

    async def fan_out(x: Any) -> Any:
        return await asyncio.gather(leaf.ainvoke(1), leaf.ainvoke(2))

    task = asyncio.create_task(RunnableLambda(fan_out, name="fan_out").ainvoke(1, {"callbacks": [tracer]}))
    await both.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert spans.tree() == ("fan_out", [("leaf", []), ("leaf", [])])
    assert {s.status.status_code for s in spans.all} == {StatusCode.ERROR}
    parent = spans.one("fan_out")
    assert all((s.end_time or 0) <= (parent.end_time or 0) for s in spans.named("leaf"))


def test_an_abandoned_stream_ends_its_spans(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """A consumer that stops reading: the model and chain spans end, ERROR, GeneratorExit, with
    the partial stream's attributes kept."""
    stream = chain().stream({"number": "2"}, {"callbacks": [tracer]})
    assert next(stream) == "The"
    del stream
    gc.collect()
    chat = spans.one("chat gpt-fake")
    assert chat.status.status_code is StatusCode.ERROR
    assert dict(chat.attributes or {})["error.type"] == "GeneratorExit"
    assert dict(chat.attributes or {})["gen_ai.request.stream"] is True
    assert "stopped reading" in (chat.status.description or "")
    assert spans.one("RunnableSequence").status.status_code is StatusCode.ERROR
    spans.assert_well_formed()
    assert tracer._runs == {}


async def test_an_abandoned_astream_ends_its_spans(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """The async twin: closing the stream early ends the spans with ERROR."""
    stream = model().astream("hi", {"callbacks": [tracer]})
    first = await anext(stream)  # type: ignore[arg-type]
    assert first.content == "The"
    await stream.aclose()  # type: ignore[attr-defined]
    chat = spans.one("chat gpt-fake")
    assert chat.status.status_code is StatusCode.ERROR
    assert dict(chat.attributes or {})["error.type"] == "GeneratorExit"
    assert tracer._runs == {}


def test_spans_are_not_ended_twice(tracer: OpenTelemetryTracer, spans: Spans, caplog: Any) -> None:
    """Late or repeated terminal events for a run are ignored (no 'already ended' warnings)."""
    from uuid import uuid4

    run_id = uuid4()
    tracer.on_chain_start({"name": "x"}, {}, run_id=run_id, name="x")
    tracer.on_chain_end({}, run_id=run_id)
    tracer.on_chain_end({}, run_id=run_id)
    tracer.on_chain_error(ValueError("late"), run_id=run_id)
    assert len(spans.all) == 1
    assert not [r for r in caplog.records if "already ended" in r.getMessage()]


def test_scope_hooks_ignore_runs_they_never_heard(tracer: OpenTelemetryTracer) -> None:
    """enter_run for an unknown run attaches nothing; exit_run of that is a no-op."""
    from uuid import uuid4

    token = tracer.enter_run(uuid4())
    assert token is None
    tracer.exit_run(token)
