"""Real LangGraph graphs with runwire inside: a runwire chain as a StateGraph node, a runwire chat
model and tool in create_react_agent, streamed with stream_mode "messages" and "updates";
langchain-core's RunCollectorCallbackHandler and runwire's SQLite tracer see one tree."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path
from typing import Any, TypedDict

import pytest
from langchain_core.messages import AIMessageChunk as LcAIMessageChunk
from langchain_core.tracers.run_collector import RunCollectorCallbackHandler

from runwire.interop.langchain import to_langchain
from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate
from runwire.runnables import RunnableLambda
from runwire.tools import tool
from runwire.tracers.sqlite import SQLiteTracer
from runwire.tracers.store import TraceStore

langgraph_graph = pytest.importorskip("langgraph.graph")


class State(TypedDict, total=False):
    q: str
    a: str
    m: Any


def _graph(reply: str = "forty two") -> Any:
    """START -> answer (a runwire chain called with no config inside a runwire lambda) -> shout."""
    model = GenericFakeChatModel(messages=itertools.cycle([AIMessage(reply)]))
    chain = ChatPromptTemplate.from_template("{q}") | model | StrOutputParser()
    graph = langgraph_graph.StateGraph(State)
    graph.add_node("answer", to_langchain(RunnableLambda(lambda s: {"a": chain.invoke({"q": s["q"]})})))
    graph.add_node("shout", lambda s: {"a": s["a"].upper()})
    graph.add_edge(langgraph_graph.START, "answer")
    graph.add_edge("answer", "shout")
    graph.add_edge("shout", langgraph_graph.END)
    return graph.compile()


def _names(run: Any, depth: int = 0) -> list[tuple[int, str]]:
    out = [(depth, run.name)]
    for child in run.child_runs:
        out += _names(child, depth + 1)
    return out


def _stored(store: TraceStore, root_id: str) -> list[tuple[int, str]]:
    tree = store.tree(root_id)

    def walk(run: Any, depth: int) -> list[tuple[int, str]]:
        out = [(depth, run.name)]
        for child in run.child_runs:
            out += walk(child, depth + 1)
        return out

    return walk(tree, 0)


EXPECTED = [
    (0, "LangGraph"),
    (1, "answer"),
    (2, "RunnableLambda"),
    (3, "RunnableSequence"),
    (4, "ChatPromptTemplate"),
    (4, "GenericFakeChatModel"),
    (4, "StrOutputParser"),
    (1, "shout"),
]


def test_state_graph_with_a_runwire_node_is_one_tree(tmp_path: Path) -> None:
    """RunCollector (langchain-core) and SQLiteTracer (runwire) see the same tree, runwire's
    runs under LangGraph's node runs, with LangGraph's node metadata on them."""
    collector = RunCollectorCallbackHandler()
    tracer = SQLiteTracer(tmp_path / "traces.db")
    out = _graph().invoke({"q": "meaning?"}, {"callbacks": [collector, tracer]})
    assert out == {"q": "meaning?", "a": "FORTY TWO"}
    (root,) = collector.traced_runs
    assert _names(root) == EXPECTED
    model_run = root.child_runs[0].child_runs[0].child_runs[0].child_runs[1]
    assert model_run.extra["metadata"]["langgraph_node"] == "answer"
    tracer.close()
    with TraceStore(tmp_path / "traces.db") as store:
        (trace,) = store.traces()
        assert trace["id"] == str(root.id)
        assert _stored(store, trace["id"]) == EXPECTED


async def test_async_graph_streams_updates_under_one_tree(tmp_path: Path) -> None:
    """astream(stream_mode="updates") gives each node's update, and the async runs nest the same."""
    collector = RunCollectorCallbackHandler()
    updates = [
        u async for u in _graph().astream({"q": "x"}, {"callbacks": [collector]}, stream_mode="updates")
    ]
    assert updates == [{"answer": {"a": "forty two"}}, {"shout": {"a": "FORTY TWO"}}]
    assert _names(collector.traced_runs[0]) == EXPECTED


def test_messages_stream_gets_runwire_tokens_as_langchain_chunks() -> None:
    """stream_mode="messages": a runwire chat model inside a runwire chain streams its tokens
    (LangGraph's streaming handler switches runwire's `wants_tokens` on), as langchain-core
    chunks sharing one id, tagged with the node."""
    items = list(_graph("forty two").stream({"q": "x"}, stream_mode="messages"))
    chunks = [(m, meta) for m, meta in items if isinstance(m, LcAIMessageChunk)]
    assert "".join(str(m.content) for m, _ in chunks) == "forty two"
    assert len(chunks) >= 3
    assert len({m.id for m, _ in chunks}) == 1
    assert {meta["langgraph_node"] for _, meta in chunks} == {"answer"}


