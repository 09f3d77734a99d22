# ruff: noqa: E501 - expected event lines read best unwrapped
"""Streaming views: `astream_events` v1 and v2 edge cases and `astream_log` (RunLogPatch /
RunLog), run on both libraries."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

import pytest

# langchain-core 1.8 deprecates astream_log and v1 events; they are still its public surface.
pytestmark = pytest.mark.filterwarnings("ignore::langchain_core._api.deprecation.LangChainDeprecationWarning")


def add_one(x: int) -> int:
    return x + 1


def _collect_in_thread(make_stream: Any, timeout: float = 20.0) -> list[dict[str, Any]]:
    """All events of the stream, gathered on a daemon thread so that a stream that never ends
    fails the test instead of hanging it (an endless loop inside a handler cannot be cancelled)."""
    events: list[dict[str, Any]] = []

    async def gather() -> None:
        events.extend([event async for event in make_stream()])

    thread = threading.Thread(target=lambda: asyncio.run(gather()), daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"the event stream did not end within {timeout}s"
    return events


def test_child_reusing_the_parents_run_id_ends_normally(lib: Any) -> None:
    """A user passes a config with `run_id` on to a nested call: the nested run gets its parent's
    id. The stream must end; the duplicate's events are dropped. Deliberate difference:
    langchain-core's handler also loses the outer run's later events (its bookkeeping for the
    shared id is overwritten, and it logs an AssertionError); runwire keeps them."""
    run_id = uuid.uuid4()
    config: dict[str, Any] = {"run_id": run_id}
    inner = lib.RunnableLambda(add_one)

    def outer(x: int) -> int:
        return inner.invoke(x, config)

    events = _collect_in_thread(lambda: lib.RunnableLambda(outer).astream_events(1, config, version="v2"))
    assert all(event["name"] == "outer" for event in events)
    assert events[0]["event"] == "on_chain_start"
    assert events[0]["run_id"] == str(run_id)
    if lib.name == "langchain_core":
        assert [event["event"] for event in events] == ["on_chain_start"]
    else:
        assert [event["event"] for event in events] == ["on_chain_start", "on_chain_stream", "on_chain_end"]
        assert events[-1]["data"]["output"] == 2


# -- astream_log ----------------------------------------------------------------------------------


def _seed(lib: Any) -> Any:
    return (
        lib.ChatPromptTemplate.from_template("hi {x}")
        | lib.FakeListChatModel(responses=["ab"])
        | lib.StrOutputParser()
    )


async def _patches(runnable: Any, value: Any, **kwargs: Any) -> list[Any]:
    return [patch async for patch in runnable.astream_log(value, **kwargs)]


def _content(value: Any) -> Any:
    """A log value with what differs by run (ids, times, message ids) taken out."""
    if isinstance(value, dict):
        return {
            k: _content(v) for k, v in value.items() if k not in ("id", "start_time", "end_time", "metadata")
        }
    if isinstance(value, list):
        return [_content(v) for v in value]
    if hasattr(value, "content") and hasattr(value, "type"):
        return f"{type(value).__name__}({value.content!r})"
    if hasattr(value, "to_messages"):
        return [_content(m) for m in value.to_messages()]
    return value


async def test_astream_log_patches_build_the_run_log(lib: Any) -> None:
    """The patches: the root state first, then each child run's entry, its tokens or chunks,
    the root's streamed output and final-output diff, and each child's final output."""
    patches = await _patches(_seed(lib), {"x": 1})
    assert all(type(patch) is lib.RunLogPatch for patch in patches)
    assert [(op["op"], op["path"]) for patch in patches for op in patch.ops] == [
        ("replace", ""),
        ("add", "/logs/ChatPromptTemplate"),
        ("add", "/logs/ChatPromptTemplate/final_output"),
        ("add", "/logs/ChatPromptTemplate/end_time"),
        ("add", "/logs/FakeListChatModel"),
        ("add", "/logs/FakeListChatModel/streamed_output_str/-"),
        ("add", "/logs/FakeListChatModel/streamed_output/-"),
        ("add", "/logs/StrOutputParser"),
        ("add", "/logs/StrOutputParser/streamed_output/-"),
        ("add", "/streamed_output/-"),
        ("replace", "/final_output"),
        ("add", "/logs/FakeListChatModel/streamed_output_str/-"),
        ("add", "/logs/FakeListChatModel/streamed_output/-"),
        ("add", "/logs/StrOutputParser/streamed_output/-"),
        ("add", "/streamed_output/-"),
        ("replace", "/final_output"),
        ("add", "/logs/FakeListChatModel/final_output"),
        ("add", "/logs/FakeListChatModel/end_time"),
        ("add", "/logs/StrOutputParser/final_output"),
        ("add", "/logs/StrOutputParser/end_time"),
    ]
    log = patches[0]
    for patch in patches[1:]:
        log = log + patch
    assert type(log) is lib.RunLog
    model = log.state["logs"]["FakeListChatModel"]
    assert _content(log.state) == {
        "streamed_output": ["a", "b"],
        "final_output": "ab",
        "logs": {
            "ChatPromptTemplate": {
                "name": "ChatPromptTemplate",
                "type": "prompt",
                "tags": ["seq:step:1"],
                "streamed_output": [],
                "streamed_output_str": [],
                "final_output": ["HumanMessage('hi 1')"],
            },
            "FakeListChatModel": {
                "name": "FakeListChatModel",
                "type": "llm",
                "tags": ["seq:step:2"],
                "streamed_output": ["AIMessageChunk('a')", "AIMessageChunk('b')"],
                "streamed_output_str": ["a", "b"],
                "final_output": _content(model["final_output"]),
            },
            "StrOutputParser": {
                "name": "StrOutputParser",
                "type": "parser",
                "tags": ["seq:step:3"],
                "streamed_output": ["a", "b"],
                "streamed_output_str": [],
                "final_output": {"output": "ab"},
            },
        },
        "name": "RunnableSequence",
        "type": "chain",
    }
    assert model["final_output"]["generations"][0][0]["text"] == "ab"
    assert model["final_output"]["type"] == "LLMResult"
    assert model["metadata"]["ls_provider"] == "fakelistchatmodel"


async def test_astream_log_without_diff_yields_growing_run_logs(lib: Any) -> None:
    """`diff=False` yields the accumulated RunLog after every patch; filters pick the runs that
    get entries; `with_streamed_output_list=False` leaves the root's list empty."""
    logs = await _patches(_seed(lib), {"x": 1}, diff=False, include_names=["StrOutputParser"])
    assert all(type(log) is lib.RunLog for log in logs)
    assert list(logs[-1].state["logs"]) == ["StrOutputParser"]
    assert logs[-1].state["streamed_output"] == ["a", "b"]
    assert len(logs[-1].ops) == sum(
        len(log.ops) for log in await _patches(_seed(lib), {"x": 1}, include_names=["StrOutputParser"])
    )
    typed = await _patches(
        _seed(lib), {"x": 1}, diff=False, include_types=["llm", "prompt"], exclude_tags=["seq:step:1"]
    )
    assert list(typed[-1].state["logs"]) == ["FakeListChatModel"]
    quiet = await _patches(_seed(lib), {"x": 1}, diff=False, with_streamed_output_list=False)
    assert quiet[-1].state["streamed_output"] == []
    assert quiet[-1].state["final_output"] == "ab"


