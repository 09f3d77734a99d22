"""One span per run, nested as the runs are, named and attributed by the OTel GenAI conventions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from runwire.runnables import RunnableLambda
from runwire.tracers import redacted
from runwire.tracers.otel import OpenTelemetryTracer

from .conftest import Spans
from .models import CHAIN_TREE, FakeGPT, chain, model, reply

pytestmark = pytest.mark.usefixtures("no_detach_errors")


def test_invoke_makes_one_trace_nested_as_the_runs(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """chain (a) under invoke: one trace, the sequence at the root, its three steps below it."""
    assert chain().invoke({"number": "2"}, {"callbacks": [tracer]}) == "The answer is 3."
    assert spans.tree() == CHAIN_TREE
    assert len(spans.traces()) == 1
    spans.assert_well_formed()


async def test_ainvoke_makes_the_same_tree(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """ainvoke reports exactly what invoke does."""
    assert await chain().ainvoke({"number": "2"}, {"callbacks": [tracer]}) == "The answer is 3."
    assert spans.tree() == CHAIN_TREE
    spans.assert_well_formed()


def test_chat_span_carries_the_genai_attributes(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """A model call is a CLIENT span `chat {model}` with request, response and usage attributes."""
    chain().invoke({"number": "2"}, {"callbacks": [tracer]})
    span = spans.one("chat gpt-fake")
    assert span.kind is SpanKind.CLIENT
    attributes = dict(span.attributes or {})
    assert {k: v for k, v in attributes.items() if k.startswith("gen_ai.")} == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-fake",
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.max_tokens": 64,
        "gen_ai.response.id": "chatcmpl-1",
        "gen_ai.response.model": "gpt-fake-0613",
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": 7,
        "gen_ai.usage.output_tokens": 5,
    }
    assert attributes["runwire.run_type"] == "llm"
    assert span.status.status_code is StatusCode.UNSET


def test_chains_are_internal_spans_with_runwire_attributes(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """Chain steps are INTERNAL spans carrying run id, run type, tags and metadata."""
    chain().invoke(
        {"number": "2"},
        {
            "callbacks": [tracer],
            "tags": ["nightly"],
            "metadata": {"user": "u-1", "attempt": 2},
        },
    )
    root = spans.one("RunnableSequence")
    prompt = spans.one("ChatPromptTemplate")
    assert root.kind is SpanKind.INTERNAL
    assert prompt.kind is SpanKind.INTERNAL
    attributes = dict(prompt.attributes or {})
    assert attributes["runwire.run_type"] == "prompt"
    assert attributes["runwire.tags"] == ("seq:step:1", "nightly")
    assert attributes["runwire.metadata.user"] == "u-1"
    assert attributes["runwire.metadata.attempt"] == 2
    assert dict(root.attributes or {})["runwire.run_type"] == "chain"
    ids = {dict(s.attributes or {})["runwire.run_id"] for s in spans.all}
    assert len(ids) == 4


def test_span_run_ids_are_the_runs_ids(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """`runwire.run_id` is the id handlers and the trace store see (a given root id included)."""
    from uuid import UUID

    run_id = UUID("01a213f0-0fa7-71e8-9a9e-b72e38174507")
    chain().invoke({"number": "2"}, {"callbacks": [tracer], "run_id": run_id})
    assert dict(spans.one("RunnableSequence").attributes or {})["runwire.run_id"] == str(run_id)


def test_batch_makes_one_trace_per_input(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """batch runs inputs on threads: each input is its own well-formed trace."""
    outputs = chain().batch([{"number": str(n)} for n in range(5)], {"callbacks": [tracer]})
    assert outputs == ["The answer is 3."] * 5
    assert len(spans.traces()) == 5
    assert [spans.tree(root) for root in spans.roots()] == [CHAIN_TREE] * 5
    spans.assert_well_formed()


async def test_abatch_makes_one_trace_per_input(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """abatch, likewise."""
    await chain().abatch([{"number": str(n)} for n in range(5)], {"callbacks": [tracer]})
    assert [spans.tree(root) for root in spans.roots()] == [CHAIN_TREE] * 5
    assert len(spans.traces()) == 5


def _stream_checks(spans: Spans, chunks: list[str]) -> None:
    assert "".join(chunks) == "The answer is 3."
    assert spans.tree() == CHAIN_TREE
    attributes = dict(spans.one("chat gpt-fake").attributes or {})
    assert attributes["gen_ai.request.stream"] is True
    assert 0 < attributes["gen_ai.response.time_to_first_chunk"] < 5
    # Usage and response metadata arrive in the final chunk; the span has them.
    assert attributes["gen_ai.usage.input_tokens"] == 7
    assert attributes["gen_ai.usage.output_tokens"] == 5
    assert attributes["gen_ai.response.id"] == "chatcmpl-1"
    spans.assert_well_formed()


def test_stream_reports_time_to_first_chunk_and_final_usage(
    tracer: OpenTelemetryTracer, spans: Spans
) -> None:
    """Streaming: the model span records time to first chunk and the usage of the last chunk."""
    _stream_checks(spans, list(chain().stream({"number": "2"}, {"callbacks": [tracer]})))


async def test_astream_reports_the_same(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """astream, likewise."""
    chunks = [c async for c in chain().astream({"number": "2"}, {"callbacks": [tracer]})]
    _stream_checks(spans, chunks)


def test_the_model_span_lives_as_long_as_the_stream(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """The chat span ends when the last chunk was read, not when the stream object was made."""
    import time

    stream = model().stream("hi", {"callbacks": [tracer]})
    first = next(stream)
    time.sleep(0.05)
    rest = list(stream)
    assert first.content + "".join(str(c.content) for c in rest) == "The answer is 3."
    span = spans.one("chat gpt-fake")
    assert span.end_time is not None
    assert span.start_time is not None
    assert span.end_time - span.start_time >= 50_000_000


def test_errors_set_status_and_error_type(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """A failing step: ERROR status, `error.type`, an exception event; its parents fail too."""

    def boom(x: Any) -> Any:
        raise ValueError("kaboom")

    with pytest.raises(ValueError, match="kaboom"):
        (chain() | RunnableLambda(boom)).invoke({"number": "2"}, {"callbacks": [tracer]})
    failed = spans.one("boom")
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.status.description == "ValueError: kaboom"
    assert dict(failed.attributes or {})["error.type"] == "ValueError"
    assert [e.name for e in failed.events] == ["exception"]
    assert spans.one("RunnableSequence").status.status_code is StatusCode.ERROR
    assert spans.one("chat gpt-fake").status.status_code is StatusCode.UNSET
    spans.assert_well_formed()


def test_model_errors_name_the_exception_class(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """A model that raises: `error.type` is the exception's qualified class name."""

    class RateLimited(Exception):
        pass

    class Failing(FakeGPT):
        def _generate(self, *args: Any, **kwargs: Any) -> Any:
            raise RateLimited("slow down")

    with pytest.raises(RateLimited):
        Failing(messages=iter([])).invoke("hi", {"callbacks": [tracer]})
    span = spans.one("chat gpt-fake")
    assert span.status.status_code is StatusCode.ERROR
    assert dict(span.attributes or {})["error.type"].endswith("RateLimited")


