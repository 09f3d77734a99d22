"""Tool runs, side by side with langchain-core (§1.2, §3.5, §3.8 of the reference note).

A tool call is one run: `on_tool_start(serialized={'name', 'description'}, input_str, inputs=...,
tool_call_id=...)` then one `on_tool_end(output, name=tool.name)` or `on_tool_error(error,
tool_call_id=...)`. Where runwire differs on purpose the test asserts each library's behaviour:
the start's `name=` is the tool's name without `run_name` (langchain-core sends None; runwire
follows the rule `tests/semantics/test_payloads.py` set for models), and a model invoked with
the config a tool function receives nests under the tool (langchain-core makes it a new root).

No `from __future__ import annotations` here: tools read the annotations of functions defined
inside the tests, which name `lib`'s classes.
"""

from typing import Annotated, Any

import pytest

from .conftest import tool_call

START_KEYS = ["color", "inputs", "metadata", "name", "parent_run_id", "run_id", "tags", "tool_call_id"]


def test_tool_start_payload_matches_the_reference(lib: Any, run: Any) -> None:
    """`tool.invoke({'a': 1, 'b': 2})`: serialized is `{'name', 'description'}`, input_str is
    `str(args)`, `inputs` the dict, `tool_call_id` None, tags and metadata from the config (§3.5)."""
    handler = lib.Recorder()
    result = run(
        lib.add_tool(), {"a": 1, "b": 2}, {"callbacks": [handler], "tags": ["tt"], "metadata": {"mm": 1}}
    )
    assert result == 3
    start = handler.events[0]
    assert start.kind == "tool_start"
    assert start.args == ({"name": "add", "description": "Add two integers."}, "{'a': 1, 'b': 2}")
    assert sorted(start.kwargs) == START_KEYS
    assert (start.kwargs["inputs"], start.kwargs["tool_call_id"], start.tags, start.metadata) == (
        {"a": 1, "b": 2},
        None,
        ["tt"],
        {"mm": 1},
    )
    assert start.kwargs["color"] == "green"


def test_tool_start_name_is_the_tool_name_in_runwire(lib: Any, run: Any) -> None:
    """Without `run_name`, langchain-core sends tool starts `name=None`; runwire sends the tool's
    name, the rule it follows for model starts (tests/semantics/test_payloads.py)."""
    handler = lib.Recorder()
    run(lib.add_tool(), {"a": 1, "b": 2}, {"callbacks": [handler]})
    assert handler.events[0].kwargs["name"] == (None if lib.name == "langchain_core" else "add")


def test_tool_start_name_is_the_config_run_name(lib: Any, run: Any) -> None:
    """With `run_name` in the config, the tool start carries it as `name=`; the end keeps the
    tool's own name (§1.2)."""
    handler = lib.Recorder()
    run(lib.add_tool(), {"a": 1, "b": 2}, {"callbacks": [handler], "run_name": "Adder"})
    start, end = handler.events
    assert start.kwargs["name"] == "Adder"
    assert end.kwargs["name"] == "add"


def test_tool_end_payload_matches_the_reference(lib: Any, run: Any) -> None:
    """`on_tool_end` gets the raw return value with `name=tool.name`, `color`, tags, run ids (§3.5)."""
    handler = lib.Recorder()
    run(lib.add_tool(), {"a": 1, "b": 2}, {"callbacks": [handler], "tags": ["tt"]})
    end = handler.events[1]
    assert end.kind == "tool_end"
    assert end.args == (3,)
    assert sorted(end.kwargs) == ["color", "name", "parent_run_id", "run_id", "tags"]
    assert (end.kwargs["name"], end.tags, end.run_id) == ("add", ["tt"], handler.events[0].run_id)


def test_tool_call_input_gives_a_tool_message(lib: Any, run: Any) -> None:
    """Invoked with a ToolCall dict, the start carries its id and the tool returns (and the end
    reports) `ToolMessage(content='3', name='add', tool_call_id='call_1')` (§3.5)."""
    handler = lib.Recorder()
    result = run(lib.add_tool(), tool_call("add", {"a": 1, "b": 2}, "call_1"), {"callbacks": [handler]})
    expected = lib.ToolMessage(content="3", name="add", tool_call_id="call_1")
    assert result == expected
    assert repr(result) == "ToolMessage(content='3', name='add', tool_call_id='call_1')"
    start, end = handler.events
    assert (start.args[1], start.kwargs["inputs"], start.kwargs["tool_call_id"]) == (
        "{'a': 1, 'b': 2}",
        {"a": 1, "b": 2},
        "call_1",
    )
    assert end.args == (expected,)


def test_tool_error_is_reported_and_raised(lib: Any, run: Any) -> None:
    """A tool that raises: `on_tool_error(error, tool_call_id=...)` (no name, no color), then the
    caller gets the same exception (§3.5)."""
    handler = lib.Recorder()
    with pytest.raises(ValueError, match="kaboom") as raised:
        run(lib.boom_tool(), {"x": 1}, {"callbacks": [handler]})
    assert handler.events.kinds() == ["tool_start", "tool_error"]
    error = handler.events[1]
    assert error.args == (raised.value,)
    assert sorted(error.kwargs) == ["parent_run_id", "run_id", "tags", "tool_call_id"]
    assert error.kwargs["tool_call_id"] is None


