"""`dispatch_custom_event` / `adispatch_custom_event` (§2.9, §3.13, §6.1 item 27): a user event
attributed to the run that is executing, carrying that run's id, tags and metadata."""

from __future__ import annotations

from typing import Any

import pytest


def add_one(x: int) -> int:
    return x + 1


def test_custom_event_inside_a_lambda_is_attributed_to_the_lambda_run(lib: Any, run: Any) -> None:
    """A custom event dispatched inside a lambda reaches the runtime handler as
    `on_custom_event(name, data)` with `run_id` = the lambda's run, its tags and metadata, and
    no `parent_run_id`; no run is opened for it (§3.13)."""
    handler = lib.Recorder()

    def step(x: int) -> int:
        lib.dispatch_custom_event("progress", {"pct": 50})
        return x

    run(lib.RunnableLambda(step), 1, {"callbacks": [handler], "tags": ["t"], "metadata": {"m": 1}})
    assert handler.events.lines() == [
        "chain_start step R1<-None ['t']",
        "custom_event progress R1<-None ['t']",
        "chain_end R1<-None ['t']",
    ]
    custom = handler.events[1]
    assert custom.args == ("progress", {"pct": 50})
    assert sorted(custom.kwargs) == ["metadata", "run_id", "tags"]
    assert custom.metadata == {"m": 1}


def test_custom_event_in_a_nested_step_goes_to_the_innermost_run(lib: Any, run: Any) -> None:
    """Inside a sequence, the event carries the dispatching step's run id and the tags that step
    hands down (its inheritable tags): the user's tags, without the step's own `seq:step:N`
    (langchain-core builds the event from the step's child manager, §2.4, §2.9)."""
    handler = lib.Recorder()

    def step(x: int) -> int:
        lib.dispatch_custom_event("progress", x)
        return x

    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(step)
    run(chain, 1, {"callbacks": [handler], "tags": ["t"]})
    assert handler.events.lines() == [
        "chain_start RunnableSequence R1<-None ['t']",
        "chain_start add_one R2<-R1 ['seq:step:1', 't']",
        "chain_end R2<-R1 ['seq:step:1', 't']",
        "chain_start step R3<-R1 ['seq:step:2', 't']",
        "custom_event progress R3<-None ['t']",
        "chain_end R3<-R1 ['seq:step:2', 't']",
        "chain_end R1<-None ['t']",
    ]
    assert handler.events[4].args[1] == 2


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_adispatch_inside_an_async_lambda_reaches_sync_and_async_handlers(lib: Any, kind: str) -> None:
    """`adispatch_custom_event` inside an async lambda under `ainvoke` reaches a sync or an
    async handler, attributed to the lambda's run."""
    handler = lib.Recorder() if kind == "sync" else lib.AsyncRecorder()

    async def step(x: int) -> int:
        await lib.adispatch_custom_event("progress", {"x": x})
        return x

    await lib.RunnableLambda(step).ainvoke(1, {"callbacks": [handler]})
    assert handler.events.lines() == [
        "chain_start step R1<-None []",
        "custom_event progress R1<-None []",
        "chain_end R1<-None []",
    ]
    assert handler.events[1].args[1] == {"x": 1}


def test_dispatch_with_the_lambdas_explicit_config(lib: Any, run: Any) -> None:
    """Passing the lambda's own `config` to `dispatch_custom_event` attributes the event to the
    lambda's run, as the implicit context does."""
    handler = lib.Recorder()

    def step(x: int, config: Any) -> int:
        lib.dispatch_custom_event("progress", x, config=config)
        return x

    run(lib.RunnableLambda(step), 1, {"callbacks": [handler]})
    assert handler.events.lines() == [
        "chain_start step R1<-None []",
        "custom_event progress R1<-None []",
        "chain_end R1<-None []",
    ]


def test_dispatch_outside_a_run_with_handlers_raises(lib: Any) -> None:
    """With handlers but no enclosing run there is nothing to attribute the event to:
    `dispatch_custom_event` raises RuntimeError (§2.9, §3.13)."""
    with pytest.raises(RuntimeError, match=r"outside a run|without a parent run id"):
        lib.dispatch_custom_event("orphan", 1, config={"callbacks": [lib.Recorder()]})


def test_dispatch_with_nothing_listening(lib: Any) -> None:
    """With no handler anywhere, langchain-core raises (it always has a run, so "outside" is
    knowable); runwire opens no run when nobody listens, so it cannot tell "outside a run" from
    "inside a silent one" and drops the event: a step that reports progress must not crash in
    production just because nobody is listening."""
    if lib.name == "langchain_core":
        with pytest.raises(RuntimeError):
            lib.dispatch_custom_event("orphan", 1)
    else:
        assert lib.dispatch_custom_event("orphan", 1) is None


def test_ignore_custom_event_silences_custom_events(lib: Any, run: Any) -> None:
    """`ignore_custom_event = True` drops custom events; the handler still hears the runs."""
    handler = type("NoCustom", (lib.Recorder,), {"ignore_custom_event": True})()

    def step(x: int) -> int:
        lib.dispatch_custom_event("progress", x)
        return x

    run(lib.RunnableLambda(step), 1, {"callbacks": [handler]})
    assert handler.events.kinds() == ["chain_start", "chain_end"]
