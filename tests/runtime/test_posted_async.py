"""Async handlers under sync code: delivered in order without a round trip per event.

A sync `invoke`/`batch` with an `AsyncCallbackHandler` runs a coroutine that cannot suspend right
away on the caller's thread (with the background loop as its running loop), and hands any other
to one consumer on the background loop instead of waiting for it; the call waits once, at its
end, so every event has been delivered when it returns.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

from runwire.callbacks import AsyncCallbackHandler, handler_loop
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
    real_wait = handler_loop.run_coroutine_sync
    monkeypatch.setattr(handler_loop, "run_coroutine_sync", lambda coro: waits.append(1) or real_wait(coro))
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


# --- handlers that cannot suspend run where the event fires -----------------------------------


class Counting(AsyncCallbackHandler):
    """No await and no call: its coroutine is a plain step."""

    def __init__(self) -> None:
        self.count = 0

    async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.count += 1

    async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.count += 1


class Noting(AsyncCallbackHandler):
    """No await, but calls out: records the running loop and the thread it runs on."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.loops: set[Any] = set()
        self.threads: set[str] = set()

    def _note(self, event: str, run_id: Any) -> None:
        self.events.append((event, run_id))
        self.loops.add(asyncio.get_running_loop())
        self.threads.add(threading.current_thread().name)

    async def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: Any, **kwargs: Any) -> None:
        self._note("start", run_id)

    async def on_chain_end(self, outputs: Any, *, run_id: Any, **kwargs: Any) -> None:
        self._note("end", run_id)


def test_kind_is_read_from_the_code() -> None:
    async def plain(x: Any) -> None:
        x.n += 1

    async def calls(x: Any) -> None:
        x.append(1)

    async def suspends(x: Any) -> None:
        await x

    for fn, kind in (
        (plain, handler_loop.PLAIN),
        (calls, handler_loop.CALLS),
        (suspends, handler_loop.SUSPENDS),
    ):
        coro = fn(None)
        assert handler_loop._kind(coro) == kind, fn.__name__
        coro.close()
    loop = asyncio.new_event_loop()
    try:
        assert handler_loop._kind(loop.create_future()) == handler_loop.SUSPENDS  # not a coroutine
    finally:
        loop.close()


def test_handler_that_cannot_suspend_costs_no_hand_off() -> None:
    """Nothing is queued and the loop is never woken; every event is heard, in order, on the
    caller's side, with the one background loop as the running loop."""
    counting, noting = Counting(), Noting()
    posted, wakeups = handler_loop.posted, handler_loop.wakeups
    result = _chain().batch(list(range(40)), {"callbacks": [counting, noting]})
    assert result == [(x + 1) * 2 for x in range(40)]
    assert (handler_loop.posted, handler_loop.wakeups) == (posted, wakeups)
    assert counting.count == 40 * 6
    assert len(noting.events) == 40 * 6
    _assert_well_ordered(noting.events)
    assert noting.loops == {handler_loop._loop}
    assert "runwire-handlers" not in noting.threads
    assert asyncio._get_running_loop() is None  # the caller's thread has no running loop after


def test_handler_that_cannot_suspend_may_schedule_on_the_loop() -> None:
    """A task or a timer started from the caller's thread runs on the loop's thread."""
    ran: dict[str, str] = {}
    finished = threading.Event()

    async def later() -> None:
        ran["task"] = threading.current_thread().name

    def timer() -> None:
        ran["timer"] = threading.current_thread().name
        finished.set()

    class Scheduling(AsyncCallbackHandler):
        task: Any = None
        cancelled: Any = None

        async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            self.task = asyncio.create_task(later())
            self.cancelled = asyncio.get_running_loop().call_later(3600, timer)
            self.cancelled.cancel()
            asyncio.get_running_loop().call_later(0.001, timer)

    handler = Scheduling()
    RunnableLambda(lambda x: x).invoke(1, {"callbacks": [handler]})
    assert finished.wait(10)
    assert ran == {"task": "runwire-handlers", "timer": "runwire-handlers"}
    # A timer cancelled from the caller's thread leaves no live entry in the loop's timer heap.
    assert all(t is not handler.cancelled or t.cancelled() for t in handler_loop._loop._scheduled)


def test_sync_invoke_inside_a_running_loop_keeps_that_loop() -> None:
    """The handler sees the background loop; the caller's own loop is running again after."""
    noting = Noting()

    async def main() -> tuple[Any, Any]:
        outer = asyncio.get_running_loop()
        _chain().invoke(1, {"callbacks": [noting]})
        return outer, asyncio.get_running_loop()

    outer, after = asyncio.run(main())
    assert outer is after
    assert noting.loops == {handler_loop._loop}
    assert len(noting.events) == 6


def test_events_fired_while_one_is_in_flight_wait_behind_it_with_one_wake_up() -> None:
    """A coroutine that suspends is queued; events fired while it is in flight queue behind it,
    even ones that could run at once, and the loop is woken once for the whole burst."""
    gate = threading.Event()
    heard: list[Any] = []

    class Gated(AsyncCallbackHandler):
        async def blocked(self) -> None:
            await asyncio.get_running_loop().run_in_executor(None, gate.wait, 10)
            heard.append("blocked")

        async def plain(self, i: int) -> None:
            heard.append(i)

    handler = Gated()
    handler_loop.drain_posted()
    posted, wakeups = handler_loop.posted, handler_loop.wakeups
    handler_loop.deliver_sync(handler, "on_chain_start", handler.blocked(), {})
    for i in range(20):
        handler_loop.deliver_sync(handler, "on_chain_end", handler.plain(i), {})
    assert handler_loop.posted - posted == 21
    assert heard == []
    gate.set()
    handler_loop.drain_posted()
    assert heard == ["blocked", *range(20)]
    assert handler_loop.wakeups - wakeups == 1


def test_raise_error_handler_that_suspends_still_reaches_the_caller() -> None:
    class StrictAwaiting(AsyncCallbackHandler):
        raise_error = True

        async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            await asyncio.sleep(0)
            raise PermissionError("async guardrail after an await")

    with pytest.raises(PermissionError, match="after an await"):
        _chain().invoke(1, {"callbacks": [StrictAwaiting()]})


def test_a_queued_handler_runs_in_one_task_so_timeouts_work() -> None:
    """Each queued coroutine is awaited inside the consumer Task: the same task before and after
    its awaits, so `asyncio.timeout` works, and a timeout that fires ends only that handler's wait."""
    seen: list[tuple[str, bool]] = []

    class Timed(AsyncCallbackHandler):
        async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            before = asyncio.current_task()
            try:
                async with asyncio.timeout(0.001):
                    await asyncio.sleep(10)
            except TimeoutError:
                seen.append(("timed out", before is not None and asyncio.current_task() is before))

        async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            await asyncio.sleep(0)
            seen.append(("end", asyncio.current_task() is not None))

    assert _chain().invoke(1, {"callbacks": [Timed()]}) == 4
    assert seen == [("timed out", True)] * 2 + [("end", True), ("timed out", True)] + [("end", True)] * 2
