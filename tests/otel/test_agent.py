"""An agent with tools: one trace, `invoke_agent` at the root, each model call a `chat` span and
each tool call an `execute_tool` span under it, whatever the entry point."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, StatusCode

from runwire.agents import AgentExecutor, create_tool_calling_agent
from runwire.prompts import ChatPromptTemplate
from runwire.tools import tool
from runwire.tracers.otel import OpenTelemetryTracer

from .conftest import Spans
from .models import model, reply

pytestmark = pytest.mark.usefixtures("no_detach_errors", "httpx_traced")

PROMPT = ChatPromptTemplate.from_messages(
    [("system", "You are helpful."), ("human", "{input}"), ("placeholder", "{agent_scratchpad}")]
)


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def weather_tool(server: str) -> Any:
    @tool
    def weather(city: str) -> str:
        """The weather in a city."""
        return httpx.get(f"{server}/weather/{city}").text

    return weather


def agent(server: str) -> AgentExecutor:
    """Turn 1 calls `add` and `weather` (concurrently), turn 2 answers."""
    tools = [add, weather_tool(server)]
    llm = model(
        reply(
            "",
            tool_calls=[
                {"name": "add", "args": {"a": 1, "b": 2}, "id": "call-add"},
                {"name": "weather", "args": {"city": "Oslo"}, "id": "call-weather"},
            ],
        ),
        reply("It is 3, and ok in Oslo.", response_id="chatcmpl-2"),
    )
    return AgentExecutor(agent=create_tool_calling_agent(llm, tools, PROMPT), tools=tools)


def drive(mode: str, runnable: Any, input: Any, config: Any) -> Any:
    if mode == "invoke":
        return runnable.invoke(input, config)
    if mode == "stream":
        return list(runnable.stream(input, config))

    async def go() -> Any:
        if mode == "ainvoke":
            return await runnable.ainvoke(input, config)
        return [chunk async for chunk in runnable.astream(input, config)]

    return asyncio.run(go())


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
def test_an_agent_run_is_one_trace_with_tool_spans(
    mode: str, tracer: OpenTelemetryTracer, spans: Spans, server: str
) -> None:
    """invoke_agent → per turn: the agent runnable (with its `chat` span); per tool call:
    `execute_tool {name}` (the weather tool's HTTP request under it)."""
    drive(mode, agent(server), {"input": "1 + 2, and the weather in Oslo?"}, {"callbacks": [tracer]})
    assert len(spans.traces()) == 1
    spans.assert_well_formed()
    root = spans.roots()[0]
    assert root.name == "invoke_agent AgentExecutor"
    assert root.kind is SpanKind.INTERNAL
    assert dict(root.attributes or {})["gen_ai.operation.name"] == "invoke_agent"
    assert dict(root.attributes or {})["gen_ai.agent.name"] == "AgentExecutor"

    chats = spans.named("chat gpt-fake")
    assert len(chats) == 2
    for chat in chats:  # each model call inside the agent runnable of its turn, under the agent
        assert spans.parent_of(chat) is not None
        ancestor = spans.parent_of(spans.parent_of(chat))  # type: ignore[arg-type]
        assert ancestor is root

    add_span, weather_span = spans.one("execute_tool add"), spans.one("execute_tool weather")
    for span, name, call_id in ((add_span, "add", "call-add"), (weather_span, "weather", "call-weather")):
        assert span.kind is SpanKind.INTERNAL
        assert spans.parent_of(span) is root
        attributes = dict(span.attributes or {})
        assert attributes["gen_ai.operation.name"] == "execute_tool"
        assert attributes["gen_ai.tool.name"] == name
        assert attributes["gen_ai.tool.call.id"] == call_id
        assert attributes["gen_ai.tool.type"] == "function"
    assert dict(add_span.attributes or {})["gen_ai.tool.description"] == "Add two integers."
    assert spans.parent_of(spans.one("GET")) is weather_span
    assert "gen_ai.tool.call.arguments" not in dict(add_span.attributes or {})  # content is off


def test_tool_content_is_exported_when_asked(spans: Spans, server: str, provider: TracerProvider) -> None:
    """capture_content=True: tool arguments and results as JSON."""
    tracer = OpenTelemetryTracer(provider, capture_content=True)
    agent(server).invoke({"input": "go"}, {"callbacks": [tracer]})
    attributes = dict(spans.one("execute_tool add").attributes or {})
    assert json.loads(attributes["gen_ai.tool.call.arguments"]) == {"a": 1, "b": 2}
    assert json.loads(attributes["gen_ai.tool.call.result"]) == "3"


def test_a_failing_tool_span_has_error_status(tracer: OpenTelemetryTracer, spans: Spans) -> None:
    """A tool that raises: its span ends with ERROR and `error.type`."""

    @tool
    def broken(x: int) -> int:
        """Always fails."""
        raise RuntimeError("tool exploded")

    with pytest.raises(RuntimeError):
        broken.invoke({"x": 1}, {"callbacks": [tracer]})
    span = spans.one("execute_tool broken")
    assert span.status.status_code is StatusCode.ERROR
    assert dict(span.attributes or {})["error.type"] == "RuntimeError"
