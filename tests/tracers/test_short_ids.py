"""Ids people can type: short ids (a run id's random tail) and prefixes, traces first."""

from __future__ import annotations

from pathlib import Path

import pytest

from runwire.tracers import TraceStore
from runwire.tracers._schema import connect
from runwire.tracers.store import RunNotFound, short_id

from .helpers import qa_chain, record


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    record(path, [(qa_chain(), {"number": str(n)}) for n in range(20)])
    return path


def test_every_trace_is_named_by_its_short_id(db: Path) -> None:
    """20 traces started within milliseconds (their ids share long prefixes): each one's 8-digit
    short id names it, and nothing else."""
    with TraceStore(db) as store:
        roots = [r["id"] for r in store.traces(limit=None)]
        assert len(roots) == 20
        assert len({r[:8] for r in roots}) < 20  # the time-ordered heads collide...
        for root in roots:  # ...the random tails do not
            assert len(short_id(root)) == 8
            assert store.resolve(short_id(root)) == root
            assert store.resolve(short_id(root).upper()) == root


def test_a_prefix_names_the_trace_before_its_child_runs(tmp_path: Path) -> None:
    """A prefix that a trace shares with its own child runs (started in the same millisecond)
    names the trace."""
    root, child, other = (
        "01a2404c-1111-7000-8000-00000000a001",
        "01a2404c-1111-7001-8000-00000000a002",
        "01a2404c-2222-7000-8000-00000000b001",
    )
    conn = connect(tmp_path / "t.db", create=True)
    conn.executemany(
        "INSERT INTO runs (id, parent_id, trace_id, name, run_type, status, start_time) "
        "VALUES (?, ?, ?, 'x', 'chain', 'ok', 1.0)",
        [(root, None, root), (child, root, root), (other, None, other)],
    )
    conn.close()
    with TraceStore(tmp_path / "t.db") as store:
        assert store.resolve("01a2404c-1111") == root
        assert store.resolve("01a2404c-1111-7001") == child
        with pytest.raises(RunNotFound, match="matches 2 traces"):
            store.resolve("01a2404c")


def test_child_runs_are_found_when_no_trace_matches(db: Path) -> None:
    """A child run's own short id or full id still names the child."""
    with TraceStore(db) as store:
        root = store.resolve("latest")
        child = store.records(root)[2]["id"]
        assert store.resolve(short_id(child)) == child
        assert store.resolve(child) == child


def test_an_ambiguous_short_form_lists_the_candidates(db: Path) -> None:
    """Too short a form names how many traces match and shows their short ids."""
    with TraceStore(db) as store:
        with pytest.raises(RunNotFound, match=r"matches more than 5 traces \(\w{8} \(") as caught:
            store.resolve(store.resolve("latest")[:4])
        assert "give more characters" in str(caught.value)
        with pytest.raises(RunNotFound, match="not a run id: give the short id"):
            store.resolve("zz-top")
