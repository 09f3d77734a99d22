"""Async handlers heard from sync code: one long-lived background loop, never a loop per event.

`run_coroutine_sync` runs one handler coroutine to its end and returns its result (for handlers
whose errors must reach the caller). `deliver_sync` delivers one without waiting, in order;
`drain_posted` is the barrier a root run's end (or a sync batch's end) waits at, so every event has
been delivered when invoke/batch returns. Not here: which handler hears what (see `dispatch`).

How an event is delivered, cheapest first:
* A coroutine whose code cannot suspend (an `async def` with no `await`, `async with` or
  `async for`: counters, loggers, queues) runs right away on the caller's thread, in the caller's
  context (as a sync handler, or an async one under `ainvoke`, does), with the background loop as
  its running loop (not even that when its code calls nothing, see `_kind`): no hand-off, no
  wake-up, nothing kept alive, so it costs about what a sync handler costs.
* Any other coroutine, and every event fired while an earlier one is still queued or in flight
  (so each handler hears its events in order), is queued for the loop's single consumer Task,
  which awaits each in turn in its own context (so `asyncio.current_task()`, timeouts and anyio
  scopes work) and needs no Task per event. The loop is woken once per burst, not per event; the
  consumer gives the GIL back between slices of `_SLICE` events, so a CPU-bound caller is never
  stalled behind it for long.
"""

from __future__ import annotations

import threading
import types
from collections import deque
from collections.abc import Coroutine, Generator
from contextvars import copy_context as _copy_context
from threading import get_ident
from typing import Any


def _failed(handler: Any, event: str, exc: BaseException, run_id: Any) -> None:
    from runwire.callbacks.calling import _log_failure  # only on a failure: no import cycle

    _log_failure(handler, event, exc, run_id)


_loop_lock = threading.Lock()
_loop: Any = None
_loop_thread: threading.Thread | None = None
_loop_ident: int | None = None
_get_running_loop: Any = None  # asyncio's, bound when the loop is made (asyncio loads lazily)
_set_running_loop: Any = None


def _handler_loop_class() -> type:
    import asyncio
    import heapq

    class HandlerLoop(asyncio.SelectorEventLoop):
        """The handlers' loop. A handler that cannot suspend runs on the thread that fired the
        event with this loop as its running loop, so what it schedules from there (a task, a
        timer, a future's callbacks) is handed to the loop's thread safely, and wakes the loop
        (it may start before that handler's step has returned, as on any other thread)."""

        def call_soon(self, callback: Any, *args: Any, context: Any = None) -> Any:  # type: ignore[override]
            if get_ident() != _loop_ident:
                return self.call_soon_threadsafe(callback, *args, context=context)
            return super().call_soon(callback, *args, context=context)

        def call_at(self, when: float, callback: Any, *args: Any, context: Any = None) -> Any:  # type: ignore[override]
            if get_ident() != _loop_ident:
                timer = asyncio.TimerHandle(when, callback, args, self, context)
                self.call_soon_threadsafe(self._push_timer, timer)
                return timer
            return super().call_at(when, callback, *args, context=context)

        def _push_timer(self, timer: Any) -> None:
            if not timer.cancelled():  # cancelled before it got here: as if never scheduled
                heapq.heappush(self._scheduled, timer)  # type: ignore[attr-defined]
                timer._scheduled = True

    return HandlerLoop


def _background_loop() -> Any:
    global _loop, _loop_thread, _get_running_loop, _set_running_loop
    if _loop is not None:
        return _loop
    with _loop_lock:
        if _loop is None:
            import asyncio

            _get_running_loop, _set_running_loop = asyncio._get_running_loop, asyncio._set_running_loop
            loop = _handler_loop_class()()
            ready = threading.Event()

            def serve() -> None:
                global _loop_ident
                _loop_ident = get_ident()
                asyncio.set_event_loop(loop)
                ready.set()
                loop.run_forever()

            thread = threading.Thread(target=serve, name="runwire-handlers", daemon=True)
            thread.start()
            ready.wait()
            _loop, _loop_thread = loop, thread
    return _loop