async def test_astream_log_merges_parallel_dict_chunks(lib: Any) -> None:
    """The root's final output accumulates a parallel's partial dicts key by key."""
    chain = lib.RunnableParallel(a=lib.RunnableLambda(add_one), b=lib.RunnablePassthrough())
    logs = await _patches(chain, 1, diff=False)
    assert logs[-1].state["final_output"] == {"a": 2, "b": 1}
    assert sorted(logs[-1].state["logs"]) == ["RunnablePassthrough", "add_one"]


def test_run_log_patches_add_up(lib: Any) -> None:
    """`patch + patch` is a RunLog whose state applies both; RunLog + patch extends it."""
    first = lib.RunLogPatch({"op": "replace", "path": "", "value": {"logs": {}, "streamed_output": []}})
    second = lib.RunLogPatch({"op": "add", "path": "/streamed_output/-", "value": 1})
    log = first + second
    assert log.state == {"logs": {}, "streamed_output": [1]}
    assert (log + second).state == {"logs": {}, "streamed_output": [1, 1]}
    assert log.ops == first.ops + second.ops
    assert first == lib.RunLogPatch(*first.ops)
    assert repr(second) == "RunLogPatch({'op': 'add', 'path': '/streamed_output/-', 'value': 1})"


# -- astream_events(version="v1") -----------------------------------------------------------------


def _event_line(event: dict[str, Any]) -> str:
    data = {k: _content(v) for k, v in event["data"].items()}
    if "output" in data and isinstance(data["output"], dict) and "generations" in data["output"]:
        data["output"] = "LLMResult"
    return f"{event['event']} {event['name']} {event['tags']} {data}"


