"""The batch progress bar and the file handler."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from runwire.runnables import RunnableLambda
from runwire.tracers import FileCallbackHandler, ProgressCallbackHandler

from .helpers import qa_chain


def test_progress_counts_each_batch_item_once() -> None:
    """Each input of a batch advances the bar once (nested runs do not); it ends at the total."""
    out = io.StringIO()
    progress = ProgressCallbackHandler(total=20, file=out, use_rich=False)
    qa_chain().batch([{"number": str(n)} for n in range(20)], {"callbacks": [progress]})
    assert progress.done == 20
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("batch [##############################] 20/20 100%")
    assert len(lines) == 11, "not a terminal: one line per tenth, plus the first"


def test_progress_counts_failed_items() -> None:
    """Failed items advance the bar too and are shown as failed."""

    def maybe_fail(n: int) -> int:
        if n % 4 == 0:
            raise ValueError(n)
        return n

    progress = ProgressCallbackHandler(total=8, file=io.StringIO(), use_rich=False, description="items")
    RunnableLambda(maybe_fail).batch(list(range(8)), {"callbacks": [progress]}, return_exceptions=True)
    assert (progress.done, progress.failed) == (8, 2)
    assert progress.text().startswith("items [##############################] 8/8 100% (2 failed)")


def test_progress_on_a_terminal_rewrites_one_line() -> None:
    """On a terminal the plain bar is redrawn in place with carriage returns."""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    progress = ProgressCallbackHandler(total=3, file=out, use_rich=False)
    RunnableLambda(lambda x: x).batch([1, 2, 3], {"callbacks": [progress]})
    assert out.getvalue().count("\r") == 3
    assert out.getvalue().endswith("\n")


def test_file_handler_writes_stdout_lines_and_closes(tmp_path: Path) -> None:
    """FileCallbackHandler appends `> Entering new ... chain...` lines; `with` closes the file."""
    path = tmp_path / "run.log"
    with FileCallbackHandler(path) as handler:
        qa_chain().invoke({"number": "2"}, {"callbacks": [handler]})
    assert handler.file.closed
    text = path.read_text()
    assert text.count("> Entering new") == 3
    assert "> Entering new RunnableSequence chain..." in text
    assert text.count("> Finished chain.") == 3


@pytest.mark.parametrize("mode", ["a", "w"])
def test_file_handler_mode_appends_or_truncates(tmp_path: Path, mode: str) -> None:
    """mode="a" keeps earlier lines, mode="w" starts over."""
    path = tmp_path / "run.log"
    path.write_text("earlier\n")
    with FileCallbackHandler(path, mode=mode) as handler:
        RunnableLambda(lambda x: x).invoke(1, {"callbacks": [handler]})
    assert path.read_text().startswith("earlier") == (mode == "a")
