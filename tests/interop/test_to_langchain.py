"""(b) runwire objects inside LangChain: `to_langchain` runnables, chat models and tools, heard by
langchain-core's own handlers as langchain-core objects; and calls that pass no config across
the boundary nesting under the right parent, both ways, sync and async."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from langchain_core.callbacks import UsageMetadataCallbackHandler
from langchain_core.language_models import BaseChatModel as LcBaseChatModel
from langchain_core.language_models import GenericFakeChatModel as LcFakeChatModel
from langchain_core.messages import AIMessage as LcAIMessage
from langchain_core.messages import AIMessageChunk as LcAIMessageChunk
from langchain_core.messages import ToolMessage as LcToolMessage
from langchain_core.prompts import ChatPromptTemplate as LcPrompt
from langchain_core.runnables import RunnableLambda as LcLambda
from langchain_core.tools import BaseTool as LcBaseTool
from langchain_core.tracers.run_collector import RunCollectorCallbackHandler
from pydantic import BaseModel

from runwire.interop.langchain import from_langchain, to_langchain
from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage
from runwire.runnables import RunnableLambda
from runwire.tools import tool

from .conftest import Tree


def _model(*replies: AIMessage | str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=itertools.cycle(replies))


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def _tree(run: Any, depth: int = 0) -> list[tuple[int, str, str]]:
    rows = [(depth, run.name, run.run_type)]
    for child in run.child_runs:
        rows += _tree(child, depth + 1)
    return rows


def test_runwire_runs_nest_under_langchain_runs_with_langchain_objects() -> None:
    """langchain prompt | runwire model | runwire lambda, traced by langchain's RunCollector:
    one tree, the runwire model's run under the langchain sequence, its output a langchain message."""
    collector = RunCollectorCallbackHandler()
    reply = AIMessage("hi", usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3})
    chain = (
        LcPrompt.from_template("say {x}")
        | to_langchain(_model(reply))
        | to_langchain(RunnableLambda(lambda m: m.content.upper()))
    )
    assert chain.invoke({"x": "hi"}, {"callbacks": [collector]}) == "HI"
    (root,) = collector.traced_runs
    assert _tree(root) == [
        (0, "RunnableSequence", "chain"),
        (1, "ChatPromptTemplate", "prompt"),
        (1, "GenericFakeChatModel", "llm"),
        (1, "RunnableLambda", "chain"),
    ]
    model_run = root.child_runs[1]
    assert model_run.tags == ["seq:step:2"]
    message = model_run.outputs["generations"][0][0]["message"]
    # langchain serialised a langchain-core AIMessage (a foreign object would be "not_implemented")
    assert (message["type"], message["id"][-1], message["kwargs"]["content"]) == (
        "constructor",
        "AIMessage",
        "hi",
    )


def test_chat_model_is_a_langchain_chat_model_with_tools_and_structured_output() -> None:
    """to_langchain(chat model) is a langchain BaseChatModel: bind_tools offers tools (runwire's
    too) and with_structured_output parses the tool call into a pydantic object."""
    call = AIMessage("", tool_calls=[{"name": "Answer", "args": {"value": 42}, "id": "c1"}])
    lc_model = to_langchain(_model(call))
    assert isinstance(lc_model, LcBaseChatModel)

    class Answer(BaseModel):
        value: int

    assert lc_model.with_structured_output(Answer).invoke("?") == Answer(value=42)
    bound = lc_model.bind_tools([add], tool_choice="add")
    assert bound.kwargs["tools"][0]["function"]["name"] == "add"
    assert bound.kwargs["tool_choice"] == {"type": "function", "function": {"name": "add"}}


async def test_chat_model_streams_with_langchain_ids_and_usage() -> None:
    """Streaming through langchain: langchain-core chunks sharing one `lc_run--` id; the usage
    reaches langchain's UsageMetadataCallbackHandler."""
    reply = AIMessage(
        "a b", usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
        response_metadata={"model_name": "fake"},
    )  # fmt: skip
    lc_model = to_langchain(_model(reply))
    usage = UsageMetadataCallbackHandler()
    chunks = [c async for c in lc_model.astream("x", {"callbacks": [usage]})]
    assert all(isinstance(c, LcAIMessageChunk) for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].id.startswith("lc_run--")
    assert "".join(str(c.content) for c in chunks) == "a b"
    assert usage.usage_metadata["fake"]["total_tokens"] == 3


def test_tool_is_a_langchain_tool_returning_tool_messages() -> None:
    """to_langchain(tool) is a langchain BaseTool; a tool call gives a langchain ToolMessage."""
    lc_tool = to_langchain(add)
    assert isinstance(lc_tool, LcBaseTool)
    assert lc_tool.invoke({"a": 1, "b": 2}) == 3
    message = lc_tool.invoke({"type": "tool_call", "name": "add", "args": {"a": 1, "b": 2}, "id": "c1"})
    assert isinstance(message, LcToolMessage)
    assert (message.content, message.tool_call_id) == ("3", "c1")