def test_streamed_chunks_and_the_final_message_share_one_id() -> None:
    """A runwire chain node whose runwire model streams under LangGraph: the chunks and the
    message the node returns carry the same id."""
    model = GenericFakeChatModel(messages=itertools.cycle([AIMessage("one two")]))
    node = ChatPromptTemplate.from_template("{q}") | model | RunnableLambda(lambda m: {"m": m})
    graph = langgraph_graph.StateGraph(State)
    graph.add_node("ask", to_langchain(node))
    graph.add_edge(langgraph_graph.START, "ask")
    streamed = list(graph.compile().stream({"q": "x"}, stream_mode=["messages", "values"]))
    chunks = [p[0] for mode, p in streamed if mode == "messages"]
    final = [p for mode, p in streamed if mode == "values"][-1]["m"]
    assert "".join(str(c.content) for c in chunks) == "one two"
    assert {c.id for c in chunks} == {final.id}


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def _agent() -> Any:
    from langgraph.prebuilt import create_react_agent

    model = GenericFakeChatModel(
        messages=iter(
            [
                AIMessage("", tool_calls=[{"name": "add", "args": {"a": 2, "b": 3}, "id": "call1"}]),
                AIMessage("The sum is 5"),
            ]
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_react_agent's move to langchain.agents
        return create_react_agent(to_langchain(model), [to_langchain(add)])


def test_react_agent_with_runwire_model_and_tool(tmp_path: Path) -> None:
    """create_react_agent runs a runwire model and tool: the tool's answer reaches the model, the
    messages stream carries the final answer's tokens, and both tracers see one tree."""
    collector = RunCollectorCallbackHandler()
    tracer = SQLiteTracer(tmp_path / "traces.db")
    streamed = list(
        _agent().stream(
            {"messages": [("user", "2+3?")]},
            {"callbacks": [collector, tracer]},
            stream_mode=["messages", "values"],
        )
    )
    items = [payload for mode, payload in streamed if mode == "messages"]
    final_state = [payload for mode, payload in streamed if mode == "values"][-1]
    nodes = [meta["langgraph_node"] for _, meta in items]
    assert "tools" in nodes
    tool_message = next(m for m, meta in items if meta["langgraph_node"] == "tools")
    assert tool_message.content == "5"
    final = [m for m, meta in items if meta["langgraph_node"] == "agent" and m.content]
    assert "".join(str(m.content) for m in final) == "The sum is 5"
    # one id for the streamed chunks and the message stored in the state: UIs show one message
    assert {m.id for m in final} == {final_state["messages"][-1].id}
    assert final_state["messages"][-1].id.startswith("lc_run--")
    (root,) = collector.traced_runs
    names = [name for _, name in _names(root)]
    assert names.count("GenericFakeChatModel") == 2
    assert "add" in names
    tracer.close()
    with TraceStore(tmp_path / "traces.db") as store:
        (trace,) = store.traces()
        assert [name for _, name in _stored(store, trace["id"])] == names


async def test_function_node_calling_runwire_without_config_nests() -> None:
    """A plain LangGraph function node (sync and async) calling a runwire chain with no config:
    the chain's runs nest under the node's run."""
    model = GenericFakeChatModel(messages=itertools.cycle([AIMessage("hi")]))
    chain = ChatPromptTemplate.from_template("{q}") | model | StrOutputParser()

    async def ask_async(state: State) -> State:
        return {"m": await chain.ainvoke({"q": state["q"]})}

    graph = langgraph_graph.StateGraph(State)
    graph.add_node("ask", lambda s: {"a": chain.invoke({"q": s["q"]})})
    graph.add_node("ask_async", ask_async)
    graph.add_edge(langgraph_graph.START, "ask")
    graph.add_edge("ask", "ask_async")
    collector = RunCollectorCallbackHandler()
    out = await graph.compile().ainvoke({"q": "x"}, {"callbacks": [collector]})
    assert (out["a"], out["m"]) == ("hi", "hi")
    sequence = [
        (1, "RunnableSequence"),
        (2, "ChatPromptTemplate"),
        (2, "GenericFakeChatModel"),
        (2, "StrOutputParser"),
    ]
    ask, ask_async = collector.traced_runs[0].child_runs
    assert _names(ask, 0) == [(0, "ask"), *sequence]
    assert _names(ask_async, 0) == [(0, "ask_async"), *sequence]
