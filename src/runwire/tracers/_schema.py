"""The trace store's file: where it lives, how it is opened, and its forward-only migrations.

One SQLite file in WAL mode, so readers (the CLI, another process) see committed runs while a
writer appends. A store carries its own marker (`PRAGMA application_id` = `APPLICATION_ID` and
a `runwire_meta` table): runwire creates a store only in a new or empty file (or adopts a store
of an older runwire, made before the marker), and never changes any other SQLite file (an
application's own database named by mistake) -- not even its journal mode; it is refused with
`ForeignFile`. Migrations are named and applied once, in order, inside one write transaction
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
APPLICATION_ID = 0x52574952  # "RWIR" in the SQLite header: `file` and other tools can tell a store

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
    (
        # Short trace ids are the last 8 hex digits of a root id (random bits): found by index.
        "0002_short_ids",
        "CREATE INDEX roots_by_short_id ON runs (substr(id, 29)) WHERE id = trace_id",
    ),
    (
        # The viewer's overview: covering indexes (every column a query reads) of traces and of
        # model calls by start time, so its aggregates scan an index and never the table.
        "0003_overview_indexes",
        """
        CREATE INDEX roots_overview ON runs (start_time, status, end_time, name, id, trace_id)
            WHERE id = trace_id;
        CREATE INDEX llm_by_start ON runs (start_time, model, name, trace_id, input_tokens, output_tokens,
            total_tokens, run_type) WHERE run_type = 'llm'
        """,
    ),
    (
        # Latency percentiles of all traces, by root name and by model: runs in latency order
        # (an index on the expression), so a p50/p95 is one `LIMIT 1 OFFSET rank` index walk.
        "0004_latency_indexes",
        """
        CREATE INDEX roots_by_latency ON runs (end_time - start_time, start_time, id, trace_id)
            WHERE id = trace_id;
        CREATE INDEX roots_by_name_latency ON runs (name, end_time - start_time, start_time, status, id,
            trace_id) WHERE id = trace_id;
        CREATE INDEX llm_by_model_latency ON runs (coalesce(model, name), end_time - start_time, start_time,
            input_tokens, output_tokens, total_tokens, run_type) WHERE run_type = 'llm'
        """,
    ),
)


class StoreError(Exception):
    """The trace store cannot be used: missing, corrupt, or written by a newer runwire."""

    exit_code = 4


class StoreMissing(StoreError):
    exit_code = 3


class ForeignFile(StoreError):
    """The file is an SQLite database of some other program: runwire leaves it untouched."""


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
            _refuse_foreign(conn, path)  # before anything writes, WAL mode included
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
    if done == known and conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("CREATE TABLE IF NOT EXISTS runwire_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT OR IGNORE INTO runwire_meta VALUES ('format', 'runwire trace store')")
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


def foreign_reason(conn: sqlite3.Connection) -> str | None:
    """Why the file on `conn` is not (and cannot become) a trace store; None when it is one, is
    empty, or is a store of an older runwire (same tables and migrations, no marker yet)."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id == APPLICATION_ID:
        return None
    if app_id:
        return f"its header names another application (application_id {app_id:#x})"
    tables = sorted(
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    )
    if not tables:
        return None
    if {"runs", "events", "migrations"} <= set(tables):
        try:
            if MIGRATIONS[0][0] in applied(conn):
                return None
        except sqlite3.DatabaseError:
            pass
    shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
    return f"it has no runwire marker and holds other tables ({shown})"


def _refuse_foreign(conn: sqlite3.Connection, path: Path) -> None:
    reason = foreign_reason(conn)
    if reason is not None:
        raise ForeignFile(
            f"{path} is an SQLite database but not a runwire trace store ({reason}); runwire left it "
            "unchanged and does not record runs into it. Trace to a file of its own instead, e.g. "
            f"RUNWIRE_TRACE=sqlite:{path.with_name('traces.db')}"
        )


def check(conn: sqlite3.Connection, path: Path) -> None:
    """Raise StoreError unless `conn` is a runwire trace store (any version that has runs)."""
    _refuse_foreign(conn, path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "runs" not in tables or "migrations" not in tables:
        raise StoreError(f"{path} is an SQLite file but not a runwire trace store (no runs table).")
