"""`RunCollectorCallbackHandler` and `collect_runs()`: finished traces as `Run` trees in memory.

`collect_runs()` scopes a collector with the `scoped_handlers` ContextVar (reset on exit), so
every root run started inside the block reports to it and nothing global is left behind.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from runwire.callbacks.context import push_scoped, scoped_handlers
from runwire.tracers.base import BaseTracer
from runwire.tracers.content import FULL, ContentPolicy
from runwire.tracers.schemas import Run


class RunCollectorCallbackHandler(BaseTracer):
    """Collects each finished root run (with its `child_runs` tree) in `traced_runs`."""

    name = "run-collector_callback_handler"

    def __init__(self, example_id: UUID | str | None = None, *, content: ContentPolicy = FULL) -> None:
        super().__init__(content=content)
        self.example_id = UUID(example_id) if isinstance(example_id, str) else example_id
        self.traced_runs: list[Run] = []
        self._lock = threading.Lock()

    def _persist_run(self, run: Run) -> None:
        if self.example_id is not None:
            run.extra["reference_example_id"] = self.example_id
        with self._lock:
            self.traced_runs.append(run)


@contextmanager
def collect_runs(**kwargs: Any) -> Iterator[RunCollectorCallbackHandler]:
    """Within the block, every run's finished trace is collected in the yielded handler."""
    collector = RunCollectorCallbackHandler(**kwargs)
    token = push_scoped(collector)
    try:
        yield collector
    finally:
        scoped_handlers.reset(token)


__all__ = ["RunCollectorCallbackHandler", "collect_runs"]