def test_text_models_are_text_completion_spans(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """A text model's run is `text_completion {model}`."""
    from runwire.language_models import FakeListLLM

    class Completion(FakeListLLM):
        model_name: str = "davinci-fake"

    Completion(responses=["4"]).invoke("2 + 2 =", {"callbacks": [tracer]})
    span = spans.one("text_completion davinci-fake")
    assert span.kind is SpanKind.CLIENT
    assert dict(span.attributes or {})["gen_ai.operation.name"] == "text_completion"


# -- content ------------------------------------------------------------------------------------


def test_content_is_off_by_default(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """No prompt, message, input or output text reaches any span unless asked for."""
    chain().invoke({"number": "2"}, {"callbacks": [tracer]})
    exported = json.dumps([dict(s.attributes or {}) for s in spans.all], default=str)
    assert "What is 1 + 2?" not in exported
    assert "The answer is 3." not in exported
    assert "gen_ai.input.messages" not in exported


def test_content_capture_is_opt_in(provider: Any, spans: Spans) -> None:
    """capture_content=True: input and output messages as the conventions' JSON structure."""
    chain().invoke({"number": "2"}, {"callbacks": [OpenTelemetryTracer(provider, capture_content=True)]})
    attributes = dict(spans.one("chat gpt-fake").attributes or {})
    assert json.loads(attributes["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "What is 1 + 2?"}]}
    ]
    assert json.loads(attributes["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "The answer is 3."}],
            "finish_reason": "stop",
        }
    ]
    root = dict(spans.one("RunnableSequence").attributes or {})
    assert json.loads(root["runwire.inputs"]) == {"number": "2"}
    assert json.loads(root["runwire.outputs"]) == "The answer is 3."


def test_streamed_output_messages_are_the_assistants(provider: Any, spans: Spans) -> None:
    """A streamed reply (merged chunks) is exported as one assistant message."""
    tracer = OpenTelemetryTracer(provider, capture_content=True)
    list(model().stream("hi", {"callbacks": [tracer]}))
    out = json.loads(dict(spans.one("chat gpt-fake").attributes or {})["gen_ai.output.messages"])
    assert out == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "The answer is 3."}],
            "finish_reason": "stop",
        }
    ]


