"""The trace store's marker: runwire never writes into an SQLite file that is not its own."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from runwire.tracers import TraceStore
from runwire.tracers._schema import APPLICATION_ID, ForeignFile, StoreError, connect
from runwire.tracers.sqlite import SQLiteTracer

from .helpers import qa_chain

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _app_db(path: Path, *tables: str) -> bytes:
    """An application's own database (with these tables); returns its bytes."""
    with closing(sqlite3.connect(path)) as conn:
        for table in tables:
            conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute(f"INSERT INTO {tables[0]} (name) VALUES ('alice')")
        conn.commit()
    return path.read_bytes()


@pytest.mark.parametrize("tables", [("users",), ("users", "migrations")], ids=["users", "own-migrations"])
def test_tracing_into_an_application_database_leaves_it_untouched(
    tmp_path: Path, tables: tuple[str, ...], caplog: pytest.LogCaptureFixture
) -> None:
    """The file keeps every byte (no tables, no WAL switch); the program gets one warning that
    names the file, the reason and what to do, without a traceback; the runs count as dropped."""
    db = tmp_path / "app.db"
    before = _app_db(db, *tables)
    tracer = SQLiteTracer(db)
    with caplog.at_level(logging.WARNING, logger="runwire"):
        for n in range(3):
            qa_chain().invoke({"number": str(n)}, {"callbacks": [tracer]})
        tracer.close()
    assert db.read_bytes() == before
    assert not (tmp_path / "app.db-wal").exists()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert str(db) in message
    assert "not a runwire trace store" in message
    assert "no runwire marker" in message
    assert "RUNWIRE_TRACE=sqlite:" in message
    assert "newer runwire" not in message
    assert warnings[0].exc_info is None
    assert tracer.dropped_traces == 3
    assert tracer.refused is not None


def test_a_file_marked_by_another_application_is_refused(tmp_path: Path) -> None:
    """An application_id that is not runwire's means another program's file, even when empty."""
    db = tmp_path / "other.db"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA application_id = 1234")
    with pytest.raises(ForeignFile, match=r"application_id 0x4d2"):
        connect(db, create=True)


def test_a_new_store_carries_the_marker_and_a_store_without_one_is_adopted(tmp_path: Path) -> None:
    """New stores get runwire's application_id and meta table; a store made before the marker
    existed (runwire's tables and migrations, no marker) is recognised and marked."""
    db = tmp_path / "traces.db"
    connect(db, create=True).close()
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("SELECT value FROM runwire_meta WHERE key = 'format'").fetchone() == (
            "runwire trace store",
        )
        conn.execute("PRAGMA application_id = 0")
        conn.execute("DROP TABLE runwire_meta")
        conn.commit()
    with TraceStore(db) as store:
        assert store.traces() == []
    connect(db, create=True).close()
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_reading_an_application_database_says_what_it_is(tmp_path: Path) -> None:
    """The reader refuses the file with the same explanation (and exit code 4 in the CLI)."""
    db = tmp_path / "app.db"
    _app_db(db, "users")
    with pytest.raises(StoreError, match="not a runwire trace store") as caught:
        TraceStore(db)
    assert caught.value.exit_code == 4


@pytest.mark.parametrize("how", ["RUNWIRE_TRACE", "runwire run"])
def test_tracing_an_application_database_warns_once_and_counts_the_lost_traces_at_exit(
    tmp_path: Path, how: str
) -> None:
    """`RUNWIRE_TRACE=sqlite:app.db` (or `runwire run --db app.db -- python app.py`) on the app's
    own database: the program runs, the database is unchanged, and its stderr has two lines and
    no traceback: the warning when the file is refused, and at exit how many traces were lost."""
    db = tmp_path / "app.db"
    before = _app_db(db, "migrations", "users")
    code = (
        "from runwire.runnables import RunnableLambda\n"
        "for n in range(3): RunnableLambda(lambda x: x + 1).invoke(n)\n"
        "print('done')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNWIRE_")}
    env.update(PYTHONPATH=SRC)
    if how == "RUNWIRE_TRACE":
        env.update(RUNWIRE_TRACE=f"sqlite:{db}")
        command = [sys.executable, "-c", code]
    else:
        command = [sys.executable, "-m", "runwire", "run", "--db", str(db), "--", sys.executable, "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (0, "done\n"), done.stderr
    warning, at_exit = done.stderr.strip().splitlines()
    for line in (warning, at_exit):
        assert str(db) in line
        assert "not a runwire trace store" in line
    assert at_exit.startswith("runwire: 3 traces were not recorded: ")
    assert db.read_bytes() == before
