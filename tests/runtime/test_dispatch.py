"""Dispatch: who hears an event, in what order, and what a failing handler can and cannot do."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import Any

import pytest

from runwire.callbacks import AsyncCallbackHandler, BaseCallbackHandler
from runwire.callbacks.dispatch import compile_handlers
from runwire.runnables import RunnableLambda

from .recorder import AsyncRecorder, Recorder


def _chain() -> Any:
    return RunnableLambda(lambda x: x + 1) | RunnableLambda(lambda x: x * 2)


def test_table_holds_only_overridden_methods() -> None:
    """A handler is entered only for the events it overrides."""

    class OnlyEnd(BaseCallbackHandler):
        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            pass

    dispatch = compile_handlers([OnlyEnd()])
    assert set(dispatch.table) == {"on_chain_end"}
    assert dispatch.listening


def test_ignore_flags_remove_events_from_the_table() -> None:
    """`ignore_chain` as a class attribute (as langchain users write it) silences chain events."""

    class Ignoring(Recorder):
        ignore_chain = True

    dispatch = compile_handlers([Ignoring()])
    assert not any(event.startswith("on_chain") for event in dispatch.table)
    assert "on_llm_end" in dispatch.table


def test_same_handler_twice_hears_each_event_once() -> None:
    """The same object listed twice at run time hears every event exactly once
    (langchain-core: twice at the root)."""
    recorder = Recorder()
    _chain().invoke(1, {"callbacks": [recorder, recorder]})
    assert len(recorder.events) == 6
    recorder.check_pairing()


def test_handler_that_raises_is_logged_once_and_run_continues(caplog: pytest.LogCaptureFixture) -> None:
    """A failing handler is logged (class and event named) and swallowed; others still hear the event."""

    class Broken(BaseCallbackHandler):
        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            raise RuntimeError("handler bug")

    after = Recorder()
    with caplog.at_level(logging.WARNING, logger="runwire.callbacks"):
        assert _chain().invoke(1, {"callbacks": [Broken(), after]}) == 4
    failures = [r for r in caplog.records if "Broken.on_chain_start" in r.getMessage()]
    assert len(failures) == 3  # once per run that started
    assert "handler bug" in failures[0].getMessage()
    assert len(after.events) == 6


def test_raise_error_reraises_after_other_handlers_and_closes_the_run() -> None:
    """`raise_error=True`: the error reaches the caller, yet later handlers got the event and the
    run still got its error event (langchain-core skips both, leaving a dangling start)."""

    class Strict(BaseCallbackHandler):
        raise_error = True

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            raise PermissionError("guardrail says no")

    before, after = Recorder(), Recorder()
    with pytest.raises(PermissionError, match="guardrail"):
        _chain().invoke(1, {"callbacks": [before, Strict(), after]})
    for recorder in (before, after):
        assert [e[0] for e in recorder.events] == ["on_chain_start", "on_chain_error"]
        recorder.check_pairing()


def test_tags_and_metadata_are_per_handler_copies() -> None:
    """A handler mutating its tags/metadata cannot change what other handlers or later events see."""

    class Mutator(BaseCallbackHandler):
        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            kwargs["tags"].append("INJECTED")
            kwargs["metadata"]["injected"] = True

    after = Recorder()
    _chain().invoke(1, {"callbacks": [Mutator(), after], "tags": ["t"], "metadata": {"m": 1}})
    assert all("INJECTED" not in tags for *_, tags in after.events)
    assert all(kw.get("metadata", {}).get("injected") is None for kw in after.kwargs)


def test_async_handler_under_sync_invoke_uses_one_long_lived_loop() -> None:
    """Async handlers under `invoke` run on one background loop for every event and every call."""
    recorder = AsyncRecorder()
    _chain().invoke(1, {"callbacks": [recorder]})
    _chain().invoke(1, {"callbacks": [recorder]})
    assert len(recorder.events) == 12
    assert {thread for _, thread, _ in recorder.events} == {"runwire-handlers"}
    assert len({loop for *_, loop in recorder.events}) == 1


async def test_async_handler_under_sync_invoke_inside_a_running_loop_does_not_deadlock() -> None:
    """A sync `invoke` made from async code still delivers async handlers' events in order."""
    recorder = AsyncRecorder()
    assert _chain().invoke(1, {"callbacks": [recorder]}) == 4
    assert [e for e, *_ in recorder.events] == ["on_chain_start"] * 2 + ["on_chain_end"] + [
        "on_chain_start",
        "on_chain_end",
        "on_chain_end",
    ]


async def test_async_handler_under_ainvoke_runs_on_the_callers_loop() -> None:
    """Under `ainvoke`, async handlers are awaited on the running loop, in order."""
    recorder = AsyncRecorder()
    await _chain().ainvoke(1, {"callbacks": [recorder]})
    loop_id = id(asyncio.get_running_loop())
    assert {loop for *_, loop in recorder.events} == {loop_id}


def test_async_handler_error_under_sync_invoke_follows_raise_error() -> None:
    """An async handler's error from sync code is re-raised when it sets raise_error
    (langchain-core swallows it)."""

    class StrictAsync(AsyncCallbackHandler):
        raise_error = True

        async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            raise PermissionError("async guardrail")

    with pytest.raises(PermissionError, match="async guardrail"):
        _chain().invoke(1, {"callbacks": [StrictAsync()]})


def test_sync_handler_context_writes_are_visible_to_the_caller_thread() -> None:
    """Handlers run inline in the caller's context, so a ContextVar they set is seen by later code."""
    seen: contextvars.ContextVar[str | None] = contextvars.ContextVar("seen", default=None)

    class Setter(BaseCallbackHandler):
        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            seen.set(kwargs["name"])

    observed = []
    step = RunnableLambda(lambda x: observed.append(seen.get()) or x)
    step.invoke(1, {"callbacks": [Setter()]})
    assert observed == ["RunnableLambda"]


def test_non_handler_in_callbacks_is_a_clear_type_error() -> None:
    """Passing something that is not a handler names it and shows the expected form."""
    with pytest.raises(TypeError, match=r"callbacks must be handlers.*'oops'"):
        _chain().invoke(1, {"callbacks": ["oops"]})


def test_callbacks_not_a_list_is_a_clear_type_error() -> None:
    """A single handler instead of a list is rejected with the fix in the message."""
    with pytest.raises(TypeError, match=r"must be a list of handlers or a CallbackManager"):
        _chain().invoke(1, {"callbacks": Recorder()})
