"""Background delivery: a slow handler (disk, network) hears events on its own thread.

`BackgroundHandler(handler)` takes the events `handler` overrides, puts them on a bounded
queue and returns at once; one worker thread calls `handler` in order. When the queue is full,
`on_full` decides: "block" (wait for room), "drop_new" (drop this event) or "drop_old" (drop the
oldest queued one). Counters say what happened; `flush()` waits for the queue to drain and
`close()` stops the worker (also at interpreter exit).
Not here: ordering across handlers (each background handler has its own thread).
"""

from __future__ import annotations

import queue
import threading
from typing import Any, ClassVar

from runwire.callbacks.base import BaseCallbackHandler
from runwire.callbacks.dispatch import _overridden, logger, run_coroutine_sync

_STOP = object()
_ON_FULL = ("block", "drop_new", "drop_old")
_wrapper_classes: dict[type, type] = {}


def _forwarder(event: str) -> Any:
    def forward(self: BackgroundHandler, *args: Any, **kwargs: Any) -> None:
        self._put((event, args, kwargs))

    forward.__name__ = event
    return forward


class BackgroundHandler(BaseCallbackHandler):
    """Deliver another handler's events from a worker thread, through a bounded queue."""

    _inner_class: ClassVar[type | None] = None

    def __new__(cls, handler: Any, **kwargs: Any) -> BackgroundHandler:  # noqa: ARG004 - init takes them
        # One subclass per wrapped class, defining exactly the events that class overrides, so the
        # dispatcher subscribes the wrapper to those events and nothing else.
        inner = type(handler)
        wrapper = _wrapper_classes.get(inner)
        if wrapper is None:
            methods = {event: _forwarder(event) for event in _overridden(inner)}
            wrapper = type(f"Background[{inner.__name__}]", (cls,), {**methods, "_inner_class": inner})
            _wrapper_classes[inner] = wrapper
        return super().__new__(wrapper)

    def __init__(self, handler: Any, *, max_queue: int = 10_000, on_full: str = "block") -> None:
        if on_full not in _ON_FULL:
            raise ValueError(f"on_full must be one of {_ON_FULL}, got {on_full!r}")
        if max_queue < 1:
            raise ValueError(f"max_queue must be >= 1, got {max_queue}")
        self.handler = handler
        self.on_full = on_full
        self.delivered = 0
        self.dropped = 0
        self.errors = 0
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_queue)
        self._closed = False
        self._thread = threading.Thread(
            target=self._work, name=f"runwire-background-{type(handler).__name__}", daemon=True
        )
        self._thread.start()
        import atexit

        atexit.register(self.close, timeout=5.0)

    # The wrapped handler's flags decide what the dispatcher sends us. `raise_error` cannot apply:
    # a background error happens after the run has moved on; it is counted and logged instead.

    @property
    def wants_tokens(self) -> bool:  # type: ignore[override]
        return bool(getattr(self.handler, "wants_tokens", False))

    @property
    def ignore_llm(self) -> bool:
        return bool(getattr(self.handler, "ignore_llm", False))

    @property
    def ignore_chain(self) -> bool:
        return bool(getattr(self.handler, "ignore_chain", False))

    @property
    def ignore_agent(self) -> bool:
        return bool(getattr(self.handler, "ignore_agent", False))

    @property
    def ignore_retriever(self) -> bool:
        return bool(getattr(self.handler, "ignore_retriever", False))

    @property
    def ignore_retry(self) -> bool:
        return bool(getattr(self.handler, "ignore_retry", False))

    @property
    def ignore_chat_model(self) -> bool:
        return bool(getattr(self.handler, "ignore_chat_model", False))

    @property
    def ignore_custom_event(self) -> bool:
        return bool(getattr(self.handler, "ignore_custom_event", False))

    @property
    def queue_depth(self) -> int:
        """Events waiting to be delivered."""
        return self._queue.qsize()

    def _put(self, item: Any) -> None:
        if self._closed:
            self.dropped += 1
            return
        if self.on_full == "block":
            self._queue.put(item)
            return
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except queue.Full:
                if self.on_full == "drop_new":
                    self.dropped += 1
                    return
            try:  # drop_old: make room by discarding the oldest event
                self._queue.get_nowait()
                self._queue.task_done()
                self.dropped += 1
            except queue.Empty:
                pass

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is _STOP:
                    return
                event, args, kwargs = item
                try:
                    result = getattr(self.handler, event)(*args, **kwargs)
                    if result is not None and hasattr(result, "__await__"):
                        run_coroutine_sync(result)
                    self.delivered += 1
                except Exception as exc:
                    self.errors += 1
                    logger.warning(
                        "Error in %s.%s (background) callback: %r", type(self.handler).__name__, event, exc
                    )
            finally:
                self._queue.task_done()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued event was delivered; False if `timeout` passed first."""
        if timeout is None:
            self._queue.join()
            return True
        done = threading.Event()

        def wait() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        return done.wait(timeout)

    def close(self, timeout: float | None = 5.0) -> None:
        """Deliver what is queued (up to `timeout`), then stop the worker. Later events are dropped."""
        if self._closed:
            return
        self.flush(timeout)
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def __repr__(self) -> str:
        return (
            f"BackgroundHandler({self.handler!r}, delivered={self.delivered}, dropped={self.dropped}, "
            f"errors={self.errors}, queue_depth={self.queue_depth})"
        )


__all__ = ["BackgroundHandler"]
