"""Handlers that print chain progress: `StdOutCallbackHandler` (from `runwire.callbacks`) and
`FileCallbackHandler`, which writes the same lines to a file and is used as a context manager.
The console tracers are re-exported here under langchain's module path (`tracers.stdout`)."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO, cast

from runwire.callbacks.stdout import StdOutCallbackHandler, StreamingStdOutCallbackHandler
from runwire.tracers.console import ConsoleCallbackHandler, FunctionCallbackHandler


class FileCallbackHandler(StdOutCallbackHandler):
    """StdOut's lines (`> Entering new X chain...`) appended to `filename`.

    Use it as a context manager (`with FileCallbackHandler("run.log") as handler:`), or call
    `close()`; the file is opened on construction, as in langchain.
    """

    def __init__(
        self, filename: str | os.PathLike[str], mode: str = "a", color: str | None = None, **kwargs: Any
    ) -> None:
        self.filename = os.fspath(filename)
        self.file = cast(TextIO, Path(self.filename).open(mode, encoding="utf-8"))  # noqa: SIM115 - closed by close()/__exit__
        super().__init__(color=color, file=self.file)

    def close(self) -> None:
        """Close the file (idempotent)."""
        if not self.file.closed:
            self.file.close()

    def __enter__(self) -> FileCallbackHandler:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __del__(self) -> None:
        file = getattr(self, "file", None)
        if file is not None and not file.closed:
            file.close()


__all__ = [
    "ConsoleCallbackHandler",
    "FileCallbackHandler",
    "FunctionCallbackHandler",
    "StdOutCallbackHandler",
    "StreamingStdOutCallbackHandler",
]