# What a coroutine's code can do, read once per code object from its opcodes (opcodes sit at the
# even offsets of `co_code`'s 2-byte units): SUSPENDS (it has an `await`, `async with` or
# `async for`), CALLS (it runs to its end in one step but calls out, so it may reach the loop:
# `get_running_loop`, `create_task`), or PLAIN (it runs to its end calling nothing: `pass`,
# `self.count += 1`; no loop can be reached from it).
SUSPENDS, CALLS, PLAIN = 0, 1, 2
_kinds: dict[Any, int] = {}
_opcodes: tuple[int, frozenset[int]] | None = None


def _kind(coro: Any) -> int:
    global _opcodes
    code = getattr(coro, "cr_code", None)
    found = _kinds.get(code)
    if found is None:
        if code is None:  # not a native coroutine (a future, say): the loop awaits it
            return SUSPENDS
        if _opcodes is None:
            from opcode import opmap

            calls = frozenset(v for k, v in opmap.items() if "CALL" in k or k == "BEFORE_WITH")
            _opcodes = (opmap["YIELD_VALUE"], calls)
        suspend, calls = _opcodes
        ops = frozenset(code.co_code[::2])
        found = SUSPENDS if suspend in ops else CALLS if not calls.isdisjoint(ops) else PLAIN
        if len(_kinds) >= 1024:
            _kinds.clear()
        _kinds[code] = found
    return found


def _run_here(coro: Any) -> Any:
    """Run a coroutine that cannot suspend to its end on this thread, in the caller's context,
    with the background loop as its running loop; StopIteration carries its result."""
    loop = _loop or _background_loop()
    outer = _get_running_loop()
    _set_running_loop(loop)
    try:
        return coro.send(None)
    finally:
        _set_running_loop(outer)


