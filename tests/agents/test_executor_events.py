"""What a runtime handler passed to an `AgentExecutor` hears: the agent and every run in it.

The reference page's promise ("a handler passed to an agent is used for the agent and for every
object in its run - the tools and the LLMs") checked run by run, with the parent of each,
through `invoke`, `ainvoke`, `stream` and `astream` alike (§3.5, §6.1 item 13).
"""

from __future__ import annotations

from typing import Any

from .conftest import ToolLib, add, ask_tool, calls, executor, scripted

TURN = [
    "RunnableSequence ['t'] -> chain_end",
    "  RunnableAssign<agent_scratchpad> ['seq:step:1', 't'] -> chain_end",
    "    RunnableParallel<agent_scratchpad> ['t'] -> chain_end",
    "      RunnableLambda ['map:key:agent_scratchpad', 't'] -> chain_end",
    "  ChatPromptTemplate ['seq:step:2', 't'] -> chain_end",
    "  RecordingFakeChatModel ['seq:step:3', 't'] -> llm_end",
    "  ToolsAgentOutputParser ['seq:step:4', 't'] -> chain_end",
]


def _indent(lines: list[str]) -> list[str]:
    return ["  " + line for line in lines]


def _two_tool_agent(**kwargs: Any) -> Any:
    """An executor whose model calls `add`, then `ask` (which calls a model inside), then answers."""
    model = scripted(
        calls(("add", {"a": 1, "b": 2}, "c1")), calls(("ask", {"question": "2*3?"}, "c2")), "It is 9"
    )
    return executor(model, [add, ask_tool(scripted("six"))], **kwargs)


def test_runtime_handler_hears_every_run_with_its_parent(runwire: ToolLib, drive: Any) -> None:
    """The agent run is the root; each turn's agent runnable and each tool run are its children;
    the model inside a tool is that tool's child. Every run ends once."""
    handler = runwire.Recorder()
    drive(_two_tool_agent(), {"input": "1 + 2, and 2 * 3?"}, {"callbacks": [handler], "tags": ["t"]})
    assert handler.events.tree() == [
        "AgentExecutor ['t'] -> chain_end",
        *_indent(TURN),
        "  add ['t'] -> tool_end",
        *_indent(TURN),
        "  ask ['t'] -> tool_end",
        "    RecordingFakeChatModel ['t'] -> llm_end",
        *_indent(TURN),
    ]


def test_agent_actions_and_finish_are_events_of_the_agent_run(runwire: ToolLib, drive: Any) -> None:
    """`on_agent_action` fires on the agent run before each tool runs, `on_agent_finish` before
    the agent's end; they carry the action (tool, input, log) and the finish (output)."""
    handler = runwire.Recorder()
    drive(_two_tool_agent(), {"input": "go"}, {"callbacks": [handler]})
    root = handler.events[0].run_id
    story = [
        e.kind if e.kind.startswith("agent_") else f"{e.kind} {e.label}"
        for e in handler.events
        if e.run_id == root or e.kind in {"tool_start", "tool_end"}
    ]
    assert story == [
        "chain_start AgentExecutor",
        "agent_action",
        "tool_start add",
        "tool_end None",
        "agent_action",
        "tool_start ask",
        "tool_end None",
        "agent_finish",
        "chain_end None",
    ]
    first, second = (e.args[0] for e in handler.events.of("agent_action"))
    assert (first.tool, first.tool_input, first.tool_call_id) == ("add", {"a": 1, "b": 2}, "c1")
    assert (second.tool, second.tool_input) == ("ask", {"question": "2*3?"})
    assert first.log == "\nInvoking: `add` with `{'a': 1, 'b': 2}`\n\n\n"
    finish = handler.events.of("agent_finish")[0].args[0]
    assert (finish.return_values, finish.log) == ({"output": "It is 9"}, "It is 9")


def test_tool_events_carry_the_call_id_and_answer_with_tool_messages(runwire: ToolLib, drive: Any) -> None:
    """The executor invokes each tool with its ToolCall: the start carries `tool_call_id`, the end
    the ToolMessage the model reads next."""
    handler = runwire.Recorder()
    drive(_two_tool_agent(), {"input": "go"}, {"callbacks": [handler]})
    start, end = handler.events.of("tool_start")[0], handler.events.of("tool_end")[0]
    assert (start.args[1], start.kwargs["inputs"], start.kwargs["tool_call_id"]) == (
        "{'a': 1, 'b': 2}",
        {"a": 1, "b": 2},
        "c1",
    )
    assert end.args[0] == runwire.ToolMessage(content="3", name="add", tool_call_id="c1")


def test_every_start_has_exactly_one_terminal_event(runwire: ToolLib, drive: Any) -> None:
    """No run is left open and none ends twice, through every entry point."""
    handler = runwire.Recorder()
    drive(_two_tool_agent(), {"input": "go"}, {"callbacks": [handler]})
    starts = [e.run_id for e in handler.events if e.is_start]
    ends = [e.run_id for e in handler.events if e.is_terminal]
    assert sorted(map(str, starts)) == sorted(map(str, ends))
    assert len(set(starts)) == len(starts)


def test_config_tags_and_metadata_reach_every_run(runwire: ToolLib, drive: Any) -> None:
    """Tags from the config are on every event, metadata on every start."""
    handler = runwire.Recorder()
    drive(_two_tool_agent(), {"input": "go"}, {"callbacks": [handler], "tags": ["t"], "metadata": {"m": 1}})
    assert all("t" in (e.tags or []) for e in handler.events)
    assert all((e.metadata or {}).get("m") == 1 for e in handler.events.starts())


def test_run_name_names_only_the_agent_run(runwire: ToolLib, drive: Any) -> None:
    """`run_name` in the config names the agent's run, not its children."""
    handler = runwire.Recorder()
    drive(_two_tool_agent(), {"input": "go"}, {"callbacks": [handler], "run_name": "Calculator"})
    names = [e.label for e in handler.events.starts()]
    assert names[0] == "Calculator"
    assert "Calculator" not in names[1:]


def test_constructor_handler_hears_only_the_agents_own_run(runwire: ToolLib) -> None:
    """A handler given to `AgentExecutor(callbacks=...)` hears the agent run (start, actions,
    finish, end), none of its children; a runtime handler still hears everything."""
    own, runtime = runwire.Recorder("C"), runwire.Recorder("R")
    _two_tool_agent(callbacks=[own]).invoke({"input": "go"}, {"callbacks": [runtime]})
    assert own.events.kinds() == ["chain_start", "agent_action", "agent_action", "agent_finish", "chain_end"]
    assert len(runtime.events) > len(own.events)


def test_nothing_is_heard_after_the_run(runwire: ToolLib) -> None:
    """A second call without callbacks reports nothing: no handler leaks into the next run."""
    handler = runwire.Recorder()
    agent = executor(scripted(calls(("add", {"a": 1, "b": 2}, "c1")), "3", "3"), [add])
    agent.invoke({"input": "go"}, {"callbacks": [handler]})
    heard = len(handler.events)
    agent.invoke({"input": "again"})
    assert len(handler.events) == heard
