"""Callback managers driven by hand, as integrations written for langchain-core drive them:
`CallbackManager.configure`, the start methods returning run managers, the mutators,
`handle_event` / `ahandle_event` and chain groups."""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import pytest


def add_one(x: int) -> int:
    return x + 1


def test_configure_manager_as_callbacks_behaves_like_its_list(lib: Any, run: Any) -> None:
    """`CallbackManager.configure([h])` passed as callbacks gives the trace the list gives."""
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(add_one)
    as_list, as_manager = lib.Recorder(), lib.Recorder()
    assert run(chain, 1, {"callbacks": [as_list]}) == 3
    assert run(chain, 1, {"callbacks": lib.CallbackManager.configure([as_manager])}) == 3
    assert as_manager.events.tree() == as_list.events.tree()
    assert as_manager.events.lines() == as_list.events.lines()


def test_manual_chain_run_honours_run_id_and_nests_children(lib: Any) -> None:
    """`on_chain_start(..., run_id=)` returns a run manager with that id; `get_child()` nests a
    runnable under it; `on_chain_end` closes it."""
    handler = lib.Recorder()
    manager = lib.CallbackManager.configure([handler], inheritable_tags=["t"], inheritable_metadata={"m": 1})
    run_id = uuid.uuid4()
    run = manager.on_chain_start({"name": "by-hand"}, {"x": 1}, run_id=run_id, name="by-hand")
    assert run.run_id == run_id
    assert lib.RunnableLambda(add_one).invoke(1, {"callbacks": run.get_child("sub")}) == 2
    run.on_chain_end({"y": 2})
    # The child's tag order is a documented difference (see test_constructor_vs_runtime).
    child_tags = "['t', 'sub']" if lib.name == "langchain_core" else "['sub', 't']"
    assert handler.events.lines() == [
        "chain_start by-hand R1<-None ['t']",
        f"chain_start add_one R2<-R1 {child_tags}",
        f"chain_end R2<-R1 {child_tags}",
        "chain_end R1<-None ['t']",
    ]
    assert handler.events[0].run_id == run_id
    assert handler.events[0].metadata == {"m": 1}


def test_manual_llm_starts_make_one_run_per_prompt(lib: Any) -> None:
    """`on_llm_start` opens one run per prompt; an explicit run id goes to the first."""
    handler = lib.Recorder()
    manager = lib.CallbackManager.configure([handler])
    run_id = uuid.uuid4()
    runs = manager.on_llm_start({"name": "llm"}, ["a", "b"], run_id=run_id)
    assert len(runs) == 2
    assert runs[0].run_id == run_id
    assert runs[1].run_id != run_id
    for item in runs:
        item.on_llm_end(lib.LLMResult(generations=[[lib.Generation(text="ok")]]))
    assert [e.kind for e in handler.events] == ["llm_start", "llm_start", "llm_end", "llm_end"]
    assert [e.args[1] for e in handler.events.starts()] == [["a"], ["b"]]


