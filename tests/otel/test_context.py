"""The runtime owns the span context: spans made inside a step (an instrumented HTTP client, a
provider SDK, user code) nest under that step, under invoke, ainvoke, streams, asyncio.gather
and thread pools, and no context is ever detached in another context."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from runwire.language_models import BaseChatModel
from runwire.messages import AIMessage, AIMessageChunk, BaseMessage
from runwire.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from runwire.runnables import RunnableLambda
from runwire.runnables.config import ContextThreadPoolExecutor
from runwire.tracers.otel import OpenTelemetryTracer

from .conftest import Spans
from .models import PROMPT, chain

pytestmark = pytest.mark.usefixtures("no_detach_errors", "httpx_traced")


def test_an_http_call_in_a_step_nests_under_that_step(
    tracer: OpenTelemetryTracer, spans: Spans, server: str
) -> None:
    """A lambda that calls an instrumented httpx client: the GET span is the lambda span's child."""

    def fetch(x: dict[str, Any]) -> str:
        return httpx.get(f"{server}/weather").text

    steps = RunnableLambda(lambda x: x, name="prepare") | RunnableLambda(fetch, name="fetch")
    assert steps.invoke({}, {"callbacks": [tracer]}) == "ok /weather"
    assert spans.tree() == ("RunnableSequence", [("prepare", []), ("fetch", [("GET", [])])])
    assert spans.parent_of(spans.one("GET")) is spans.one("fetch")


async def test_an_async_http_call_nests_under_its_step(
    tracer: OpenTelemetryTracer, spans: Spans, server: str
) -> None:
    """The same with ainvoke and httpx.AsyncClient."""

    async def fetch(x: Any) -> str:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{server}/a")).text

    assert await RunnableLambda(fetch, name="fetch").ainvoke(1, {"callbacks": [tracer]}) == "ok /a"
    assert spans.tree() == ("fetch", [("GET", [])])


