"""`set_debug(True)` is process-wide, like langchain-core's flag: runs in any thread print."""

from __future__ import annotations

import threading

import pytest

from runwire.globals import get_debug, set_debug
from runwire.runnables import RunnableLambda


def test_debug_mode_prints_runs_made_in_other_threads(capsys: pytest.CaptureFixture[str]) -> None:
    """A run in a bare thread started after `set_debug(True)` is printed; after
    `set_debug(False)` nothing is."""
    step = RunnableLambda(lambda x: x + 1).with_config(run_name="in_thread")
    set_debug(True)
    try:
        assert get_debug()
        worker = threading.Thread(target=step.invoke, args=(1,))
        worker.start()
        worker.join(timeout=30)
    finally:
        set_debug(False)
    printed = capsys.readouterr().out
    assert "[chain/start]" in printed
    assert "in_thread" in printed
    step.invoke(1)
    assert capsys.readouterr().out == ""