def test_tool_error_carries_the_tool_call_id(lib: Any, run: Any) -> None:
    """Called with a ToolCall, the error event names the call it failed to answer."""
    handler = lib.Recorder()
    with pytest.raises(ValueError, match="kaboom"):
        run(lib.boom_tool(), tool_call("boom", {"x": 1}, "call_9"), {"callbacks": [handler]})
    assert handler.events[1].kwargs["tool_call_id"] == "call_9"


def test_handled_tool_exception_becomes_error_content(lib: Any, run: Any) -> None:
    """A `ToolException` with `handle_tool_error=True` is the output (its message), with
    `status='error'` on the ToolMessage, and the run ends normally (§3.5)."""
    handler = lib.Recorder()
    tool = lib.boom_tool(lib.ToolException("no such city"), handle_tool_error=True)
    result = run(tool, tool_call("boom", {"x": 1}, "c1"), {"callbacks": [handler]})
    assert result == lib.ToolMessage(content="no such city", name="boom", tool_call_id="c1", status="error")
    assert handler.events.kinds() == ["tool_start", "tool_end"]


def test_handle_tool_error_may_be_a_string_or_a_function(lib: Any, run: Any) -> None:
    """`handle_tool_error` as a string replaces the message; as a function it computes it."""
    fixed = lib.boom_tool(lib.ToolException("x"), handle_tool_error="try again")
    computed = lib.boom_tool(lib.ToolException("x"), handle_tool_error=lambda e: f"failed: {e}")
    assert run(fixed, {"x": 1}) == "try again"
    assert run(computed, {"x": 1}) == "failed: x"


def test_unhandled_tool_exception_is_raised(lib: Any, run: Any) -> None:
    """Without `handle_tool_error`, a `ToolException` reaches the caller like any error."""
    with pytest.raises(lib.ToolException, match="no such city"):
        run(lib.boom_tool(lib.ToolException("no such city")), {"x": 1})


def test_validation_error_is_reported_and_raised(lib: Any, run: Any) -> None:
    """Arguments of the wrong type fail validation inside the run: `on_tool_error` with pydantic's
    ValidationError, which the caller gets too (the tool body never runs)."""
    import pydantic

    handler = lib.Recorder()
    with pytest.raises(pydantic.ValidationError, match="a\n  Input should be a valid integer"):
        run(lib.add_tool(), {"a": "x", "b": 2}, {"callbacks": [handler]})
    assert handler.events.kinds() == ["tool_start", "tool_error"]


def test_handled_validation_error_becomes_error_content(lib: Any, run: Any) -> None:
    """With `handle_validation_error=True` the output is "Tool input validation error", as a
    ToolMessage with `status='error'` when called with a ToolCall."""
    handler = lib.Recorder()
    tool = lib.add_tool(handle_validation_error=True)
    result = run(tool, tool_call("add", {"a": 1}, "c1"), {"callbacks": [handler]})
    assert result == lib.ToolMessage(
        content="Tool input validation error", name="add", tool_call_id="c1", status="error"
    )
    assert handler.events.kinds() == ["tool_start", "tool_end"]


def test_injected_arguments_are_hidden_from_handlers(lib: Any, run: Any) -> None:
    """An `InjectedToolArg` argument reaches the function but not `inputs` or `input_str` (§1.2)."""
    seen: list[str] = []

    def lookup(city: str, api_key: Annotated[str, lib.InjectedToolArg]) -> str:
        """Look a city up."""
        seen.append(api_key)
        return city.upper()

    handler = lib.Recorder()
    tool = lib.tool(lookup)
    result = run(tool, {"city": "oslo", "api_key": "secret"}, {"callbacks": [handler]})
    assert (result, seen) == ("OSLO", ["secret"])
    start = handler.events[0]
    assert (start.args[1], start.kwargs["inputs"]) == ("{'city': 'oslo'}", {"city": "oslo"})


def test_injected_tool_call_id_receives_the_calls_id(lib: Any, run: Any) -> None:
    """An `InjectedToolCallId` argument is filled with the id of the ToolCall being answered."""

    def echo(x: int, call_id: Annotated[str, lib.InjectedToolCallId]) -> str:
        """Echo."""
        return f"{x}:{call_id}"

    result = run(lib.tool(echo), tool_call("echo", {"x": 1}, "c7"))
    assert result == lib.ToolMessage(content="1:c7", name="echo", tool_call_id="c7")


