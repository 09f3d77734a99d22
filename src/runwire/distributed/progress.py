"""A progress line for a distributed batch, on the driver's stderr: inputs done (of the total when
known) and events forwarded per second. Drawn with `rich` when it is installed, else plain text
redrawn in place at most ten times a second. Off unless asked for (`progress=True`)."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

_REDRAW = 0.1  # seconds between redraws of the plain line


class Progress:
    """Counts inputs and events; shows them while the batch runs."""

    def __init__(self, total: int | None, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.events = 0
        self._stream = stream if stream is not None else sys.stderr
        self._started = time.perf_counter()
        self._drawn = 0.0
        self._rich: Any = None
        self._task: Any = None
        try:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress
        except ImportError:
            return
        self._rich = RichProgress(
            TextColumn("runwire batch"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=Console(file=self._stream),
        )
        self._task = self._rich.add_task("batch", total=total, rate="")
        self._rich.start()

    @property
    def rate(self) -> float:
        """Events forwarded per second so far."""
        elapsed = time.perf_counter() - self._started
        return self.events / elapsed if elapsed > 0 else 0.0

    def advance(self, inputs: int, events: int) -> None:
        self.done += inputs
        self.events += events
        if self._rich is not None:
            self._rich.update(self._task, completed=self.done, rate=f"{self.rate:,.0f} events/s")
            return
        now = time.perf_counter()
        if now - self._drawn >= _REDRAW:
            self._drawn = now
            self._draw("\r")

    def close(self) -> None:
        if self._rich is not None:
            self._rich.update(self._task, completed=self.done, rate=f"{self.rate:,.0f} events/s")
            self._rich.stop()
            return
        self._draw("\r")
        self._stream.write("\n")
        self._stream.flush()

    def _draw(self, lead: str) -> None:
        of = f"/{self.total:,}" if self.total is not None else ""
        self._stream.write(f"{lead}runwire batch: {self.done:,}{of} inputs, {self.rate:,.0f} events/s")
        self._stream.flush()
