"""The agent loop without any I/O: a generator driven by hand, request by request.

The same generator drives `invoke`, `ainvoke`, `stream` and `astream`; here each decision it
makes is checked on its own, with plain values standing in for the agent and the tools.
"""

from __future__ import annotations

from typing import Any

import pytest

from runwire.agents import AgentAction, AgentFinish, Settings, ToolAgentAction, agent_loop
from runwire.agents.loop import Announce, Emit, Plan, RunTools
from runwire.exceptions import OutputParserException
from runwire.messages import ToolMessage


class Tool:
    """A stand-in tool: only its name and `return_direct` matter to the loop."""

    def __init__(self, name: str, return_direct: bool = False) -> None:
        self.name = name
        self.return_direct = return_direct


TOOLS = {"add": Tool("add"), "lookup": Tool("lookup", return_direct=True)}


def _call(tool: str, call_id: str) -> ToolAgentAction:
    return ToolAgentAction(tool=tool, tool_input={"x": 1}, log="", message_log=[], tool_call_id=call_id)


def _until(loop: Any, kind: type, reply: Any = None) -> tuple[Any, list[Any]]:
    """Send `reply`, then step past everything until a request of `kind`; return it and what was skipped."""
    skipped = []
    request = loop.send(reply)
    while not isinstance(request, kind):
        skipped.append(request)
        request = next(loop)
    return request, skipped


def test_the_loop_first_asks_for_a_plan_with_no_steps() -> None:
    """The first request is a Plan with no steps."""
    assert next(agent_loop(Settings(tools=TOOLS))) == Plan(())


def test_actions_are_announced_then_run_together() -> None:
    """Each action is announced (and emitted) before all of the turn's calls are requested at
    once, each as a ToolCall answering its id."""
    loop = agent_loop(Settings(tools=TOOLS))
    next(loop)
    actions = [_call("add", "c1"), _call("add", "c2")]
    request, before = _until(loop, RunTools, actions)
    assert before == [
        Announce(actions[0]),
        Emit("action", actions[0]),
        Announce(actions[1]),
        Emit("action", actions[1]),
    ]
    assert [call.input for call in request.calls] == [
        {"type": "tool_call", "name": "add", "args": {"x": 1}, "id": "c1"},
        {"type": "tool_call", "name": "add", "args": {"x": 1}, "id": "c2"},
    ]


def test_observations_become_the_next_plans_steps() -> None:
    """What the tools answered is handed to the next Plan as `(action, observation)` pairs."""
    loop = agent_loop(Settings(tools=TOOLS))
    next(loop)
    action = _call("add", "c1")
    _until(loop, RunTools, [action])
    plan, emitted = _until(loop, Plan, ["two"])
    assert plan == Plan(((action, "two"),))
    assert [e.kind for e in emitted] == ["step"]


def test_a_finish_ends_the_loop_with_every_step() -> None:
    """An AgentFinish is announced and emitted, and the loop returns it with the steps taken."""
    loop = agent_loop(Settings(tools=TOOLS))
    next(loop)
    finish = AgentFinish({"output": "done"}, "done")
    assert loop.send(finish) == Announce(finish)
    assert next(loop) == Emit("finish", finish)
    with pytest.raises(StopIteration) as stop:
        next(loop)
    assert (stop.value.value.finish, stop.value.value.steps) == (finish, [])


def test_an_unknown_tool_is_answered_without_a_run() -> None:
    """A call to a tool not in `tools` comes with its error answer and no tool to run."""
    loop = agent_loop(Settings(tools=TOOLS))
    next(loop)
    request, _ = _until(loop, RunTools, [_call("search", "c1")])
    (call,) = request.calls
    assert call.tool is None
    assert call.observation == ToolMessage(
        content="search is not a valid tool, try one of [add, lookup].",
        tool_call_id="c1",
        name="search",
        status="error",
    )


def test_the_iteration_limit_forces_a_stop() -> None:
    """After `max_iterations` plans the loop finishes with langchain's stop message."""
    loop = agent_loop(Settings(tools=TOOLS, max_iterations=1))
    next(loop)
    _until(loop, RunTools, [_call("add", "c1")])
    announce, _ = _until(loop, Announce, ["obs"])
    assert announce == Announce(
        AgentFinish({"output": "Agent stopped due to iteration limit or time limit."}, "")
    )


def test_a_return_direct_tool_answer_is_the_final_answer() -> None:
    """A lone call to a `return_direct` tool finishes with that tool's answer (a ToolMessage's content)."""
    loop = agent_loop(Settings(tools=TOOLS))
    next(loop)
    _until(loop, RunTools, [_call("lookup", "c1")])
    answer = ToolMessage(content="found", tool_call_id="c1")
    announce, _ = _until(loop, Announce, [answer])
    assert announce == Announce(AgentFinish({"output": "found"}, ""))


def test_the_time_limit_is_read_from_the_clock() -> None:
    """The loop reads its clock before each plan: within `max_execution_time` it plans, past it
    it stops with the stop message."""
    ticks = iter([0.0, 1.0, 10.0])  # start, before turn 1, before turn 2
    loop = agent_loop(Settings(tools=TOOLS, max_execution_time=5, clock=lambda: next(ticks)))
    assert next(loop) == Plan(())
    _until(loop, RunTools, [_call("add", "c1")])
    announce, _ = _until(loop, Announce, ["obs"])
    assert announce.event.return_values == {"output": "Agent stopped due to iteration limit or time limit."}


def test_a_parse_error_raises_unless_handled() -> None:
    """An OutputParserException sent back ends the loop with a clear error by default."""
    loop = agent_loop(Settings(tools=TOOLS))
    next(loop)
    with pytest.raises(ValueError, match="handle_parsing_errors=True"):
        loop.send(OutputParserException("bad"))


def test_a_handled_parse_error_becomes_an_exception_step() -> None:
    """With `handle_parsing_errors` (here a string) the error is a `_Exception` action whose input
    is the text shown to the agent, and the loop asks for a new plan."""
    loop = agent_loop(Settings(tools=TOOLS, handle_parsing_errors="Answer in JSON."))
    next(loop)
    plan, _ = _until(loop, Plan, OutputParserException("bad", llm_output="{x"))
    assert plan == Plan(((AgentAction("_Exception", "Answer in JSON.", "{x"), "Answer in JSON."),))


def test_unsupported_early_stopping_is_refused() -> None:
    """Only "force" stopping exists; anything else fails before the first plan."""
    with pytest.raises(ValueError, match="early_stopping_method 'generate' is not supported"):
        next(agent_loop(Settings(tools=TOOLS, early_stopping_method="generate")))


def test_agent_executor_refuses_unsupported_early_stopping_at_construction() -> None:
    """AgentExecutor(early_stopping_method="generate") fails when built, not at the limit."""
    from runwire.agents import AgentExecutor
    from runwire.runnables import RunnableLambda

    with pytest.raises(ValueError, match="early_stopping_method 'generate' is not supported"):
        AgentExecutor(agent=RunnableLambda(lambda x: x), tools=[], early_stopping_method="generate")