def test_injected_tool_call_id_needs_a_tool_call(lib: Any, run: Any) -> None:
    """Invoking such a tool with plain arguments fails, saying a full ToolCall is needed."""

    def echo(x: int, call_id: Annotated[str, lib.InjectedToolCallId]) -> str:
        """Echo."""
        return f"{x}:{call_id}"

    with pytest.raises(ValueError, match="must always be invoked with a full model ToolCall"):
        run(lib.tool(echo), {"x": 1})


def test_string_input_goes_to_a_single_argument_tool(lib: Any, run: Any) -> None:
    """A plain string is the one argument of a single-argument tool; `input_str` is the string
    and `inputs` is None (§1.2)."""

    def shout(text: str) -> str:
        """Shout."""
        return text.upper()

    handler = lib.Recorder()
    assert run(lib.tool(shout), "hey", {"callbacks": [handler]}) == "HEY"
    start = handler.events[0]
    assert (start.args[1], start.kwargs["inputs"]) == ("hey", None)


def test_async_tool_runs_under_ainvoke(lib: Any) -> None:
    """A tool made from an `async def` is awaited by `ainvoke`, with the same events."""
    import asyncio

    async def slow_add(a: int, b: int) -> int:
        """Add, slowly."""
        await asyncio.sleep(0)
        return a + b

    handler = lib.Recorder()
    tool = lib.tool(slow_add)
    assert asyncio.run(tool.ainvoke({"a": 1, "b": 2}, {"callbacks": [handler]})) == 3
    assert handler.events.kinds() == ["tool_start", "tool_end"]


def test_content_and_artifact_fills_the_tool_messages_artifact(lib: Any, run: Any) -> None:
    """`response_format='content_and_artifact'`: the function returns (content, artifact); the
    ToolMessage carries both."""

    def fetch(n: int) -> tuple[str, list[int]]:
        """Fetch n numbers."""
        return f"{n} numbers", list(range(n))

    tool = lib.tool(fetch, response_format="content_and_artifact")
    result = run(tool, tool_call("fetch", {"n": 3}, "c1"))
    assert (result.content, result.artifact) == ("3 numbers", [0, 1, 2])


def test_tool_constructor_tags_and_metadata_apply_to_its_run(lib: Any, run: Any) -> None:
    """Tags and metadata given to the tool join the config's on the tool's own run."""
    handler = lib.Recorder()
    tool = lib.add_tool(tags=["own"], metadata={"own": 1})
    run(tool, {"a": 1, "b": 2}, {"callbacks": [handler], "tags": ["rt"], "metadata": {"rt": 2}})
    start = handler.events[0]
    assert (start.tags, start.metadata) == (["rt", "own"], {"rt": 2, "own": 1})


def test_ignore_agent_silences_tool_events(lib: Any, run: Any) -> None:
    """Tool events have no `ignore_tool` flag: `ignore_agent = True` silences them (§1.1)."""
    handler = type("IgnoringAgent", (lib.Recorder,), {"ignore_agent": True})()
    run(lib.add_tool(), {"a": 1, "b": 2}, {"callbacks": [handler]})
    assert handler.events == []


def test_constructor_handler_on_a_tool_hears_only_the_tool(lib: Any, run: Any) -> None:
    """A handler given to the tool's constructor hears the tool run only, never the model called
    inside the tool; the runtime handler hears both, the model as the tool's child (§3.8)."""
    own, runtime = lib.Recorder("TC"), lib.Recorder("R")
    model = lib.FakeListChatModel(responses=["six"])
    tool = lib.ask_tool(model, callbacks=[own])
    assert run(tool, {"question": "2 * 3?"}, {"callbacks": [runtime]}) == "six"
    assert own.events.kinds() == ["tool_start", "tool_end"]
    assert runtime.events.lines() == [
        "tool_start ask R1<-None []",
        "chat_model_start FakeListChatModel R2<-R1 []",
        "llm_end R2<-R1 []",
        "tool_end R1<-None []",
    ]


def test_model_given_the_tools_config_nests_under_the_tool(lib: Any, run: Any) -> None:
    """A tool function that takes `config: RunnableConfig` and passes it on: in runwire the model
    is the tool's child. langchain-core hands the function the config the tool was called with,
    so the model becomes a second root run."""
    model = lib.FakeListChatModel(responses=["six"])

    def ask(question: str, config: lib.RunnableConfig) -> str:  # type: ignore[name-defined]
        """Ask a model."""
        return str(model.invoke(question, config).content)

    handler = lib.Recorder()
    run(lib.tool(ask), {"question": "2 * 3?"}, {"callbacks": [handler]})
    tool_run = handler.events[0].run_id
    model_parent = handler.events.of("chat_model_start")[0].parent_run_id
    assert model_parent == (None if lib.name == "langchain_core" else tool_run)


def test_tool_with_no_handler_mints_no_run(runwire: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nobody listening: the tool runs and returns, with no run id made and no run current."""
    from runwire.callbacks import context

    def fail() -> None:
        raise AssertionError("a run id was minted with no handler listening")

    monkeypatch.setattr(context, "new_run_id", fail)
    assert runwire.add_tool().invoke({"a": 1, "b": 2}) == 3
