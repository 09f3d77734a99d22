"""Async handlers heard from sync code: one long-lived background loop, never a loop per event.

`run_coroutine_sync` runs one handler coroutine there and waits for it (for handlers whose errors
must reach the caller). `post_coroutine` hands a coroutine to the loop's single consumer in order
without waiting; `drain_posted` is the barrier a root run's end (or a sync batch's end) waits at,
so every event has been delivered when invoke/batch returns. Not here: which handler hears what
(see `dispatch`).
"""

from __future__ import annotations

import threading
import types
from collections import deque
from collections.abc import Coroutine, Generator
from typing import Any


def _failed(handler: Any, event: str, exc: BaseException, run_id: Any) -> None:
    from runwire.callbacks.dispatch import _log_failure  # only on a failure: no import cycle

    _log_failure(handler, event, exc, run_id)


_loop_lock = threading.Lock()
_loop: Any = None
_loop_thread: threading.Thread | None = None


def _background_loop() -> Any:
    global _loop, _loop_thread
    if _loop is not None:
        return _loop
    with _loop_lock:
        if _loop is None:
            import asyncio

            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def serve() -> None:
                asyncio.set_event_loop(loop)
                ready.set()
                loop.run_forever()

            thread = threading.Thread(target=serve, name="runwire-handlers", daemon=True)
            thread.start()
            ready.wait()
            _loop, _loop_thread = loop, thread
    return _loop


def run_coroutine_sync(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a handler coroutine to completion from sync code, in the caller's context."""
    import asyncio
    import contextvars

    if threading.current_thread() is _loop_thread:
        # Sync code called from a handler on the background loop itself: waiting on that loop
        # would deadlock, so this one coroutine gets a private loop.
        return asyncio.run(coro)
    loop = _background_loop()
    from concurrent.futures import Future

    context = contextvars.copy_context()
    done: Future[Any] = Future()

    def finish(task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            done.cancel()
        elif (exc := task.exception()) is not None:
            done.set_exception(exc)
        else:
            done.set_result(task.result())

    def start() -> None:
        loop.create_task(coro, context=context).add_done_callback(finish)

    loop.call_soon_threadsafe(start)
    return done.result()


# Posted coroutines: one consumer task on the background loop awaits them in the order they were
# posted, so a sync batch with an async handler pays no cross-thread round trip per event. The
# caller waits once, at a barrier (`drain_posted`: a root run's end, a batch's end), so every event
# has been delivered by the time invoke/batch returns, as before.
_posted: deque[tuple[Any, Any, Any, str, Any]] = deque()
_post_lock = threading.Lock()
_delivered = threading.Condition(_post_lock)
_consuming = False
_waiters = 0
posted = 0  # coroutines posted so far (read without the lock: a barrier with nothing pending is free)
done = 0  # of them, delivered (written by the consumer only)


def post_coroutine(coro: Any, handler: Any, event: str, run_id: Any) -> None:
    """Queue an async handler's coroutine for the background loop, in the caller's context."""
    global _consuming, posted
    import contextvars

    loop = _background_loop()
    item = (coro, contextvars.copy_context(), handler, event, run_id)
    with _post_lock:
        _posted.append(item)
        posted += 1
        start = not _consuming
        _consuming = True
    if start:
        loop.call_soon_threadsafe(_start_consumer, loop)


def _start_consumer(loop: Any) -> None:
    loop.create_task(_consume(loop))


async def _consume(loop: Any) -> None:
    global _consuming, done
    while True:
        try:
            coro, context, handler, event, run_id = _posted.popleft()
        except IndexError:
            with _post_lock:
                if _posted:
                    continue
                _consuming = False
                return
        try:
            # Most handlers finish in one step: run that step in the caller's context, no Task.
            pending = context.run(coro.send, None)
        except StopIteration:
            pass
        except BaseException as exc:  # the consumer must outlive any handler
            _failed(handler, event, exc, run_id)
        else:
            try:
                await loop.create_task(_resume(coro, pending), context=context)
            except BaseException as exc:
                _failed(handler, event, exc, run_id)
        done += 1  # before reading _waiters: a barrier that registered after this read sees it
        if _waiters:
            with _delivered:
                _delivered.notify_all()


@types.coroutine
def _resume(coro: Any, pending: Any) -> Generator[Any, Any, Any]:
    """Drive a coroutine that already ran its first step and yielded `pending` (a future)."""
    value = pending
    while True:
        try:
            sent = yield value
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:
            try:
                value = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                value = coro.send(sent)
            except StopIteration as stop:
                return stop.value


def drain_posted() -> None:
    """Wait until every coroutine posted so far was delivered (a no-op when none is pending, and
    on the background loop itself, which cannot wait for its own consumer)."""
    global _waiters
    if done == posted or threading.current_thread() is _loop_thread:
        return
    with _delivered:
        target = posted
        _waiters += 1
        try:
            while done < target:
                _delivered.wait()
        finally:
            _waiters -= 1


async def adrain_posted() -> None:
    """`drain_posted` for async code (a sync child inside an async root posted events)."""
    if done != posted:
        import asyncio

        await asyncio.get_running_loop().run_in_executor(None, drain_posted)
