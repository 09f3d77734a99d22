"""What an `AgentExecutor` does: its output, parallel tool calls, errors fed back to the model,
limits, `return_direct`, parsing errors, and its stream chunks."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pydantic
import pytest

from runwire.agents import AgentAction, AgentExecutor, AgentFinish, create_tool_calling_agent
from runwire.exceptions import OutputParserException
from runwire.messages import AIMessage, ToolMessage
from runwire.prompts import ChatPromptTemplate
from runwire.runnables import RunnableLambda
from runwire.tools import ToolException, tool

from .conftest import ToolLib, add, calls, executor, scripted


def _tool_messages(model: Any, turn: int) -> list[ToolMessage]:
    """The ToolMessages the model was shown on its `turn`-th call (0-based)."""
    return [m for m in model.seen[turn] if isinstance(m, ToolMessage)]


def test_invoke_returns_the_inputs_and_the_output() -> None:
    """`invoke({"input": ...})` returns the inputs with the model's final answer as `output`."""
    agent = executor(scripted(calls(("add", {"a": 1, "b": 2}, "c1")), "It is 3"), [add])
    assert agent.invoke({"input": "1 + 2?"}) == {"input": "1 + 2?", "output": "It is 3"}


def test_intermediate_steps_are_returned_on_request() -> None:
    """`return_intermediate_steps=True` adds `(action, observation)` pairs; observations are the
    ToolMessages the tools answered with."""
    agent = executor(
        scripted(calls(("add", {"a": 1, "b": 2}, "c1")), "3"), [add], return_intermediate_steps=True
    )
    ((action, observation),) = agent.invoke({"input": "go"})["intermediate_steps"]
    assert (action.tool, action.tool_input, action.tool_call_id) == ("add", {"a": 1, "b": 2}, "c1")
    assert observation == ToolMessage(content="3", name="add", tool_call_id="c1")


def test_the_model_sees_its_calls_and_their_answers_next_turn() -> None:
    """The next turn's prompt holds the AI message with the calls, then one ToolMessage per call."""
    model = scripted(calls(("add", {"a": 1, "b": 2}, "c1"), ("add", {"a": 3, "b": 4}, "c2")), "done")
    executor(model, [add]).invoke({"input": "go"})
    kinds = [type(m).__name__ for m in model.seen[1]]
    assert kinds == ["SystemMessage", "HumanMessage", "AIMessage", "ToolMessage", "ToolMessage"]
    assert [(m.tool_call_id, m.content) for m in _tool_messages(model, 1)] == [("c1", "3"), ("c2", "7")]


def _meeting_tools(meet: Any) -> list[Any]:
    @tool
    def left(x: int) -> int:
        """Left."""
        meet()
        return x

    @tool
    def right(x: int) -> int:
        """Right."""
        meet()
        return x

    return [left, right]


def test_parallel_tool_calls_run_concurrently() -> None:
    """Two calls in one turn run at the same time: each tool waits for the other at a barrier,
    which only works if both are running (a sequential loop would time out)."""
    barrier = threading.Barrier(2, timeout=5)
    model = scripted(calls(("left", {"x": 1}, "c1"), ("right", {"x": 2}, "c2")), "done")
    agent = executor(model, _meeting_tools(barrier.wait), handle_tool_errors=False)
    assert agent.invoke({"input": "go"})["output"] == "done"


def test_parallel_tool_calls_run_concurrently_under_ainvoke() -> None:
    """The same under `ainvoke`: async tools both wait until both have started."""

    async def main() -> Any:
        started = 0
        both = asyncio.Event()

        async def meet(x: int) -> int:
            nonlocal started
            started += 1
            if started == 2:
                both.set()
            await asyncio.wait_for(both.wait(), 5)
            return x

        tools = [tool("left", description="Left.")(meet), tool("right", description="Right.")(meet)]
        model = scripted(calls(("left", {"x": 1}, "c1"), ("right", {"x": 2}, "c2")), "done")
        return await executor(model, tools, handle_tool_errors=False).ainvoke({"input": "go"})

    assert asyncio.run(main())["output"] == "done"


def test_parallel_tool_runs_are_children_of_the_agent_run(runwire: ToolLib) -> None:
    """Concurrent tool runs still report the agent run as their parent."""
    handler = runwire.Recorder()
    model = scripted(calls(("add", {"a": 1, "b": 2}, "c1"), ("add", {"a": 3, "b": 4}, "c2")), "done")
    executor(model, [add]).invoke({"input": "go"}, {"callbacks": [handler]})
    root = handler.events[0].run_id
    assert [e.parent_run_id for e in handler.events.of("tool_start")] == [root, root]


