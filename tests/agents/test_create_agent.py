"""`create_agent(model, tools, system_prompt=...)`: the langchain 1.x shape over the same loop.

It takes and returns `{"messages": [...]}`; its run is one chain run ("Agent") whose children
are the model and tool runs in call order, heard the same through every entry point.
"""

from __future__ import annotations

from typing import Any

import pytest

from runwire.agents import create_agent
from runwire.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from .conftest import ToolLib, add, ask_tool, calls, scripted


def _agent(**kwargs: Any) -> Any:
    model = scripted(
        calls(("add", {"a": 1, "b": 2}, "c1")), calls(("ask", {"question": "2*3?"}, "c2")), "It is 9"
    )
    return create_agent(model, [add, ask_tool(scripted("six"))], system_prompt="Be brief.", **kwargs)


def test_invoke_returns_the_whole_conversation() -> None:
    """The result holds the input, each AI message, each tool's answer and the final answer."""
    out = _agent().invoke({"messages": [("user", "1 + 2, then 2 * 3?")]})
    assert [type(m).__name__ for m in out["messages"]] == [
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
        "AIMessage",
        "ToolMessage",
        "AIMessage",
    ]
    assert out["messages"][0] == HumanMessage(content="1 + 2, then 2 * 3?")
    assert out["messages"][2] == ToolMessage(content="3", name="add", tool_call_id="c1")
    assert out["messages"][-1].content == "It is 9"


def test_the_model_reads_the_system_prompt_first() -> None:
    """Every model turn starts with the system prompt, then the conversation so far."""
    model = scripted(calls(("add", {"a": 1, "b": 2}, "c1")), "3")
    create_agent(model, [add], system_prompt="Be brief.").invoke({"messages": [("user", "1 + 2?")]})
    assert model.seen[1][0] == SystemMessage(content="Be brief.")
    assert [type(m).__name__ for m in model.seen[1]] == [
        "SystemMessage",
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
    ]


def test_runtime_handler_hears_every_run_with_its_parent(runwire: ToolLib, drive: Any) -> None:
    """The agent run is the root; the model turns and the tool runs are its children, the model
    inside `ask` is that tool's child; each run ends once."""
    handler = runwire.Recorder()
    drive(_agent(), {"messages": [("user", "go")]}, {"callbacks": [handler]})
    assert handler.events.tree() == [
        "Agent [] -> chain_end",
        "  RecordingFakeChatModel [] -> llm_end",
        "  add [] -> tool_end",
        "  RecordingFakeChatModel [] -> llm_end",
        "  ask [] -> tool_end",
        "    RecordingFakeChatModel [] -> llm_end",
        "  RecordingFakeChatModel [] -> llm_end",
    ]


def test_agent_events_frame_each_tool_call(runwire: ToolLib, drive: Any) -> None:
    """`on_agent_action` precedes each tool run, `on_agent_finish` the agent's end."""
    handler = runwire.Recorder()
    drive(_agent(), {"messages": [("user", "go")]}, {"callbacks": [handler]})
    kinds = [
        e.kind
        for e in handler.events
        if e.kind.startswith(("agent_", "tool_start")) or e.parent_run_id is None
    ]
    assert kinds == [
        "chain_start",
        "agent_action",
        "tool_start",
        "agent_action",
        "tool_start",
        "agent_finish",
        "chain_end",
    ]


def test_name_names_the_agent_run(runwire: ToolLib) -> None:
    """`create_agent(..., name=...)` names the run."""
    handler = runwire.Recorder()
    _agent(name="calculator").invoke({"messages": [("user", "go")]}, {"callbacks": [handler]})
    assert handler.events[0].label == "calculator"


def test_plain_functions_are_made_tools() -> None:
    """Functions given as tools are wrapped with `@tool`."""

    def shout(text: str) -> str:
        """Shout."""
        return text.upper()

    model = scripted(calls(("shout", {"text": "hi"}, "c1")), "done")
    out = create_agent(model, [shout]).invoke({"messages": [("user", "go")]})
    assert out["messages"][2] == ToolMessage(content="HI", name="shout", tool_call_id="c1")


def test_stream_yields_model_and_tool_updates() -> None:
    """`stream` yields LangGraph-style updates: the model's message, then each tool's answer."""
    model = scripted(calls(("add", {"a": 1, "b": 2}, "c1"), ("add", {"a": 2, "b": 2}, "c2")), "done")
    chunks = list(create_agent(model, [add]).stream({"messages": [("user", "go")]}))
    assert [next(iter(chunk)) for chunk in chunks] == ["model", "tools", "tools", "model"]
    assert chunks[0]["model"]["messages"][0].tool_calls[1]["id"] == "c2"
    assert chunks[2]["tools"]["messages"] == [ToolMessage(content="4", name="add", tool_call_id="c2")]
    assert chunks[3]["model"]["messages"][0].content == "done"


def test_max_iterations_ends_with_a_stop_message() -> None:
    """After `max_iterations` model turns the conversation ends with the stop message."""
    model = scripted(*[calls(("add", {"a": 1, "b": 1}, f"c{i}")) for i in range(3)])
    out = create_agent(model, [add], max_iterations=1).invoke({"messages": [("user", "go")]})
    assert out["messages"][-1] == AIMessage(content="Agent stopped due to iteration limit or time limit.")


def test_the_input_must_be_messages() -> None:
    """Anything but `{"messages": [...]}` is refused with the expected shape in the message."""
    with pytest.raises(TypeError, match=r"takes \{'messages': \[...\]\}"):
        _agent().invoke({"input": "go"})


def test_a_model_name_is_resolved_by_init_chat_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """`create_agent("openai:gpt-4o-mini", tools)` builds the model as init_chat_model would."""
    pytest.importorskip("openai")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    agent = create_agent("openai:gpt-4o-mini", [add])
    assert (type(agent.model).__name__, agent.model.model) == ("ChatOpenAI", "gpt-4o-mini")
    with pytest.raises(ValueError, match="unknown model provider 'nope'"):
        create_agent("nope:model", [add])