def test_round_trip_gives_back_the_same_objects() -> None:
    """to_langchain(from_langchain(x)) is x; to_langchain of a langchain object is itself."""
    lc = LcLambda(lambda x: x)
    assert to_langchain(from_langchain(lc)) is lc
    assert to_langchain(lc) is lc
    with pytest.raises(TypeError, match="expects a runwire Runnable"):
        to_langchain(42)


def test_runwire_lambda_calling_a_langchain_model_without_config(tree: Tree) -> None:
    """A langchain model called with no config inside a runwire lambda nests under that lambda."""
    lc_model = LcFakeChatModel(messages=itertools.cycle([LcAIMessage("hi")]))
    out = RunnableLambda(lambda x: lc_model.invoke(x)).invoke("q", {"callbacks": [tree]})
    assert isinstance(out, LcAIMessage)  # called directly: langchain's own object
    assert tree.starts() == [("RunnableLambda", None), ("GenericFakeChatModel", "RunnableLambda")]


async def test_async_runwire_lambda_calling_a_langchain_model_without_config(tree: Tree) -> None:
    """The same under ainvoke."""
    lc_model = LcFakeChatModel(messages=itertools.cycle([LcAIMessage("hi")]))

    async def ask(x: str) -> object:
        return await lc_model.ainvoke(x)

    await RunnableLambda(ask).ainvoke("q", {"callbacks": [tree]})
    assert tree.starts() == [("ask", None), ("GenericFakeChatModel", "ask")]


async def test_langchain_lambda_calling_runwire_without_config() -> None:
    """A runwire model called with no config inside a langchain lambda nests under it (sync and async)."""
    model = _model("yo")
    collector = RunCollectorCallbackHandler()
    LcLambda(lambda x: model.invoke(x)).invoke("q", {"callbacks": [collector]})

    async def ask(x: str) -> object:
        return await model.ainvoke(x)

    await LcLambda(ask).ainvoke("q", {"callbacks": [collector]})
    trees = [_tree(run) for run in collector.traced_runs]
    assert trees == [
        [(0, "RunnableLambda", "chain"), (1, "GenericFakeChatModel", "llm")],
        [(0, "ask", "chain"), (1, "GenericFakeChatModel", "llm")],
    ]


def test_runwire_to_langchain_to_runwire_without_config(tree: Tree) -> None:
    """runwire chain -> langchain lambda -> runwire model called with no config: the model's
    parent is the langchain lambda, not the outer runwire run."""
    model = _model("yo")
    inner = LcLambda(lambda x: model.invoke(x), name="inner")
    (RunnableLambda(lambda x: x) | inner).invoke("q", {"callbacks": [tree]})
    assert tree.starts()[-1] == ("GenericFakeChatModel", "inner")


async def test_langchain_astream_events_over_a_runwire_chain() -> None:
    """langchain-core's astream_events over to_langchain(runwire chain): the runwire runs are
    reported with the model's tokens (langchain's event handler turns runwire's wants_tokens on)."""
    from runwire.output_parsers import StrOutputParser
    from runwire.prompts import ChatPromptTemplate

    chain = ChatPromptTemplate.from_template("{q}") | _model("a b c") | StrOutputParser()
    events = [(e["event"], e["name"]) async for e in to_langchain(chain).astream_events({"q": "x"})]
    assert events[0] == ("on_chain_start", "RunnableSequence")
    assert ("on_chat_model_start", "GenericFakeChatModel") in events
    assert events.count(("on_chat_model_stream", "GenericFakeChatModel")) == 5
    assert events[-1] == ("on_chain_end", "RunnableSequence")


def test_tool_with_content_and_artifact() -> None:
    """A runwire tool returning (content, artifact), called with a tool call through langchain,
    gives a langchain ToolMessage carrying both."""

    @tool(response_format="content_and_artifact")
    def lookup(key: str) -> tuple[str, dict[str, str]]:
        """Look a key up."""
        return f"found {key}", {"key": key}

    call = {"type": "tool_call", "name": "lookup", "args": {"key": "k"}, "id": "c9"}
    message = to_langchain(lookup).invoke(call)
    assert isinstance(message, LcToolMessage)
    assert (message.content, message.artifact, message.tool_call_id) == ("found k", {"key": "k"}, "c9")


async def test_async_tool_and_batch_through_langchain() -> None:
    """A runwire tool and runnable called by langchain's async and batch paths."""
    assert await to_langchain(add).ainvoke({"a": 2, "b": 2}) == 4
    doubled = to_langchain(RunnableLambda(lambda x: 2 * x))
    assert doubled.batch([1, 2]) == [2, 4]
    assert await doubled.abatch([1, 2]) == [2, 4]
    assert [c async for c in doubled.astream(3)] == [6]