def test_a_failing_tool_is_answered_with_an_error_tool_message() -> None:
    """A tool that raises does not end the agent: the model is told, in a ToolMessage with
    `status="error"`, and answers in its next turn."""

    @tool
    def weather(city: str) -> str:
        """Weather for a city."""
        raise ConnectionError("weather service down")

    model = scripted(calls(("weather", {"city": "Oslo"}, "c1")), "Sorry, no weather today.")
    assert executor(model, [weather]).invoke({"input": "weather?"})["output"] == "Sorry, no weather today."
    (answer,) = _tool_messages(model, 1)
    assert (answer.status, answer.tool_call_id) == ("error", "c1")
    assert answer.content == "Error: ConnectionError('weather service down')\n Please fix your mistakes."


def test_tool_errors_reach_handlers_as_tool_errors(runwire: ToolLib) -> None:
    """The failing tool's run ends with `on_tool_error`; the agent run still ends normally."""
    boom = runwire.boom_tool()
    handler = runwire.Recorder()
    executor(scripted(calls(("boom", {"x": 1}, "c1")), "ok"), [boom]).invoke(
        {"input": "go"}, {"callbacks": [handler]}
    )
    assert [e.kind for e in handler.events if e.kind.startswith("tool_")] == ["tool_start", "tool_error"]
    assert handler.events[-1].kind == "chain_end"


def test_handle_tool_errors_false_raises_to_the_caller(runwire: ToolLib, drive: Any) -> None:
    """With `handle_tool_errors=False` the tool's error ends the agent run (`on_chain_error`) and
    reaches the caller."""
    handler = runwire.Recorder()
    agent = executor(
        scripted(calls(("boom", {"x": 1}, "c1")), "ok"), [runwire.boom_tool()], handle_tool_errors=False
    )
    with pytest.raises(ValueError, match="kaboom"):
        drive(agent, {"input": "go"}, {"callbacks": [handler]})
    assert handler.events[-1].kind == "chain_error"
    assert handler.events.of("tool_error")[0].kwargs["tool_call_id"] == "c1"


def test_handle_tool_errors_may_be_a_string_or_a_function() -> None:
    """A string replaces the error text; a function computes it from the exception."""
    for flag, expected in [("Tool failed.", "Tool failed."), (lambda e: f"failed: {e}", "failed: kaboom")]:
        model = scripted(calls(("boom", {"x": 1}, "c1")), "ok")
        executor(model, [ToolLib("runwire").boom_tool()], handle_tool_errors=flag).invoke({"input": "go"})
        assert _tool_messages(model, 1)[0].content == expected


def test_wrong_argument_types_are_shown_to_the_model() -> None:
    """Arguments of the wrong type never reach the tool: the validation error, naming the field
    and the value, goes back to the model and the loop goes on."""
    model = scripted(calls(("add", {"a": "one", "b": 2}, "c1")), calls(("add", {"a": 1, "b": 2}, "c2")), "3")
    assert executor(model, [add]).invoke({"input": "go"})["output"] == "3"
    (answer,) = _tool_messages(model, 1)
    assert answer.status == "error"
    assert "1 validation error for add\na\n  Input should be a valid integer" in answer.text
    assert "input_value='one'" in answer.text


def test_missing_arguments_are_shown_to_the_model() -> None:
    """A missing argument is reported to the model naming the field."""
    model = scripted(calls(("add", {"a": 1}, "c1")), "sorry")
    executor(model, [add]).invoke({"input": "go"})
    assert "b\n  Field required" in _tool_messages(model, 1)[0].text


def test_validation_errors_reach_the_caller_when_not_handled() -> None:
    """With `handle_tool_errors=False`, bad arguments raise pydantic's ValidationError to the caller."""
    agent = executor(scripted(calls(("add", {"a": 1}, "c1"))), [add], handle_tool_errors=False)
    with pytest.raises(pydantic.ValidationError, match="b\n  Field required"):
        agent.invoke({"input": "go"})


def test_a_tool_handling_its_own_errors_answers_normally() -> None:
    """A tool with `handle_tool_error=True` turns its `ToolException` into its answer itself."""

    @tool(description="Divide.")
    def divide(a: int, b: int) -> float:
        if b == 0:
            raise ToolException("cannot divide by zero")
        return a / b

    divide.handle_tool_error = True
    model = scripted(calls(("divide", {"a": 1, "b": 0}, "c1")), "ok")
    executor(model, [divide]).invoke({"input": "go"})
    answer = _tool_messages(model, 1)[0]
    assert (answer.content, answer.status) == ("cannot divide by zero", "error")


def test_an_unknown_tool_is_answered_with_the_valid_names(runwire: ToolLib) -> None:
    """A call to a tool the agent does not have runs nothing and tells the model which exist."""
    handler = runwire.Recorder()
    model = scripted(calls(("search", {"q": "x"}, "c1")), "ok")
    executor(model, [add]).invoke({"input": "go"}, {"callbacks": [handler]})
    answer = _tool_messages(model, 1)[0]
    assert (answer.content, answer.status) == ("search is not a valid tool, try one of [add].", "error")
    assert handler.events.of("tool_start") == []


