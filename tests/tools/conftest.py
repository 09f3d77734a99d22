"""Fixtures for tool, retriever and agent tests: one test body, run on langchain-core and runwire.

Builds on the callback-semantics suite (`tests/semantics/conftest.py`): `lib` is its namespace
with the tool-related names added (`tool`, `StructuredTool`, `BaseRetriever`, `Document`,
`convert_to_openai_tool`, ...), and `run` calls through `invoke` or `ainvoke`. Shared tools and
models for the tests live here too, built per library from that library's own classes.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from semantics.conftest import LIBS, Event, Lib, Runner, Trace

__all__ = ["LIBS", "Event", "Runner", "ToolLib", "Trace"]

# Public name -> the submodule (under `langchain_core.` or `runwire.`) that exports it.
_MORE = {
    "tool": "tools",
    "BaseTool": "tools",
    "StructuredTool": "tools",
    "Tool": "tools",
    "ToolException": "tools",
    "InjectedToolArg": "tools",
    "InjectedToolCallId": "tools",
    "ToolMessage": "messages",
    "AIMessageChunk": "messages",
    "Document": "documents",
    "BaseRetriever": "retrievers",
    "convert_to_openai_tool": "utils.function_calling",
    "convert_to_openai_function": "utils.function_calling",
    "RunnableConfig": "runnables",
    "AgentAction": "agents",
    "AgentFinish": "agents",
    "OutputParserException": "exceptions",
    # i21: tools parity
    "SchemaAnnotationError": "tools",
    "create_retriever_tool": "tools",
    "create_schema_from_function": "tools",
    "BaseCallbackHandler": "callbacks",
}


class ToolLib(Lib):
    """`Lib` with the tool, retriever and agent names."""

    def __getattr__(self, attr: str) -> Any:
        if attr in _MORE:
            value = getattr(importlib.import_module(f"{self.name}.{_MORE[attr]}"), attr)
            setattr(self, attr, value)
            return value
        return super().__getattr__(attr)

    # -- the objects the reference note experiments with (§3.5, §3.8) ---------------------------

    def add_tool(self, **kwargs: Any) -> Any:
        """`add(a: int, b: int) -> int`, "Add two integers." (§3.5)."""

        def add(a: int, b: int) -> int:
            """Add two integers."""
            return a + b

        return self.StructuredTool.from_function(add, **kwargs)

    def boom_tool(self, error: BaseException | None = None, **kwargs: Any) -> Any:
        """`boom(x: int)`, "Always fails.", raising `error` (ValueError('kaboom')) (§3.5)."""

        def boom(x: int) -> int:
            """Always fails."""
            raise error if error is not None else ValueError("kaboom")

        return self.StructuredTool.from_function(boom, **kwargs)

    def ask_tool(self, model: Any, **kwargs: Any) -> Any:
        """`ask(question: str)`: asks `model` inside the tool, with no config passed (§3.8)."""

        def ask(question: str) -> str:
            """Ask a model."""
            return str(model.invoke(question).content)

        return self.StructuredTool.from_function(ask, **kwargs)


@pytest.fixture(params=LIBS)
def lib(request: pytest.FixtureRequest) -> ToolLib:
    """The same names from langchain-core (the reference) or runwire."""
    return ToolLib(request.param)


@pytest.fixture
def runwire() -> ToolLib:
    """runwire's names, for runwire-only tests."""
    return ToolLib("runwire")


@pytest.fixture(params=["invoke", "ainvoke"])
def run(request: pytest.FixtureRequest) -> Runner:
    """`run(runnable, input, config)` through `invoke`, or through `ainvoke`."""
    return Runner(request.param)


def tool_call(name: str, args: dict[str, Any], id: str) -> dict[str, Any]:
    """A ToolCall dict, as a model emits it."""
    return {"type": "tool_call", "name": name, "args": args, "id": id}