def test_api_keys_are_never_exported(provider: Any, spans: Spans) -> None:
    """Secrets are scrubbed from metadata always, and from content when content is on."""
    key = "sk-proj-abcdefghijklmnop1234567890"
    tracer = OpenTelemetryTracer(provider, capture_content=True)
    chain().invoke({"number": key}, {"callbacks": [tracer], "metadata": {"api_key": key, "note": f"k={key}"}})
    exported = json.dumps([dict(s.attributes or {}) for s in spans.all], default=str)
    assert key not in exported
    assert "[REDACTED]" in exported


def test_a_content_policy_redacts_what_it_names(provider: Any, spans: Spans) -> None:
    """capture_content=redacted(...): content is exported with the policy's masks applied."""
    tracer = OpenTelemetryTracer(provider, capture_content=redacted())
    chain().invoke({"number": "bob@example.com"}, {"callbacks": [tracer]})
    attributes = dict(spans.one("chat gpt-fake").attributes or {})
    assert "bob@example.com" not in attributes["gen_ai.input.messages"]
    assert "[REDACTED]" in attributes["gen_ai.input.messages"]


def test_finished_runs_are_forgotten(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """Memory is bounded by the runs in flight: nothing is kept once runs end."""
    c = chain()
    for n in range(20):
        c.invoke({"number": str(n)}, {"callbacks": [tracer]})
    list(c.stream({"number": "1"}, {"callbacks": [tracer]}))
    assert tracer._runs == {}
    assert len(spans.all) == 84


def test_tool_calls_in_output_messages(provider: Any, spans: Spans) -> None:
    """A reply with tool calls exports them as `tool_call` parts (content on)."""
    tracer = OpenTelemetryTracer(provider, capture_content=True)
    message = reply("", tool_calls=[{"name": "add", "args": {"a": 1}, "id": "c1"}])
    model(message).invoke("add", {"callbacks": [tracer]})
    out = json.loads(dict(spans.one("chat gpt-fake").attributes or {})["gen_ai.output.messages"])
    assert out[0]["parts"] == [{"type": "tool_call", "id": "c1", "name": "add", "arguments": {"a": 1}}]


def test_retrievers_are_retrieval_spans(provider: Any, spans: Spans) -> None:
    """A retriever's run is `retrieval {name}` with the document count (query only with content)."""
    from runwire.documents import Document
    from runwire.retrievers import BaseRetriever

    class Docs(BaseRetriever):
        def _get_relevant_documents(self, query: str, *, run_manager: Any) -> list[Document]:
            return [Document(page_content=f"about {query}")] * 2

    Docs().invoke("otters", {"callbacks": [OpenTelemetryTracer(provider)]})
    Docs().invoke("otters", {"callbacks": [OpenTelemetryTracer(provider, capture_content=True)]})
    quiet, loud = (dict(s.attributes or {}) for s in spans.named("retrieval Docs"))
    assert quiet["gen_ai.operation.name"] == "retrieval"
    assert quiet["runwire.documents.count"] == 2
    assert "gen_ai.retrieval.query.text" not in quiet
    assert loud["gen_ai.retrieval.query.text"] == "otters"


def test_retries_and_custom_events_are_span_events(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """Each failed attempt is a `runwire.retry` event on the retry span; `dispatch_custom_event`
    adds an event named after it on the span of the run that sent it."""
    from runwire.callbacks import dispatch_custom_event

    attempts: list[int] = []

    def flaky(x: int) -> int:
        attempts.append(x)
        dispatch_custom_event("progress", {"attempt": len(attempts)})
        if len(attempts) < 3:
            raise TimeoutError("try again")
        return x

    step = RunnableLambda(flaky, name="flaky").with_retry(wait_exponential_jitter=False)
    assert step.invoke(1, {"callbacks": [tracer]}) == 1
    retry = spans.roots()[0]
    events = [(e.name, dict(e.attributes or {})) for e in retry.events]
    assert events == [
        ("runwire.retry", {"runwire.retry.attempt": 1, "error.type": "TimeoutError"}),
        ("runwire.retry", {"runwire.retry.attempt": 2, "error.type": "TimeoutError"}),
    ]
    progress = [e.name for s in spans.named("flaky") for e in s.events if e.name == "progress"]
    assert progress == ["progress"] * 3
