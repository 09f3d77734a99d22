"""Threads that keep the run context: a context-copying pool, shared per process.

Loaded on first use (importing `concurrent.futures` costs milliseconds), never a pool per call.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the submitter's context (so they nest)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(contextvars.copy_context().run, fn, *args, **kwargs)

    def map(
        self, fn: Callable[..., T], *iterables: Any, timeout: float | None = None, chunksize: int = 1
    ) -> Iterator[T]:
        columns = [list(it) for it in iterables]
        contexts = [contextvars.copy_context() for _ in range(min(map(len, columns), default=0))]
        return super().map(lambda ctx, *args: ctx.run(fn, *args), contexts, *columns, timeout=timeout)


_pool: ContextThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def shared_executor() -> ContextThreadPoolExecutor:
    """The process-wide pool used by batch and parallel steps (created on first use)."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = ContextThreadPoolExecutor(max_workers=32, thread_name_prefix="runwire")
    return _pool