def run_coroutine_sync(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a handler coroutine to its end from sync code, in the caller's context, and return its
    result: here when it cannot suspend, else on the background loop (a round trip)."""
    import asyncio

    if _kind(coro) != SUSPENDS:
        try:
            pending = _run_here(coro)
        except StopIteration as stop:
            return stop.value
        raise RuntimeError(f"{coro!r} suspended on {pending!r} though its code has no await")
    if threading.current_thread() is _loop_thread:
        # Sync code called from a handler on the background loop itself: waiting on that loop
        # would deadlock, so this one coroutine gets a private loop.
        return asyncio.run(coro)
    loop = _background_loop()
    from concurrent.futures import Future

    context = _copy_context()
    done: Future[Any] = Future()

    def finish(task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            done.cancel()
        elif (exc := task.exception()) is not None:
            done.set_exception(exc)
        else:
            done.set_result(task.result())

    def start() -> None:
        loop.create_task(_as_coroutine(coro), context=context).add_done_callback(finish)

    loop.call_soon_threadsafe(start)
    return done.result()


# The queue: (coroutine, context, handler, event, run_id) in delivery order.
_posted: deque[tuple[Any, Any, Any, str, Any]] = deque()
_post_lock = threading.Lock()
_delivered = threading.Condition(_post_lock)
_consuming = False  # a consumer is scheduled or running (it clears this, under the lock, when idle)
_NEVER = float("inf")
_notify_at: float = _NEVER  # the smallest `posted` mark a barrier waits for
posted = 0  # coroutines queued so far (read without the lock: a barrier with nothing pending is free)
done = 0  # of them, delivered (written by the consumer only)
wakeups = 0  # times the loop was woken to consume (tests count them; the loop thread writes it)
_SLICE = 256  # events per consumer run before it lets a waiting caller thread have the GIL
_YIELD_S = 0.0002  # how long the consumer leaves the GIL to others between slices


def deliver_sync(handler: Any, event: str, coro: Any, kw: dict[str, Any]) -> None:
    """An async handler's coroutine, from sync code: run to its end now when its errors must reach
    the caller (`raise_error`), else delivered in order without waiting (see the module docstring).
    `kw` is the event's keyword arguments (its run id is read only on failure or when queued)."""
    if getattr(handler, "raise_error", False):
        run_coroutine_sync(coro)
        return
    kind = _kinds.get(getattr(coro, "cr_code", None))
    if kind is None:
        kind = _kind(coro)
    if not kind or done != posted:  # it may suspend, or earlier events are queued or in flight
        post_coroutine(coro, handler, event, kw.get("run_id"))
        return
    try:
        if kind == PLAIN:  # cannot reach a loop: a plain call, in the caller's context
            coro.send(None)
        else:  # `_run_here`, unrolled: this runs for every event of such a handler
            loop = _loop or _background_loop()
            outer = _get_running_loop()
            _set_running_loop(loop)
            try:
                coro.send(None)
            finally:
                _set_running_loop(outer)
    except StopIteration:
        return
    except Exception as exc:
        _failed(handler, event, exc, kw.get("run_id"))
        return
    # Unreachable for code without a suspension point.
    _failed(handler, event, RuntimeError(f"{coro!r} suspended though its code has no await"), None)


def post_coroutine(coro: Any, handler: Any, event: str, run_id: Any) -> None:
    """Queue an async handler's coroutine for the background loop, in the caller's context."""
    global _consuming, posted
    if coro.__class__.__name__ != "coroutine":  # a future or other awaitable: await it
        coro = _as_coroutine(coro)
    item = (coro, _copy_context(), handler, event, run_id)
    with _post_lock:
        _posted.append(item)
        posted += 1
        wake = not _consuming
        _consuming = True
    if wake:
        (_loop or _background_loop()).call_soon_threadsafe(_start)


def _start() -> None:
    global wakeups
    wakeups += 1
    _loop.create_task(_consume())


async def _consume() -> None:
    """The consumer Task: awaits each queued coroutine in turn, each step in the context it was
    posted from (so inside a handler, `current_task()` is this Task, as a handler awaited under
    `ainvoke` sees the caller's task, and a timeout or an anyio scope works). The first step runs
    without an await of its own, so a handler that finishes in it costs no more than a call."""
    global _consuming, done
    import asyncio

    popleft = _posted.popleft
    while True:
        for _ in range(_SLICE):
            try:
                coro, context, handler, event, run_id = popleft()
            except IndexError:
                with _post_lock:
                    if not _posted:
                        _consuming = False
                        return
                continue
            try:
                pending = context.run(coro.send, None)
            except StopIteration:
                pass
            except BaseException as exc:  # the consumer must outlive any handler
                _failed(handler, event, exc, run_id)
            else:
                try:
                    await _resume(coro, pending, context)  # type: ignore[misc]  # a types.coroutine
                except BaseException as exc:
                    _failed(handler, event, exc, run_id)
                    if isinstance(exc, asyncio.CancelledError) and (task := asyncio.current_task()):
                        task.uncancel()  # a handler's cancellation ends that handler, not the consumer
            done += 1
            if done >= _notify_at:
                _notify()
        # More may be queued. When a barrier waits for it, go on at once; else leave the GIL to the
        # posting threads for a moment first.
        await asyncio.sleep(0 if _notify_at != _NEVER else _YIELD_S)


@types.coroutine
def _resume(coro: Any, pending: Any, context: Any) -> Generator[Any, Any, Any]:
    """Drive a coroutine that already ran its first step and yielded `pending`, each step in
    `context`, inside the awaiting Task."""
    value = pending
    while True:
        try:
            sent = yield value
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:
            try:
                value = context.run(coro.throw, exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                value = context.run(coro.send, sent)
            except StopIteration as stop:
                return stop.value


def _notify() -> None:
    global _notify_at
    with _delivered:
        _notify_at = _NEVER
        _delivered.notify_all()


def _as_coroutine(awaitable: Any) -> Any:
    """A coroutine for create_task: `awaitable` itself, or one awaiting it (a future, say)."""
    if type(awaitable).__name__ == "coroutine":
        return awaitable

    async def wait() -> Any:
        return await awaitable

    return wait()


def drain_posted() -> None:
    """Wait until every coroutine queued so far was delivered (a no-op when none is pending, and
    on the background loop itself, which cannot wait for its own consumer)."""
    global _notify_at
    if done == posted or threading.current_thread() is _loop_thread:
        return
    with _delivered:
        target = posted
        while True:
            # The consumer notifies once `done` reaches the smallest mark waited for, not per event;
            # the mark is set before `done` is read, so a notification cannot slip in between.
            _notify_at = min(_notify_at, target)
            if done >= target:
                return
            _delivered.wait()


async def adrain_posted() -> None:
    """`drain_posted` for async code (a sync child inside an async root posted events)."""
    if done != posted:
        import asyncio

        await asyncio.get_running_loop().run_in_executor(None, drain_posted)
