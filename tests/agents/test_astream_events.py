"""`astream_events(version="v2")` over agents: every run of the agent as v2 events, with
`parent_ids` root-first, tool inputs and outputs, and the agent's own stream chunks."""

from __future__ import annotations

import asyncio
from typing import Any

from runwire.agents import create_agent

from .conftest import add, ask_tool, calls, executor, scripted


def _events(agent: Any, input: Any) -> list[dict[str, Any]]:
    async def collect() -> list[dict[str, Any]]:
        return [event async for event in agent.astream_events(input, version="v2")]

    return asyncio.run(collect())


def _agent() -> Any:
    model = scripted(
        calls(("add", {"a": 1, "b": 2}, "c1")), calls(("ask", {"question": "2*3?"}, "c2")), "It is 9"
    )
    return create_agent(model, [add, ask_tool(scripted("six"))])


def test_events_of_an_agent_run_in_order() -> None:
    """Start, each model turn, each tool (with the model inside `ask`), the agent's stream
    chunks, end; token events elided here."""
    events = [
        e for e in _events(_agent(), {"messages": [("user", "go")]}) if e["event"] != "on_chat_model_stream"
    ]
    depth = {e["run_id"]: len(e["parent_ids"]) for e in events}
    assert [f"{'  ' * depth[e['run_id']]}{e['event']} {e['name']}" for e in events] == [
        "on_chain_start Agent",
        "  on_chat_model_start RecordingFakeChatModel",
        "  on_chat_model_end RecordingFakeChatModel",
        "on_chain_stream Agent",
        "  on_tool_start add",
        "  on_tool_end add",
        "on_chain_stream Agent",
        "  on_chat_model_start RecordingFakeChatModel",
        "  on_chat_model_end RecordingFakeChatModel",
        "on_chain_stream Agent",
        "  on_tool_start ask",
        "    on_chat_model_start RecordingFakeChatModel",
        "    on_chat_model_end RecordingFakeChatModel",
        "  on_tool_end ask",
        "on_chain_stream Agent",
        "  on_chat_model_start RecordingFakeChatModel",
        "  on_chat_model_end RecordingFakeChatModel",
        "on_chain_stream Agent",
        "on_chain_end Agent",
    ]


def test_parent_ids_are_root_first() -> None:
    """The model inside a tool lists the agent run, then the tool run, as its parents."""
    events = _events(_agent(), {"messages": [("user", "go")]})
    root = events[0]["run_id"]
    ask = next(e for e in events if e["event"] == "on_tool_start" and e["name"] == "ask")
    inner = next(
        e for e in events if e["event"] == "on_chat_model_start" and e["parent_ids"] == [root, ask["run_id"]]
    )
    assert inner["name"] == "RecordingFakeChatModel"


def test_tool_events_carry_input_and_output() -> None:
    """Tool starts carry the arguments as `input`; tool ends the ToolMessage as `output`."""
    events = _events(_agent(), {"messages": [("user", "go")]})
    start = next(e for e in events if e["event"] == "on_tool_start")
    end = next(e for e in events if e["event"] == "on_tool_end")
    assert start["data"] == {"input": {"a": 1, "b": 2}}
    assert end["data"]["output"].content == "3"


def test_model_turns_stream_their_tool_calls() -> None:
    """Under astream_events the model streams, tool-call arguments included, chunk by chunk."""
    events = _events(_agent(), {"messages": [("user", "go")]})
    first_turn = []
    for event in events:
        if event["event"] == "on_chat_model_end":
            break
        if event["event"] == "on_chat_model_stream":
            first_turn.append(event["data"]["chunk"])
    merged = first_turn[0] + first_turn[1:]
    assert merged.tool_calls == [{"name": "add", "args": {"a": 1, "b": 2}, "id": "c1", "type": "tool_call"}]


def test_agent_executor_events_end_with_its_output() -> None:
    """An AgentExecutor's last event is its end, with the executor's output dict."""
    agent = executor(scripted(calls(("add", {"a": 1, "b": 2}, "c1")), "3"), [add])
    events = _events(agent, {"input": "go"})
    assert (events[0]["event"], events[0]["name"]) == ("on_chain_start", "AgentExecutor")
    assert events[-1]["event"] == "on_chain_end"
    assert events[-1]["data"]["output"] == {"input": "go", "output": "3"}
