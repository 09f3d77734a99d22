"""Soak: 100,000 runs with the SQLite tracer attached keep memory bounded and lose no row.
Excluded from the default run (`-m "not soak"`); `make soak` runs it."""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import tracemalloc
from pathlib import Path

import pytest

from runwire.runnables import RunnableLambda
from runwire.tracers.sqlite import SQLiteTracer

RUNS = 100_000


@pytest.mark.soak
@pytest.mark.timeout(1800)
def test_a_hundred_thousand_traced_runs_keep_memory_flat_and_every_row(tmp_path: Path) -> None:
    db = tmp_path / "soak.db"
    tracer = SQLiteTracer(db, on_full="block")
    step = RunnableLambda(lambda x: x + 1)
    tracemalloc.start()
    for i in range(RUNS):
        if i == RUNS // 10:
            tracer.flush()
            gc.collect()
            warm, _ = tracemalloc.get_traced_memory()
        assert step.invoke(i, {"callbacks": [tracer]}) == i + 1
    tracer.flush()
    gc.collect()
    end, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracer.close()
    assert end - warm < 20 * 1024 * 1024, f"grew {(end - warm) / 1e6:.1f} MB over {RUNS} runs"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == RUNS
        assert conn.execute("SELECT count(*) FROM runs WHERE status != 'ok'").fetchone()[0] == 0
