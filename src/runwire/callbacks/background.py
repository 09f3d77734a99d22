"""Background delivery: a slow handler (disk, network) hears events on its own thread.

`BackgroundHandler(handler)` takes the events `handler` overrides, puts them on a bounded
queue and returns at once; one worker thread calls `handler` in order. When the queue is full,
`on_full` decides: "block" (wait for room), "drop_new" (drop this event) or "drop_old" (drop the
oldest queued one). Counters say what happened; `flush()` waits for the queue to drain and
`close()` stops the worker (also at interpreter exit).
Not here: ordering across handlers (each background handler has its own thread).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, ClassVar

from runwire.callbacks.base import BaseCallbackHandler
from runwire.callbacks.dispatch import _overridden, logger
from runwire.callbacks.handler_loop import run_coroutine_sync

_STOP = object()
_ON_FULL = ("block", "drop_new", "drop_old")
_wrapper_classes: dict[type, type] = {}


# A queued event is the keyword-argument dict made for the forwarding call, carrying the event's
# name and its one or two positional arguments under keys no keyword can have. A slow handler's
# queue keeps every queued event alive, and the garbage collector walks each tracked object it
# keeps at every full collection, so an event costs as few tracked objects as it can: no tuple
# around it or its arguments, and its tags as a tuple (which the collector stops tracking), a list
# again when delivered.
_EVENT = "\0event"
_ARG0 = "\0arg0"
_ARG1 = "\0arg1"
_ARGS = "\0args"  # any other number of positional arguments
_TAGS = "\0tags"  # a tags list, as a tuple while queued


def _forwarder(event: str) -> Any:
    def forward(self: BackgroundHandler, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("tags").__class__ is list:
            kwargs[_TAGS] = tuple(kwargs.pop("tags"))
        kwargs[_EVENT] = event
        count = len(args)
        if count == 1:
            kwargs[_ARG0] = args[0]
        elif count == 2:
            kwargs[_ARG0], kwargs[_ARG1] = args
        else:
            kwargs[_ARGS] = args
        items = self._items
        if len(items) < self._max and not self._closed:  # `_put`'s common case, unrolled
            items.append(kwargs)
            if self._idle:
                self._wake.set()
        else:
            self._put(kwargs)

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
        # A deque and an idle flag instead of queue.Queue: an append costs ~0.1 us instead of a
        # lock and a condition per event; the worker is woken only when it sleeps.
        self._items: deque[Any] = deque()
        self._max = max_queue
        self._idle = False
        self._wake = threading.Event()
        self._room = threading.Condition()
        self._busy = False  # the worker is delivering an event (written by the worker only)
        self._drop_lock = threading.Lock()
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
        return len(self._items)

    def _put(self, item: Any) -> None:
        if self._closed:
            self._count_drop()
            return
        items = self._items
        if len(items) >= self._max:
            if self.on_full == "drop_new":
                self._count_drop()
                return
            if self.on_full == "drop_old":
                try:
                    items.popleft()
                    self._count_drop()
                except IndexError:
                    pass
            else:
                with self._room:
                    self._room.wait_for(lambda: len(items) < self._max or self._closed, timeout=None)
        items.append(item)
        if self._idle:
            self._wake.set()

    def _count_drop(self) -> None:
        with self._drop_lock:
            self.dropped += 1

    def _work(self) -> None:
        items = self._items
        while True:
            if not items:
                self._idle = True
                if not items:  # re-checked after raising the flag, so no wake-up is lost
                    self._wake.wait()
                    self._wake.clear()
                self._idle = False
                continue
            self._busy = True  # raised before the pop, so flush() never sees "empty and idle" early
            item = items.popleft()
            if len(items) < self._max and self.on_full == "block":
                with self._room:
                    self._room.notify_all()
            if item is _STOP:
                self._busy = False
                return
            kwargs = item
            event = kwargs.pop(_EVENT)
            args: tuple[Any, ...]
            if _ARG1 in kwargs:
                args = (kwargs.pop(_ARG0), kwargs.pop(_ARG1))
            elif _ARG0 in kwargs:
                args = (kwargs.pop(_ARG0),)
            else:
                args = kwargs.pop(_ARGS)
            if _TAGS in kwargs:
                kwargs["tags"] = list(kwargs.pop(_TAGS))
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
                self._busy = False

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued event was delivered; False if `timeout` passed first."""
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while (self._items or self._busy) and self._thread.is_alive():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.001)
        return not self._items and not self._busy

    def close(self, timeout: float | None = 5.0) -> None:
        """Deliver what is queued (up to `timeout`), then stop the worker. Later events are dropped."""
        if self._closed:
            return
        self.flush(timeout)
        self._closed = True
        self._items.append(_STOP)
        self._wake.set()
        with self._room:
            self._room.notify_all()
        self._thread.join(timeout)

    def __repr__(self) -> str:
        return (
            f"BackgroundHandler({self.handler!r}, delivered={self.delivered}, dropped={self.dropped}, "
            f"errors={self.errors}, queue_depth={self.queue_depth})"
        )


__all__ = ["BackgroundHandler"]