async def test_astream_events_v1_reads_the_run_log(lib: Any) -> None:
    """v1 events: inputs on starts where known, streamed runs' inputs with their end event,
    root chunks as `on_chain_stream`, no parent ids."""
    events = [event async for event in _seed(lib).astream_events({"x": 1}, version="v1")]
    assert all(event["parent_ids"] == [] for event in events)
    assert [_event_line(event) for event in events] == [
        "on_chain_start RunnableSequence [] {'input': {'x': 1}}",
        "on_prompt_start ChatPromptTemplate ['seq:step:1'] {'input': {'x': 1}}",
        "on_prompt_end ChatPromptTemplate ['seq:step:1'] {'input': {'x': 1}, 'output': [\"HumanMessage('hi 1')\"]}",
        "on_chat_model_start FakeListChatModel ['seq:step:2'] {'input': {'messages': [[\"HumanMessage('hi 1')\"]]}}",
        "on_chat_model_stream FakeListChatModel ['seq:step:2'] {'chunk': \"AIMessageChunk('a')\"}",
        "on_parser_start StrOutputParser ['seq:step:3'] {}",
        "on_parser_stream StrOutputParser ['seq:step:3'] {'chunk': 'a'}",
        "on_chain_stream RunnableSequence [] {'chunk': 'a'}",
        "on_chat_model_stream FakeListChatModel ['seq:step:2'] {'chunk': \"AIMessageChunk('b')\"}",
        "on_parser_stream StrOutputParser ['seq:step:3'] {'chunk': 'b'}",
        "on_chain_stream RunnableSequence [] {'chunk': 'b'}",
        "on_chat_model_end FakeListChatModel ['seq:step:2'] {'input': {'messages': [[\"HumanMessage('hi 1')\"]]}, 'output': 'LLMResult'}",
        "on_parser_end StrOutputParser ['seq:step:3'] {'input': \"AIMessageChunk('ab')\", 'output': 'ab'}",
        "on_chain_end RunnableSequence [] {'output': 'ab'}",
    ]


async def test_astream_events_v1_filters_drop_the_root_too(lib: Any) -> None:
    events = [
        e async for e in _seed(lib).astream_events({"x": 1}, version="v1", include_types=["chat_model"])
    ]
    assert [e["event"] for e in events] == [
        "on_chat_model_start",
        "on_chat_model_stream",
        "on_chat_model_stream",
        "on_chat_model_end",
    ]


def test_child_reusing_the_parents_run_id_in_the_run_log(lib: Any) -> None:
    """The same duplicate id under `astream_log` and v1 events: the stream ends, the duplicate
    gets no log entry and no events, the root's output is intact."""
    run_id = uuid.uuid4()
    config: dict[str, Any] = {"run_id": run_id}
    inner = lib.RunnableLambda(add_one)

    def outer(x: int) -> int:
        return inner.invoke(x, config)

    logs = _collect_in_thread(lambda: lib.RunnableLambda(outer).astream_log(1, config, diff=False))
    assert logs[-1].state["logs"] == {}
    assert logs[-1].state["final_output"] == 2
    events = _collect_in_thread(lambda: lib.RunnableLambda(outer).astream_events(1, config, version="v1"))
    assert [event["event"] for event in events] == ["on_chain_start", "on_chain_stream", "on_chain_end"]


async def test_run_log_and_v1_events_of_tools_and_retrievers(lib: Any) -> None:
    """Tool and retriever runs get `tool` / `retriever` entries with langchain's inputs and
    outputs, in the log and in v1 events."""

    @lib.tool
    def double(x: int) -> int:
        """Double x."""
        return x * 2

    class Echo(lib.BaseRetriever):  # type: ignore[misc, name-defined]
        def _get_relevant_documents(self, query: str, *, run_manager: Any) -> list[Any]:
            return [lib.Document(query)]

    logs = await _patches(lib.RunnableLambda(lambda x: {"x": x}) | double, 3, diff=False)
    entry = logs[-1].state["logs"]["double"]
    assert (entry["type"], entry["final_output"], logs[-1].state["final_output"]) == (
        "tool",
        {"output": 6},
        6,
    )
    events = [e async for e in (lib.RunnablePassthrough() | Echo()).astream_events("q", version="v1")]
    retriever = [e for e in events if e["name"] == "Echo"]
    assert [e["event"] for e in retriever] == ["on_retriever_start", "on_retriever_end"]
    assert retriever[0]["data"] == {"input": {"query": "q"}}
    assert retriever[1]["data"]["output"] == {"documents": [lib.Document("q")]}
