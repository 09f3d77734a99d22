"""Read-only queries for the viewer: pages of root runs, and one trace with its events.

Lists are keyset-paged on the `roots_by_start` index (newest first, cursor = start time and
rowid), so page N costs what page 1 costs, whatever the store's size. Each thread gets its own
connection, opened `query_only`. Not here: HTTP (`app`), or writing (`runwire.tracers.sqlite`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runwire.tracers.store import TraceStore

MAX_LIMIT = 200

_LIST_COLUMNS = (
    "rowid, id, name, run_type, status, tags, error, start_time, end_time, model, "
    "(SELECT sum(total_tokens) FROM runs AS r WHERE r.trace_id = runs.id) AS trace_tokens"
)


@dataclass(frozen=True, slots=True)
class Filters:
    """What a runs list is narrowed to; every value becomes a bound parameter."""

    name: str = ""
    tag: str = ""
    status: str = ""
    since: float | None = None
    until: float | None = None


def parse_cursor(text: str) -> tuple[float, int]:
    """`"<start_time>:<rowid>"` (as `next` returns it) into its two keys."""
    start, _, rowid = text.partition(":")
    try:
        return float(start), int(rowid)
    except ValueError:
        raise ValueError(
            f"cursor {text!r} is not '<start_time>:<rowid>'; pass back `next` as given"
        ) from None


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Reader:
    """The store at `path`, read on one `query_only` connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        TraceStore(path).close()  # fail now (missing or foreign file), not on the first request

    def store(self) -> TraceStore:
        store: TraceStore | None = getattr(self._local, "store", None)
        if store is None:
            store = TraceStore(self.path)
            store._conn.execute("PRAGMA query_only = ON")  # the viewer never writes
            self._local.store = store
        return store

    def _rows(self, sql: str, params: list[Any]) -> list[sqlite3.Row]:
        return self.store()._query(sql, params)

    def runs(self, filters: Filters, *, before: str | None = None, limit: int = 50) -> dict[str, Any]:
        """One page of root runs, newest first, and the cursor of the next page (or None)."""
        limit = max(1, min(limit, MAX_LIMIT))
        where, params = ["id = trace_id"], list[Any]()
        if filters.name:
            where.append("name LIKE ? ESCAPE '\\'")
            params.append(_like(filters.name))
        if filters.tag:
            where.append("EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE value = ?)")
            params.append(filters.tag)
        if filters.status:
            where.append("status = ?")
            params.append(filters.status)
        if filters.since is not None:
            where.append("start_time >= ?")
            params.append(filters.since)
        if filters.until is not None:
            where.append("start_time < ?")
            params.append(filters.until)
        if before:
            start, rowid = parse_cursor(before)
            # `start_time <= ?` on its own is what lets the index seek straight to the cursor
            where.append("start_time <= ? AND (start_time < ? OR rowid < ?)")
            params += [start, start, rowid]
        # Constant fragments only; every value is a bound parameter.
        clauses = " AND ".join(where)
        sql = f"SELECT {_LIST_COLUMNS} FROM runs INDEXED BY roots_by_start WHERE {clauses} "  # noqa: S608
        sql += f"ORDER BY start_time DESC, rowid DESC LIMIT {limit + 1}"
        rows = self._rows(sql, params)
        page = [_summary(row) for row in rows[:limit]]
        last = rows[limit - 1] if len(rows) > limit else None
        return {"runs": page, "next": None if last is None else f"{last['start_time']!r}:{last['rowid']}"}

    def trace(self, id_or_prefix: str) -> dict[str, Any]:
        """The run (id, prefix or `latest`) and its descendants as flat records with events."""
        store = self.store()
        run_id = store.resolve(id_or_prefix)
        return {"id": run_id, "runs": store.records(run_id)}

    def close(self) -> None:
        store: TraceStore | None = getattr(self._local, "store", None)
        if store is not None:
            store.close()
            self._local.store = None


def _summary(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "run_type": row["run_type"],
        "status": row["status"],
        "tags": json.loads(row["tags"]),
        "error": row["error"],
        "start_time": row["start_time"],
        "end_time": row["end_time"],
        "model": row["model"],
        "trace_tokens": row["trace_tokens"],
    }
