"""Fixtures for agent tests: scripted models, tools, and one driver per entry point.

The agents are runwire's (langchain's `AgentExecutor` lives in langchain-classic, which is not a
test dependency); event expectations follow the reference note's §3.5 loop, and the one test of
that loop itself runs side by side with langchain-core. `drive` calls an agent through
`invoke`, `ainvoke`, `stream` or `astream` and returns its final output, so a test checks that
all four report the same runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from runwire.agents import AgentExecutor, create_tool_calling_agent
from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage, BaseMessage
from runwire.outputs import ChatResult
from runwire.prompts import ChatPromptTemplate
from runwire.tools import tool
from tools.conftest import ToolLib, Trace, lib, run, runwire

__all__ = ["ToolLib", "Trace", "lib", "run", "runwire"]


class RecordingFakeChatModel(GenericFakeChatModel):
    """A GenericFakeChatModel that also records the messages of every call (`seen`)."""

    seen: list[list[BaseMessage]] = []  # noqa: RUF012 - a Fields default: copied per instance

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        self.seen.append(list(messages))
        return super()._generate(messages, stop, run_manager, **kwargs)

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Any:
        self.seen.append(list(messages))
        return super()._stream(messages, stop, run_manager, **kwargs)

    async def _astream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> Any:
        self.seen.append(list(messages))
        async for chunk in super()._astream(messages, stop, run_manager, **kwargs):
            yield chunk


def calls(*specs: tuple[str, dict[str, Any], str], content: str = "") -> AIMessage:
    """An AI message calling tools: `calls(("add", {"a": 1, "b": 2}, "c1"), ...)`."""
    return AIMessage(content=content, tool_calls=[{"name": n, "args": a, "id": i} for n, a, i in specs])


def scripted(*replies: Any) -> RecordingFakeChatModel:
    """A fake model replying with `replies` in turn (AIMessages or strings)."""
    return RecordingFakeChatModel(messages=iter(replies))


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def ask_tool(model: Any) -> Any:
    """`ask(question)`: asks `model` inside the tool (no config passed)."""

    @tool
    def ask(question: str) -> str:
        """Ask an expert."""
        return str(model.invoke(question).content)

    return ask


PROMPT = ChatPromptTemplate.from_messages(
    [("system", "You are helpful."), ("human", "{input}"), ("placeholder", "{agent_scratchpad}")]
)


def executor(model: Any, tools: list[Any], **kwargs: Any) -> AgentExecutor:
    """`AgentExecutor(agent=create_tool_calling_agent(model, tools, PROMPT), tools=tools, ...)`."""
    return AgentExecutor(agent=create_tool_calling_agent(model, tools, PROMPT), tools=tools, **kwargs)


@dataclass
class Driver:
    """Runs an agent through one entry point and returns its final output (for the streams:
    the chunks, gathered)."""

    mode: str

    def __call__(self, agent: Any, input: Any, config: Any = None) -> Any:
        if self.mode == "invoke":
            return agent.invoke(input, config)
        if self.mode == "ainvoke":
            return asyncio.run(agent.ainvoke(input, config))
        if self.mode == "stream":
            return list(agent.stream(input, config))

        async def collect() -> list[Any]:
            return [chunk async for chunk in agent.astream(input, config)]

        return asyncio.run(collect())


@pytest.fixture(params=["invoke", "ainvoke", "stream", "astream"])
def drive(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """`drive(agent, input, config)` through invoke, ainvoke, stream or astream."""
    return Driver(request.param)