def test_unparseable_tool_arguments_are_answered_with_an_error() -> None:
    """A call whose arguments are not JSON (an invalid tool call) is answered with an error
    naming the tool and the raw arguments; the tool does not run."""
    bad = AIMessage(
        content="", invalid_tool_calls=[{"name": "add", "args": "{a: 1", "id": "c1", "error": "bad JSON"}]
    )
    model = scripted(bad, "ok")
    assert executor(model, [add]).invoke({"input": "go"})["output"] == "ok"
    answer = _tool_messages(model, 1)[0]
    assert answer.status == "error"
    assert answer.content.startswith(
        "Error: the arguments of the call to 'add' could not be parsed (bad JSON)"
    )


def test_max_iterations_stops_the_agent(runwire: ToolLib) -> None:
    """After `max_iterations` turns the agent stops with langchain's message, reporting it as the
    finish."""
    handler = runwire.Recorder()
    model = scripted(*[calls(("add", {"a": 1, "b": 1}, f"c{i}")) for i in range(5)])
    result = executor(model, [add], max_iterations=2).invoke({"input": "go"}, {"callbacks": [handler]})
    assert result["output"] == "Agent stopped due to iteration limit or time limit."
    assert (len(model.seen), len(handler.events.of("tool_start"))) == (2, 2)
    assert handler.events.of("agent_finish")[0].args[0].return_values == {"output": result["output"]}


def test_max_execution_time_stops_the_agent() -> None:
    """A time limit already passed stops the agent before it asks the model anything."""
    model = scripted("never")
    result = executor(model, [add], max_execution_time=0).invoke({"input": "go"})
    assert (result["output"], model.seen) == ("Agent stopped due to iteration limit or time limit.", [])


def test_return_direct_tool_output_is_the_answer() -> None:
    """A call to a `return_direct` tool ends the agent with the tool's output as the answer."""

    @tool(return_direct=True)
    def lookup(key: str) -> str:
        """Look up."""
        return f"value of {key}"

    model = scripted(calls(("lookup", {"key": "k"}, "c1")), "never asked")
    assert executor(model, [lookup]).invoke({"input": "go"})["output"] == "value of k"
    assert len(model.seen) == 1


def _flaky_agent(first: Any) -> Any:
    """An agent runnable that raises `first` on its first call, then finishes."""
    replies = iter([first, AgentFinish({"output": "recovered"}, "recovered")])

    def plan(inputs: dict[str, Any]) -> Any:
        reply = next(replies)
        if isinstance(reply, Exception):
            raise reply
        return reply

    return RunnableLambda(plan)


def test_parsing_errors_raise_unless_handled() -> None:
    """An `OutputParserException` from the agent ends the run with a clear error by default."""
    agent = AgentExecutor(agent=_flaky_agent(OutputParserException("not JSON", llm_output="{")), tools=[add])
    with pytest.raises(ValueError, match="pass `handle_parsing_errors=True`"):
        agent.invoke({"input": "go"})


def test_handled_parsing_errors_are_shown_to_the_agent(runwire: ToolLib) -> None:
    """With `handle_parsing_errors=True` the error becomes an `_Exception` step the agent sees,
    announced like any action, and the loop goes on."""
    handler = runwire.Recorder()
    agent = AgentExecutor(
        agent=_flaky_agent(OutputParserException("not JSON", llm_output="{")),
        tools=[add],
        handle_parsing_errors=True,
        return_intermediate_steps=True,
    )
    result = agent.invoke({"input": "go"}, {"callbacks": [handler]})
    assert result["output"] == "recovered"
    assert result["intermediate_steps"] == [
        (AgentAction("_Exception", "Invalid or incomplete response", "{"), "Invalid or incomplete response")
    ]
    assert handler.events.of("agent_action")[0].args[0].tool == "_Exception"


def test_stream_yields_actions_steps_and_the_output() -> None:
    """`stream` yields langchain's chunks: `{"actions": [...]}` per call, `{"steps": [...]}` per
    answer, then the output, each with the messages it stands for."""
    chunks = list(
        executor(scripted(calls(("add", {"a": 1, "b": 2}, "c1")), "3"), [add]).stream({"input": "go"})
    )
    assert [sorted(chunk) for chunk in chunks] == [
        ["actions", "messages"],
        ["messages", "steps"],
        ["messages", "output"],
    ]
    assert chunks[1]["steps"][0].observation == ToolMessage(content="3", name="add", tool_call_id="c1")
    assert chunks[2]["output"] == "3"


def test_the_prompt_needs_an_agent_scratchpad() -> None:
    """`create_tool_calling_agent` refuses a prompt with nowhere to put the steps so far."""
    prompt = ChatPromptTemplate.from_messages([("human", "{input}")])
    with pytest.raises(ValueError, match=r"Prompt missing required variables: \{'agent_scratchpad'\}"):
        create_tool_calling_agent(scripted(), [add], prompt)


def test_a_string_input_is_the_input_key() -> None:
    """`invoke("text")` is `invoke({"input": "text"})`."""
    assert executor(scripted("hi"), [add]).invoke("hello") == {"input": "hello", "output": "hi"}
