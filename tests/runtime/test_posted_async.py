"""Async handlers under sync code: posted in order to the background loop, waited for once.

A sync `invoke`/`batch` with an `AsyncCallbackHandler` hands each event's coroutine to one
consumer on the background loop instead of waiting for it (a cross-thread round trip per event);
the call waits once, at its end, so every event has been delivered when it returns.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

from runwire.callbacks import AsyncCallbackHandler, handler_loop
from runwire.callbacks import dispatch as dispatch_module
from runwire.callbacks.context import current_run
from runwire.runnables import RunnableLambda


def _chain() -> Any:
    return RunnableLambda(lambda x: x + 1) | RunnableLambda(lambda x: x * 2)


class Ordered(AsyncCallbackHandler):
    """Records (event, run_id) and the thread; optionally awaits a real timer first."""

    def __init__(self, sleep: float = 0.0) -> None:
        self.sleep = sleep
        self.events: list[tuple[str, Any]] = []
        self.threads: set[str] = set()
        self.lock = threading.Lock()

    async def _record(self, event: str, run_id: Any) -> None:
        if self.sleep:
            await asyncio.sleep(self.sleep)
        with self.lock:
            self.events.append((event, run_id))
            self.threads.add(threading.current_thread().name)

    async def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: Any, **kwargs: Any) -> None:
        await self._record("start", run_id)

    async def on_chain_end(self, outputs: Any, *, run_id: Any, **kwargs: Any) -> None:
        await self._record("end", run_id)


def _assert_well_ordered(events: list[tuple[str, Any]]) -> None:
    started: set[Any] = set()
    ended: set[Any] = set()
    for event, run_id in events:
        if event == "start":
            assert run_id not in started
            started.add(run_id)
        else:
            assert run_id in started
            assert run_id not in ended
            ended.add(run_id)
    assert started == ended


def test_sync_batch_delivers_every_async_event_before_returning() -> None:
    """`batch` returns only after the async handler heard all of its events, each run's start
    before its end, on the background loop's thread."""
    handler = Ordered()
    assert _chain().batch(list(range(50)), {"callbacks": [handler]}) == [(x + 1) * 2 for x in range(50)]
    assert len(handler.events) == 50 * 6
    _assert_well_ordered(handler.events)
    assert handler.threads == {"runwire-handlers"}


def test_sync_batch_does_not_wait_for_each_async_event(monkeypatch: pytest.MonkeyPatch) -> None:
    """No per-event round trip: the batch's inputs post their events and wait once, at the end."""
    waits: list[int] = []
    real_wait = dispatch_module.run_coroutine_sync
    monkeypatch.setattr(
        dispatch_module, "run_coroutine_sync", lambda coro: waits.append(1) or real_wait(coro)
    )
    handler = Ordered()
    _chain().batch(list(range(20)), {"callbacks": [handler]})
    assert waits == []
    assert handler_loop.done == handler_loop.posted
    assert len(handler.events) == 20 * 6


def test_async_handler_that_really_awaits_still_hears_events_in_order() -> None:
    """A handler that awaits a timer (so it cannot finish in one step) keeps the order."""
    handler = Ordered(sleep=0.001)
    _chain().invoke(1, {"callbacks": [handler]})
    assert [event for event, _ in handler.events] == ["start", "start", "end", "start", "end", "end"]
    _assert_well_ordered(handler.events)


def test_posted_coroutine_runs_in_the_callers_context() -> None:
    """The handler's coroutine sees the run that was current when the event fired."""
    seen: list[Any] = []

    class Peek(AsyncCallbackHandler):
        async def on_chain_end(self, outputs: Any, *, run_id: Any, **kwargs: Any) -> None:
            run = current_run.get()
            seen.append((run.run_id if run is not None else None, run_id))

    RunnableLambda(lambda x: RunnableLambda(lambda y: y).invoke(x)).invoke(1, {"callbacks": [Peek()]})
    (current_at_inner_end, _), (current_at_outer_end, outer_run) = seen
    assert current_at_inner_end == outer_run  # the outer run was current when the inner one ended
    assert current_at_outer_end is None  # nothing was current when the root ended


def test_failing_posted_handler_is_logged_and_the_others_events_are_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A posted coroutine that raises is logged; later events (its own and others') still arrive."""

    class Flaky(AsyncCallbackHandler):
        async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            raise RuntimeError("flaky handler")

    good = Ordered()
    with caplog.at_level(logging.WARNING, logger="runwire.callbacks"):
        assert _chain().batch([1, 2], {"callbacks": [Flaky(), good]}) == [4, 6]
    assert sum("flaky handler" in r.getMessage() for r in caplog.records) == 6
    assert len(good.events) == 12


def test_raise_error_async_handler_is_still_awaited_per_event() -> None:
    """`raise_error=True` keeps the synchronous wait, so the error reaches the caller."""

    class Strict(AsyncCallbackHandler):
        raise_error = True

        async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            raise PermissionError("async guardrail")

    with pytest.raises(PermissionError, match="async guardrail"):
        _chain().batch([1], {"callbacks": [Strict()]})