def test_manual_chat_start_falls_back_to_llm_start_with_buffer_strings(lib: Any) -> None:
    """A handler whose `on_chat_model_start` raises NotImplementedError gets `on_llm_start`
    with the messages rendered as a transcript."""
    seen: list[Any] = []

    class Legacy(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            raise NotImplementedError

        def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
            seen.append(prompts)

    manager = lib.CallbackManager.configure([Legacy()])
    (llm_run,) = manager.on_chat_model_start(
        {"name": "chat"}, [[lib.HumanMessage("hi"), lib.AIMessage("yo")]]
    )
    assert seen == [["Human: hi\nAI: yo"]]
    assert llm_run.parent_run_id is None


def test_manual_tool_and_retriever_runs(lib: Any) -> None:
    """`on_tool_start` / `on_retriever_start` return run managers whose end events close them."""
    handler = lib.Recorder()
    manager = lib.CallbackManager.configure([handler])
    tool = manager.on_tool_start({"name": "search"}, "q", inputs={"q": "q"})
    tool.on_tool_end("found")
    retriever = manager.on_retriever_start({"name": "docs"}, "q")
    retriever.on_retriever_end([])
    assert handler.events.kinds() == ["tool_start", "tool_end", "retriever_start", "retriever_end"]
    assert handler.events[0].kwargs["inputs"] == {"q": "q"}


def test_manager_mutators(lib: Any) -> None:
    """add/remove handlers, tags and metadata; copy is independent; merge unions both sides."""
    one, two = lib.Recorder("1"), lib.Recorder("2")
    manager = lib.CallbackManager(handlers=[])
    manager.add_handler(one)
    manager.add_handler(two, inherit=False)
    assert manager.handlers == [one, two]
    assert manager.inheritable_handlers == [one]
    manager.remove_handler(one)
    assert manager.handlers == [two]
    assert manager.inheritable_handlers == []
    manager.set_handlers([one])
    assert (manager.handlers, manager.inheritable_handlers) == ([one], [one])
    manager.add_tags(["a", "b"])
    manager.add_tags(["c"], inherit=False)
    manager.remove_tags(["b"])
    assert (manager.tags, manager.inheritable_tags) == (["a", "c"], ["a"])
    manager.add_metadata({"k": 1, "j": 2})
    manager.remove_metadata(["j"])
    assert (manager.metadata, manager.inheritable_metadata) == ({"k": 1}, {"k": 1})
    copied = manager.copy()
    copied.add_tags(["z"])
    assert "z" not in manager.tags
    parent = uuid.uuid4()
    other = lib.CallbackManager(handlers=[two], inheritable_handlers=[two], tags=["o"], parent_run_id=parent)
    merged = manager.merge(other)
    # langchain-core merges through sets (order not kept); runwire keeps order.
    assert set(merged.handlers) == {one, two}
    assert set(merged.tags) == {"a", "c", "o"}
    assert merged.parent_run_id == parent


def test_async_manager_starts_are_awaitable(lib: Any) -> None:
    """`AsyncCallbackManager.on_chain_start` is awaited and returns an async run manager."""
    import asyncio

    handler = lib.AsyncRecorder()

    async def main() -> None:
        manager = lib.AsyncCallbackManager.configure([handler])
        assert manager.is_async
        run = await manager.on_chain_start({"name": "a"}, {}, run_id=run_id, name="a")
        await run.on_chain_end({})
        (llm,) = await manager.on_llm_start({"name": "m"}, ["p"])
        await llm.on_llm_end(lib.LLMResult(generations=[[]]))

    run_id = uuid.uuid4()
    asyncio.run(main())
    assert handler.events.kinds() == ["chain_start", "chain_end", "llm_start", "llm_end"]
    assert handler.events[0].run_id == run_id


def test_handle_event_falls_back_and_honours_ignore_and_raise_error(lib: Any) -> None:
    """`handle_event` skips ignoring handlers, falls back to `on_llm_start`, re-raises for
    `raise_error=True` handlers and logs the rest."""
    calls: list[str] = []

    class Legacy(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            raise NotImplementedError

        def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
            calls.append(f"llm {prompts}")

    class Ignoring(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        ignore_chain = True

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            calls.append("ignored one ran")

    class Strict(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        raise_error = True

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            raise ValueError("strict")

    lib.handle_event(
        [Legacy()], "on_chat_model_start", "ignore_chat_model", {}, [[lib.HumanMessage("x")]], run_id=1
    )
    lib.handle_event([Ignoring()], "on_chain_start", "ignore_chain", {}, {}, run_id=1)
    with pytest.raises(ValueError, match="strict"):
        lib.handle_event([Strict()], "on_chain_start", "ignore_chain", {}, {}, run_id=1)
    assert calls == ["llm ['Human: x']"]

    import asyncio

    asyncio.run(
        lib.ahandle_event([Legacy()], "on_chat_model_start", None, {}, [[lib.AIMessage("y")]], run_id=1)
    )
    assert calls[-1] == "llm ['AI: y']"


def test_trace_as_chain_group_parents_calls(lib: Any) -> None:
    """Calls given the group's manager nest under one group run, ended with the outputs given.

    Deliberate difference: langchain-core hands the `callback_manager` argument on only when
    LangSmith tracing is enabled (`_get_trace_callbacks` returns None otherwise), so its handlers
    hear nothing; runwire uses the manager it is given."""
    handler = lib.Recorder()
    manager = lib.CallbackManager.configure([handler])
    with lib.trace_as_chain_group("group", manager, inputs={"q": 1}) as group:
        lib.RunnableLambda(add_one).invoke(1, {"callbacks": group})
        lib.RunnableLambda(add_one).invoke(2, {"callbacks": group})
        group.on_chain_end({"done": True})
    if lib.name == "langchain_core":
        assert handler.events == []
        return
    assert handler.events.tree() == [
        "group [] -> chain_end",
        "  add_one [] -> chain_end",
        "  add_one [] -> chain_end",
    ]
    assert handler.events[-1].args == ({"done": True},)


def test_trace_as_chain_group_ends_with_the_error(lib: Any) -> None:
    handler = lib.Recorder()
    with pytest.raises(KeyError), lib.trace_as_chain_group("group", lib.CallbackManager.configure([handler])):
        raise KeyError("boom")
    if lib.name == "langchain_core":  # see test_trace_as_chain_group_parents_calls
        assert handler.events == []
        return
    assert handler.events.kinds() == ["chain_start", "chain_error"]


def test_atrace_as_chain_group_ends_empty(lib: Any) -> None:
    import asyncio

    handler = lib.Recorder()

    async def main() -> None:
        async with lib.atrace_as_chain_group("g", lib.AsyncCallbackManager.configure([handler])) as group:
            await lib.RunnableLambda(add_one).ainvoke(1, {"callbacks": group})

    asyncio.run(main())
    if lib.name == "langchain_core":  # see test_trace_as_chain_group_parents_calls
        assert handler.events == []
        return
    assert handler.events.tree() == ["g [] -> chain_end", "  add_one [] -> chain_end"]
    assert handler.events[-1].args == ({},)


def test_custom_event_dispatchers_live_in_the_manager_module(lib: Any) -> None:
    """`from <lib>.callbacks.manager import dispatch_custom_event` works as in langchain-core."""
    module = importlib.import_module(f"{lib.name}.callbacks.manager")
    handler = lib.Recorder()

    def emit(x: int) -> int:
        module.dispatch_custom_event("ping", {"x": x})
        return x

    lib.RunnableLambda(emit).invoke(3, {"callbacks": [handler]})
    (event,) = handler.events.of("custom_event")
    assert event.args == ("ping", {"x": 3})
    assert callable(module.adispatch_custom_event)


def test_async_manager_as_callbacks_behaves_like_its_list(lib: Any) -> None:
    """`AsyncCallbackManager.configure([h])` under `ainvoke` gives the trace the list gives, and
    its `on_custom_event` is awaitable."""
    import asyncio

    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(add_one)
    as_list, as_manager = lib.AsyncRecorder(), lib.AsyncRecorder()

    async def main() -> None:
        assert await chain.ainvoke(1, {"callbacks": [as_list]}) == 3
        manager = lib.AsyncCallbackManager.configure([as_manager])
        assert await chain.ainvoke(1, {"callbacks": manager}) == 3
        await manager.on_custom_event("note", {"n": 1})

    asyncio.run(main())
    assert as_manager.events.of("chain_start", "chain_end").lines() == as_list.events.lines()
    assert as_manager.events[-1].kind == "custom_event"
    assert as_manager.events[-1].args == ("note", {"n": 1})


def test_manual_runs_nobody_hears_keep_their_run_id(lib: Any) -> None:
    """With no handler, `on_chain_start(run_id=)` still returns a usable run manager with that id,
    whose children attach under it."""
    run_id = uuid.uuid4()
    run = lib.CallbackManager.configure([]).on_chain_start({"name": "quiet"}, {}, run_id=run_id)
    assert run.run_id == run_id
    assert run.get_child().parent_run_id == run_id
    run.on_chain_end({})