class HttpChatModel(BaseChatModel):
    """A chat model whose provider call is an HTTP request (as an SDK's is), streaming one
    request per chunk."""

    url: str
    model_name: str = "http-model"

    def _generate(self, messages: list[BaseMessage], stop: Any = None, **kwargs: Any) -> ChatResult:
        text = httpx.get(f"{self.url}/generate").text
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    async def _agenerate(self, messages: list[BaseMessage], stop: Any = None, **kwargs: Any) -> ChatResult:
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"{self.url}/agenerate")).text
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(self, messages: list[BaseMessage], stop: Any = None, **kwargs: Any) -> Iterator[Any]:
        with httpx.Client() as client:
            for n in range(3):
                text = client.get(f"{self.url}/chunk/{n}").text
                yield ChatGenerationChunk(message=AIMessageChunk(content=text))

    async def _astream(
        self, messages: list[BaseMessage], stop: Any = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        async with httpx.AsyncClient() as client:
            for n in range(3):
                text = (await client.get(f"{self.url}/achunk/{n}")).text
                yield ChatGenerationChunk(message=AIMessageChunk(content=text))


HTTP_TREE = ("RunnableSequence", [("ChatPromptTemplate", []), ("chat http-model", [("GET", [])])])


def test_the_provider_request_nests_under_the_model_span(
    tracer: OpenTelemetryTracer, spans: Spans, server: str
) -> None:
    """invoke: the model's HTTP request is a child of `chat {model}`."""
    (PROMPT | HttpChatModel(url=server)).invoke({"number": "1"}, {"callbacks": [tracer]})
    assert spans.tree() == HTTP_TREE


async def test_the_async_provider_request_nests_under_the_model_span(
    tracer: OpenTelemetryTracer, spans: Spans, server: str
) -> None:
    """ainvoke, likewise."""
    await (PROMPT | HttpChatModel(url=server)).ainvoke({"number": "1"}, {"callbacks": [tracer]})
    assert spans.tree() == HTTP_TREE


def test_every_chunk_request_of_a_stream_nests_under_the_model_span(
    tracer: OpenTelemetryTracer, spans: Spans, server: str
) -> None:
    """stream: each chunk is computed inside the model's scope, so each request nests under it,
    although the consumer holds the chunks outside any scope in between."""
    stream = (PROMPT | HttpChatModel(url=server)).stream({"number": "1"}, {"callbacks": [tracer]})
    outside = [trace.get_current_span() for _ in stream]
    assert spans.tree() == (
        "RunnableSequence",
        [("ChatPromptTemplate", []), ("chat http-model", [("GET", []), ("GET", []), ("GET", [])])],
    )
    assert all(not span.get_span_context().is_valid for span in outside)


async def test_every_chunk_request_of_an_astream_nests_under_the_model_span(
    tracer: OpenTelemetryTracer, spans: Spans, server: str
) -> None:
    """astream, likewise."""
    async for _ in (PROMPT | HttpChatModel(url=server)).astream({"number": "1"}, {"callbacks": [tracer]}):
        assert not trace.get_current_span().get_span_context().is_valid
    assert spans.tree() == (
        "RunnableSequence",
        [("ChatPromptTemplate", []), ("chat http-model", [("GET", []), ("GET", []), ("GET", [])])],
    )


async def test_gather_keeps_each_branch_under_its_own_run(
    tracer: OpenTelemetryTracer, spans: Spans, server: str
) -> None:
    """Tasks from asyncio.gather inside a step: each branch's HTTP span under that branch's run,
    all in one trace."""

    async def fetch(path: str) -> str:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{server}/{path}")).text

    leaf = RunnableLambda(fetch, name="leaf")

    async def fan_out(x: Any) -> list[str]:
        return list(await asyncio.gather(leaf.ainvoke("a"), leaf.ainvoke("b"), leaf.ainvoke("c")))

    result = await RunnableLambda(fan_out, name="fan_out").ainvoke(1, {"callbacks": [tracer]})
    assert result == ["ok /a", "ok /b", "ok /c"]
    assert spans.tree() == ("fan_out", [("leaf", [("GET", [])])] * 3)
    assert len(spans.traces()) == 1


def test_thread_pools_keep_each_task_under_its_own_run(
    tracer: OpenTelemetryTracer, spans: Spans, server: str
) -> None:
    """Steps submitted to runwire's context-copying pool nest under the step that submitted them."""
    leaf = RunnableLambda(lambda path: httpx.get(f"{server}/{path}").text, name="leaf")

    def fan_out(x: Any) -> list[str]:
        with ContextThreadPoolExecutor(max_workers=3) as pool:
            return list(pool.map(leaf.invoke, ["a", "b", "c"]))

    assert RunnableLambda(fan_out, name="fan_out").invoke(1, {"callbacks": [tracer]}) == [
        "ok /a",
        "ok /b",
        "ok /c",
    ]
    assert spans.tree() == ("fan_out", [("leaf", [("GET", [])])] * 3)


async def test_many_concurrent_runs_each_get_one_trace(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """50 chains under gather, interleaving at every await: 50 traces, each the chain's tree."""
    c = chain()
    await asyncio.gather(*(c.ainvoke({"number": str(n)}, {"callbacks": [tracer]}) for n in range(50)))
    assert len(spans.traces()) == 50
    assert len(spans.roots()) == 50
    spans.assert_well_formed()
    assert tracer._runs == {}


def test_a_span_opened_by_user_code_in_a_step_parents_runs_inside_it(
    tracer: OpenTelemetryTracer, spans: Spans, provider: TracerProvider
) -> None:
    """A span user code opens inside a step is current there, so a runnable called inside it
    (no config passed) nests under that span, and the step's span is restored after it."""
    user_tracer = provider.get_tracer("app")
    inner = RunnableLambda(lambda x: x, name="inner")

    def outer(x: Any) -> Any:
        with user_tracer.start_as_current_span("app.work"):
            inner.invoke(x)
        inner.invoke(x)
        return x

    RunnableLambda(outer, name="outer").invoke(1, {"callbacks": [tracer]})
    assert spans.tree() == ("outer", [("app.work", [("inner", [])]), ("inner", [])])


def test_a_root_run_nests_under_the_callers_current_span(
    tracer: OpenTelemetryTracer, spans: Spans, provider: TracerProvider
) -> None:
    """An application span around the call (an HTTP server's request span) parents the chain."""
    with provider.get_tracer("app").start_as_current_span("POST /ask"):
        chain().invoke({"number": "2"}, {"callbacks": [tracer]})
    root = spans.tree()
    assert root[0] == "POST /ask"
    assert [child[0] for child in root[1]] == ["RunnableSequence"]


def test_nothing_stays_current_after_a_run(tracer: OpenTelemetryTracer) -> None:
    """After invoke, stream and a failed run, the caller's context is what it was."""
    c = chain()
    c.invoke({"number": "1"}, {"callbacks": [tracer]})
    list(c.stream({"number": "1"}, {"callbacks": [tracer]}))
    with pytest.raises(ZeroDivisionError):
        RunnableLambda(lambda _x: 1 / 0).invoke(1, {"callbacks": [tracer]})
    assert not trace.get_current_span().get_span_context().is_valid


def test_two_tracers_each_export_the_whole_tree(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """A second tracer on another provider gets its own complete trace."""
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    other = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(other))
    chain().invoke({"number": "1"}, {"callbacks": [tracer, OpenTelemetryTracer(provider)]})
    assert len(spans.all) == 4
    assert Spans(other).tree()[0] == "RunnableSequence"
    assert len(Spans(other).all) == 4


def test_tracer_as_a_constructor_handler_nests_under_the_current_context(
    spans: Spans, provider: TracerProvider
) -> None:
    """A tracer attached to one model only: its span nests under whatever span is current."""
    from .models import FakeGPT, reply

    local = OpenTelemetryTracer(provider)
    llm = FakeGPT(messages=itertools.repeat(reply()), callbacks=[local])
    with provider.get_tracer("app").start_as_current_span("request"):
        (PROMPT | llm).invoke({"number": "1"})
    assert spans.tree() == ("request", [("chat gpt-fake", [])])
