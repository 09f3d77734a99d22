"""The trace store's file: where it lives, how it is opened, and its forward-only migrations.

One SQLite file in WAL mode, so readers (the CLI, another process) see committed runs while a
writer appends. Migrations are named and applied once, in order, inside one write transaction
(two processes opening a new file at once cannot both apply them); a file that carries a
migration this runwire does not know was written by a newer version and is refused for writing.
Not here: writing runs (`sqlite`) or querying them (`store`).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

BUSY_TIMEOUT_MS = 10_000

MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "0001_runs_and_events",
        """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            parent_id TEXT,
            trace_id TEXT NOT NULL,
            seq INTEGER NOT NULL DEFAULT 0,
            name TEXT NOT NULL,
            run_type TEXT NOT NULL,
            status TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            metadata TEXT NOT NULL DEFAULT '{}',
            inputs TEXT,
            outputs TEXT,
            error TEXT,
            extra TEXT NOT NULL DEFAULT '{}',
            start_time REAL NOT NULL,
            end_time REAL,
            model TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            total_tokens INTEGER
        );
        CREATE INDEX runs_by_trace ON runs (trace_id, seq);
        CREATE INDEX runs_by_parent ON runs (parent_id);
        CREATE INDEX roots_by_start ON runs (start_time) WHERE id = trace_id;
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL,
            trace_id TEXT NOT NULL,
            name TEXT NOT NULL,
            time REAL NOT NULL,
            data TEXT
        );
        CREATE INDEX events_by_run ON events (run_id);
        CREATE INDEX events_by_trace ON events (trace_id);
        """,
    ),
)


class StoreError(Exception):
    """The trace store cannot be used: missing, corrupt, or written by a newer runwire."""

    exit_code = 4


class StoreMissing(StoreError):
    exit_code = 3


def default_path() -> Path:
    """`$RUNWIRE_DB`, else `traces.db` in the user data dir (XDG on Linux)."""
    configured = os.environ.get("RUNWIRE_DB")
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "runwire" / "traces.db"


def connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """A connection to the store at `path` (made and migrated when `create`), WAL mode."""
    if not create and not path.exists():
        raise StoreMissing(
            f"no trace store at {path}. Record runs first (RUNWIRE_TRACE=sqlite, or "
            f"runwire.tracing('sqlite:{path}')) or pass --db / set RUNWIRE_DB to an existing store."
        )
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if create:
            _set_wal(conn)
            migrate(conn)
        else:
            check(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(
            f"{path} is not a usable trace store ({exc}). If it is corrupt, move it aside; "
            "a new store is created on the next traced run."
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _set_wal(conn: sqlite3.Connection) -> None:
    for attempt in range(50):  # switching to WAL needs a moment without other writers
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(
                "PRAGMA synchronous = NORMAL"
            )  # WAL + NORMAL: durable at checkpoints, no fsync per commit
            return
        except sqlite3.OperationalError:
            if attempt == 49:
                raise
            time.sleep(0.05)


def applied(conn: sqlite3.Connection) -> list[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
    ).fetchone()
    if not exists:
        return []
    return [row[0] for row in conn.execute("SELECT name FROM migrations ORDER BY rowid")]


def migrate(conn: sqlite3.Connection) -> None:
    """Apply the migrations this file lacks, in order, in one transaction."""
    known = [name for name, _ in MIGRATIONS]
    done = applied(conn)
    if done == known:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)"
        )
        done = applied(conn)
        _refuse_unknown(done, known)
        for name, sql in MIGRATIONS:
            if name not in done:
                for statement in sql.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, time.time()))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _refuse_unknown(done: list[str], known: list[str]) -> None:
    unknown = [name for name in done if name not in known]
    if unknown:
        raise StoreError(
            f"this trace store was written by a newer runwire (migrations {unknown} are unknown "
            "here); upgrade runwire or point RUNWIRE_DB at another file."
        )


def check(conn: sqlite3.Connection, path: Path) -> None:
    """Raise StoreError unless `conn` is a runwire trace store (any version that has runs)."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "runs" not in tables or "migrations" not in tables:
        raise StoreError(f"{path} is an SQLite file but not a runwire trace store (no runs table).")
