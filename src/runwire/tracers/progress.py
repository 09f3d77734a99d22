"""ProgressCallbackHandler: a progress bar for long `batch` runs, passed like any handler.

    chain.batch(inputs, config={"callbacks": [ProgressCallbackHandler(total=len(inputs))]})

Each root run that ends (one per batch item) advances the bar; failed items are counted too.
Drawn with rich when it is installed and the stream is a terminal, else as one plain line
rewritten with `\\r` (or, when not a terminal, a line every 10%). Thread-safe: batch items end
on many threads. Not here: changing how `batch` runs.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Any, TextIO
from uuid import UUID

from runwire.callbacks.base import BaseCallbackHandler
from runwire.tracers.render import _rich_available

_WIDTH = 30


class ProgressCallbackHandler(BaseCallbackHandler):
    """Counts finished root runs against `total` and draws the count as a bar."""

    payloads_read_only = True  # reads what it is given, never edits it: no copies needed

    def __init__(
        self,
        total: int | None = None,
        *,
        description: str = "batch",
        file: TextIO | None = None,
        use_rich: bool | None = None,
    ) -> None:
        self.total = total
        self.description = description
        self.done = 0
        self.failed = 0
        self._file = file
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._last_decile = -1
        terminal = bool(getattr(self.file, "isatty", lambda: False)())
        self._rich = terminal and (use_rich if use_rich is not None else _rich_available())
        self._terminal = terminal
        self._progress: Any = None
        self._task: Any = None
        self._closed = False

    @property
    def file(self) -> TextIO:
        return self._file or sys.stderr

    def _root_ended(self, parent_run_id: UUID | None, *, failed: bool) -> None:
        if parent_run_id is not None:
            return
        with self._lock:
            self.done += 1
            self.failed += failed
            self._draw()
            if self.total is not None and self.done >= self.total:
                self._finish()

    def on_chain_end(
        self, outputs: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        self._root_ended(parent_run_id, failed=False)

    def on_chain_error(
        self, error: BaseException, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        self._root_ended(parent_run_id, failed=True)

    def on_llm_end(
        self, response: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        self._root_ended(parent_run_id, failed=False)

    def on_llm_error(
        self, error: BaseException, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        self._root_ended(parent_run_id, failed=True)

    def on_tool_end(
        self, output: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        self._root_ended(parent_run_id, failed=False)

    def on_tool_error(
        self, error: BaseException, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        self._root_ended(parent_run_id, failed=True)

    # -- drawing ---------------------------------------------------------------------------------

    def text(self) -> str:
        """The plain progress line: `batch [#####     ] 5/10 50% (1 failed) 0.3s`."""
        elapsed = time.monotonic() - self._started
        failed = f" ({self.failed} failed)" if self.failed else ""
        if not self.total:
            return f"{self.description} {self.done} done{failed} {elapsed:.1f}s"
        filled = min(_WIDTH, _WIDTH * self.done // self.total)
        bar = "#" * filled + " " * (_WIDTH - filled)
        percent = 100 * self.done // self.total
        return f"{self.description} [{bar}] {self.done}/{self.total} {percent}%{failed} {elapsed:.1f}s"

    def _draw(self) -> None:
        if self._closed:
            return
        if self._rich:
            if self._progress is None:
                from rich.progress import Progress

                self._progress = Progress(console=_console(self.file), transient=False)
                self._progress.start()
                self._task = self._progress.add_task(self.description, total=self.total)
            self._progress.update(self._task, completed=self.done)
            return
        if self._terminal:
            self.file.write("\r" + self.text())
            self.file.flush()
            return
        decile = 10 * self.done // self.total if self.total else self.done // 100
        if decile != self._last_decile:
            self._last_decile = decile
            self.file.write(self.text() + "\n")
            self.file.flush()

    def _finish(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._progress is not None:
            self._progress.stop()
        elif self._terminal:
            self.file.write("\n")
            self.file.flush()

    def close(self) -> None:
        """End the bar (called when `total` items are done; call it for an unknown total)."""
        with self._lock:
            self._finish()

    def __enter__(self) -> ProgressCallbackHandler:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _console(file: TextIO) -> Any:
    from rich.console import Console

    return Console(file=file)
