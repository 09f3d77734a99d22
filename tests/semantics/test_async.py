"""Async paths (§2.7, §3.9, §4, §6.1 items 37-41): sync and async handlers under `invoke` and
`ainvoke`, cancellation, and where handlers run (which loop, which context)."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest


def add_one(x: int) -> int:
    return x + 1


def double(x: int) -> int:
    return x * 2


SEED_WITH_PARSER = [
    "chain_start RunnableSequence R1<-None []",
    "chain_start ChatPromptTemplate R2<-R1 ['seq:step:1']",
    "chain_end R2<-R1 ['seq:step:1']",
    "chat_model_start FakeListChatModel R3<-R1 ['seq:step:2']",
    "llm_end R3<-R1 ['seq:step:2']",
    "chain_start StrOutputParser R4<-R1 ['seq:step:3']",
    "chain_end R4<-R1 ['seq:step:3']",
    "chain_end R1<-None []",
]


def test_ainvoke_with_a_sync_handler_gives_the_same_events_as_invoke(lib: Any) -> None:
    """A sync handler hears the same events in the same order under `ainvoke` as under
    `invoke` (§3.9, §6.1 #37)."""
    chain = lib.seed_chain() | lib.StrOutputParser()
    sync_run, async_run = lib.Recorder(), lib.Recorder()
    assert chain.invoke({"number": "2"}, {"callbacks": [sync_run]}) == "1 + 2 = 3"
    assert asyncio.run(chain.ainvoke({"number": "2"}, {"callbacks": [async_run]})) == "1 + 2 = 3"
    assert sync_run.events.lines() == SEED_WITH_PARSER
    assert async_run.events.lines() == SEED_WITH_PARSER


async def test_ainvoke_awaits_an_async_handler_before_going_on(lib: Any) -> None:
    """Under `ainvoke` an async handler is awaited on the caller's loop: each call completes
    (here: after a sleep) before the next event, so a child's end is fully handled before its
    parent's end starts (§6.1 #38)."""
    steps: list[str] = []
    loop = asyncio.get_running_loop()

    class Slow(lib.AsyncRecorder):  # type: ignore[misc, name-defined]
        async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            steps.append(f"enter {outputs!r}")
            await asyncio.sleep(0.01)
            steps.append(f"exit {outputs!r}")
            self.record("chain_end", outputs, **kwargs)

    handler = Slow()
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    assert await chain.ainvoke(1, {"callbacks": [handler]}) == 4
    assert steps == ["enter 2", "exit 2", "enter 4", "exit 4", "enter 4", "exit 4"]
    assert handler.events.tree() == [
        "RunnableSequence [] -> chain_end",
        "  add_one ['seq:step:1'] -> chain_end",
        "  double ['seq:step:2'] -> chain_end",
    ]
    assert {event.loop for event in handler.events} == {loop}


def test_async_handler_hears_every_event(lib: Any, run: Any) -> None:
    """An async handler hears every event, in order, under `ainvoke` and under sync `invoke`
    called with no running loop (§3.9, §6.1 #39)."""
    handler = lib.AsyncRecorder()
    assert (
        run(lib.seed_chain() | lib.StrOutputParser(), {"number": "2"}, {"callbacks": [handler]})
        == "1 + 2 = 3"
    )
    assert handler.events.lines() == SEED_WITH_PARSER


@pytest.mark.timeout(30)
async def test_async_handler_from_sync_invoke_inside_a_running_loop_hears_every_event(lib: Any) -> None:
    """Sync `invoke` called from inside a running loop (a sync call in an async function) with
    an async handler: no deadlock, every event heard, in order (§3.9, §6.1 #39)."""
    handler = lib.AsyncRecorder()
    chain = lib.seed_chain() | lib.StrOutputParser()
    assert chain.invoke({"number": "2"}, {"callbacks": [handler]}) == "1 + 2 = 3"
    assert handler.events.lines() == SEED_WITH_PARSER


def test_async_handler_under_sync_invoke_runs_on_one_long_lived_loop(lib: Any) -> None:
    """runwire runs an async handler called from sync code on one long-lived background loop,
    for every event of every call. langchain-core builds a new event loop for every event
    (§0.5, §2.7; 2.7 ms per invoke, §7)."""
    handler = lib.AsyncRecorder()
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    chain.invoke(1, {"callbacks": [handler]})
    chain.invoke(2, {"callbacks": [handler]})
    assert len(handler.events) == 12
    loops = {id(event.loop) for event in handler.events}  # events hold the loops, so ids are unique
    if lib.name == "langchain_core":
        assert len(loops) == 12
    else:
        assert len(loops) == 1


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_cancelling_ainvoke_delivers_error_events_for_started_runs(lib: Any, kind: str) -> None:
    """Cancelling the task running `ainvoke` still gives every started run one error event,
    carrying the `CancelledError`, innermost first; runs that never started get nothing
    (§2.3 `shielded`, §6.1 #40)."""
    handler = lib.Recorder() if kind == "sync" else lib.AsyncRecorder()
    started = asyncio.Event()

    async def slow(x: int) -> int:
        started.set()
        await asyncio.Event().wait()
        return x

    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(slow) | lib.RunnableLambda(double)
    task = asyncio.create_task(chain.ainvoke(1, {"callbacks": [handler]}))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert handler.events.lines() == [
        "chain_start RunnableSequence R1<-None []",
        "chain_start add_one R2<-R1 ['seq:step:1']",
        "chain_end R2<-R1 ['seq:step:1']",
        "chain_start slow R3<-R1 ['seq:step:2']",
        "chain_error R3<-R1 ['seq:step:2']",
        "chain_error R1<-None []",
    ]
    assert all(isinstance(e.args[0], asyncio.CancelledError) for e in handler.events.of("chain_error"))


# -- ContextVar writes made by handlers ---------------------------------------------------------

COMBINATIONS = [("sync", "invoke"), ("sync", "ainvoke"), ("async", "ainvoke")]


def _writer(
    lib: Any, kind: str, var: contextvars.ContextVar[str | None], *, root_only: bool, inline: bool
) -> Any:
    """A handler that writes the run name into `var` on chain starts (the root's only, or all)."""

    def write(kwargs: dict[str, Any]) -> None:
        if not root_only or kwargs.get("parent_run_id") is None:
            var.set(kwargs["name"])

    if kind == "sync":

        class Writer(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
            run_inline = inline

            def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
                write(kwargs)

        return Writer()

    class AsyncWriter(lib.AsyncCallbackHandler):  # type: ignore[misc, name-defined]
        run_inline = inline

        async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            write(kwargs)

    return AsyncWriter()


def _call_then_read(mode: str, runnable: Any, config: Any, var: contextvars.ContextVar[str | None]) -> Any:
    """Call the runnable, then read `var` in the caller's own context (inside the same task)."""
    if mode == "invoke":
        runnable.invoke(1, config)
        return var.get()

    async def main() -> Any:
        await runnable.ainvoke(1, config)
        return var.get()

    return asyncio.run(main())


@pytest.mark.parametrize(("kind", "mode"), COMBINATIONS)
def test_inline_handler_context_var_write_on_the_root_is_visible_to_the_caller(
    lib: Any, kind: str, mode: str
) -> None:
    """A `run_inline` handler runs in the caller's context: a ContextVar it sets on the root
    run's start is visible to the caller afterwards (§2.7, §6.1 #41; langchain#7242, opik #8295)."""
    var: contextvars.ContextVar[str | None] = contextvars.ContextVar("written", default=None)
    handler = _writer(lib, kind, var, root_only=True, inline=True)
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    assert _call_then_read(mode, chain, {"callbacks": [handler]}, var) == "RunnableSequence"


@pytest.mark.parametrize(("kind", "mode"), COMBINATIONS)
def test_handler_context_var_writes_are_visible_to_the_caller(lib: Any, kind: str, mode: str) -> None:
    """runwire calls every handler inline in the caller's context (no `run_inline` needed), so
    the last write, made on the last step's start, is what the caller sees. langchain-core runs
    child runs in copied contexts and, under `ainvoke`, non-inline handlers in executor threads
    or gathered tasks, so writes are lost: the caller sees the root's write under sync
    `invoke`, and nothing under `ainvoke` (§2.7, §4)."""
    var: contextvars.ContextVar[str | None] = contextvars.ContextVar("written", default=None)
    handler = _writer(lib, kind, var, root_only=False, inline=False)
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    seen = _call_then_read(mode, chain, {"callbacks": [handler]}, var)
    if lib.name == "langchain_core":
        assert seen == ("RunnableSequence" if mode == "invoke" else None)
    else:
        assert seen == "double"
