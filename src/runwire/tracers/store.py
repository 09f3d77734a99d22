"""TraceStore: reading (and pruning) the SQLite trace store that `SQLiteTracer` writes.

Opens an existing store only (a missing file is `StoreMissing`, a foreign or corrupt one
`StoreError`), on its own connection, so it reads committed runs while another thread or
process is writing. Returns `Run` trees for drawing and replay, and plain JSON records (the
stored payloads as they were, unwrapped) for export. Not here: writing (`sqlite`) or printing
(`runwire.cli`).
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from uuid import UUID

from runwire.tracers._schema import StoreError, connect, default_path
from runwire.tracers.schemas import Run, wrap

COLUMNS = (
    "id, parent_id, trace_id, seq, name, run_type, status, tags, metadata, inputs, outputs, error, "
    "extra, start_time, end_time, model, input_tokens, output_tokens, total_tokens"
)


def short_id(run_id: str) -> str:
    """A run's short form: the last 8 hex digits (random bits of the UUIDv7), unique in practice
    among a store's traces, as git's short hashes are."""
    return run_id[-8:]


_TRACE_TOKENS = (
    "(SELECT sum(total_tokens) FROM runs AS inner_runs WHERE inner_runs.trace_id = runs.id) AS trace_tokens"
)


class RunNotFound(LookupError):
    """No run (or more than one) matches the given id or prefix."""

    exit_code = 5


def _loads(text: str | None, column: str = "data", run_id: Any = None) -> Any:
    try:
        return None if text is None else json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        raise _foreign(run_id, column, text) from exc


def _foreign(run_id: Any, column: str, value: Any) -> StoreError:
    return StoreError(
        f"run {str(run_id)[:40]!r} has a {column} runwire never writes ({value!r:.60}): the store was "
        "edited by hand or is damaged. Export the other traces, or prune this one."
    )


_TEXT = ("id", "trace_id", "name", "run_type", "status")
_NUMBERS = ("start_time", "end_time", "input_tokens", "output_tokens", "total_tokens")


def _check_row(row: sqlite3.Row) -> None:
    """Refuse (as StoreError) a row whose column types no SQLiteTracer writes: the store file is
    untrusted input, and a wrong type would otherwise fail deep inside the rendering code."""
    for column in _TEXT:
        if not isinstance(row[column], str):
            raise _foreign(row["id"], column, row[column])
    for column in _NUMBERS:
        value = row[column]
        if value is None and column != "start_time":
            continue
        if not isinstance(value, int | float) or (not -1e11 < value < 1e11 and column.endswith("time")):
            raise _foreign(row["id"], column, value)


def _time(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def record(row: sqlite3.Row) -> dict[str, Any]:
    """A stored run as JSON data (payloads exactly as stored)."""
    _check_row(row)
    usage = None
    if row["total_tokens"] is not None or row["input_tokens"] is not None:
        usage = {
            "input_tokens": row["input_tokens"],
            "output_tokens": row["output_tokens"],
            "total_tokens": row["total_tokens"],
        }
    tags = _loads(row["tags"], "tags", row["id"])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise _foreign(row["id"], "tags", row["tags"])
    return {
        "id": row["id"],
        "parent_id": row["parent_id"],
        "trace_id": row["trace_id"],
        "name": row["name"],
        "run_type": row["run_type"],
        "status": row["status"],
        "start_time": row["start_time"],
        "end_time": row["end_time"],
        "tags": tags,
        "metadata": _loads(row["metadata"], "metadata", row["id"]),
        "inputs": _loads(row["inputs"], "inputs", row["id"]),
        "outputs": _loads(row["outputs"], "outputs", row["id"]),
        "error": row["error"],
        "extra": _loads(row["extra"], "extra", row["id"]),
        "model": row["model"],
        "usage": usage,
    }


def run_from_record(data: dict[str, Any]) -> Run:
    """A `Run` (no children yet) from a stored or exported record."""
    extra = dict(data.get("extra") or {})
    extra["metadata"] = data.get("metadata") or {}
    if data.get("usage"):
        extra["usage"] = {k: v for k, v in data["usage"].items() if v is not None}
    if data.get("model"):
        extra["model"] = data["model"]
    outputs = data.get("outputs")
    end = data.get("end_time")
    started = _time(data["start_time"])
    assert started is not None
    return Run(
        id=UUID(data["id"]),
        name=data["name"],
        run_type=data["run_type"],
        start_time=started,
        parent_run_id=UUID(data["parent_id"]) if data.get("parent_id") else None,
        trace_id=UUID(data["trace_id"]) if data.get("trace_id") else None,
        end_time=_time(end),
        inputs=wrap(data.get("inputs"), "input") if data.get("inputs") is not None else {},
        outputs=wrap(outputs, "output") if data.get("status") == "ok" else None,
        error=data.get("error"),
        tags=list(data.get("tags") or ()),
        extra=extra,
        events=[dict(e) for e in data.get("events") or ()],
    )


def build_tree(records: Sequence[dict[str, Any]], root_id: str) -> Run:
    """The `Run` tree under `root_id` from flat records in start order."""
    runs = {r["id"]: run_from_record(r) for r in records}
    for data in records:
        parent = runs.get(data.get("parent_id") or "")
        if parent is not None and data["id"] != root_id:
            parent.child_runs.append(runs[data["id"]])
    return runs[root_id]


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class TraceStore:
    """Read access to a trace store file (default: `$RUNWIRE_DB` or the user data dir)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_path()
        self._conn = connect(self.path, create=False)
        self._conn.row_factory = sqlite3.Row

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> TraceStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"reading {self.path} failed: {exc}. The file may be corrupt.") from exc

    # -- finding runs ----------------------------------------------------------------------------

    def resolve(self, id_or_prefix: str) -> str:
        """The full id of the run named by `latest`, an id, a short id (the last 8 hex digits, as
        `runwire traces list` prints them), or the start or end of an id. Root runs (traces) are
        searched first, so a short form names its trace even when a child run shares it."""
        if id_or_prefix in ("latest", "last"):
            rows = self._query(
                "SELECT id FROM runs WHERE id = trace_id ORDER BY start_time DESC, rowid DESC LIMIT 1"
            )
            if not rows:
                raise RunNotFound(f"{self.path} holds no traces yet")
            return str(rows[0]["id"])
        text = id_or_prefix.strip().lower()
        if not text or any(c not in "0123456789abcdef-" for c in text):
            raise RunNotFound(
                f"{id_or_prefix!r} is not a run id: give the short id `runwire traces list` prints "
                "(8 hex digits), the start of a full id, or `latest`"
            )
        for roots in (True, False):
            found = self._matching(text, roots=roots)
            if len(found) == 1:
                return found[0]
            if found:
                kind = "traces" if roots else "runs"
                count = len(found) if len(found) < 6 else "more than 5"
                shown = ", ".join(f"{short_id(i)} ({i})" for i in found[:5])
                raise RunNotFound(f"{id_or_prefix!r} matches {count} {kind} ({shown}); give more characters")
        raise RunNotFound(f"no run id starts or ends with {id_or_prefix!r} in {self.path}")

    def _matching(self, text: str, *, roots: bool) -> list[str]:
        """Up to 6 ids starting with `text` or (hex digits only) ending with it."""
        where = "id = trace_id AND " if roots else ""
        found = [
            r["id"]
            for r in self._query(
                f"SELECT id FROM runs WHERE {where}id >= ? AND id < ? LIMIT 6", (text, text + "g")
            )
        ]
        if "-" not in text and 4 <= len(text) <= 12:
            # `substr(id, 29) = ?` over roots is the roots_by_short_id index: a short id is one seek
            sql = f"SELECT id FROM runs WHERE {where}substr(id, {37 - len(text)}) = ? LIMIT 6"
            found += [r["id"] for r in self._query(sql, (text,)) if r["id"] not in found]
        return found[:6]

    def traces(
        self,
        *,
        name: str | None = None,
        tags: Sequence[str] = (),
        status: str | None = None,
        since: float | None = None,
        limit: int | None = 20,
    ) -> list[dict[str, Any]]:
        """Root runs, newest first, as records (`name` accepts `*` and `?` wildcards)."""
        where, params = ["id = trace_id"], list[Any]()
        if name:
            where.append("name GLOB ?" if any(c in name for c in "*?[") else "name = ?")
            params.append(name)
        for tag in tags:
            where.append("EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE value = ?)")
            params.append(tag)
        if status:
            where.append("status = ?")
            params.append(status)
        if since is not None:
            where.append("start_time >= ?")
            params.append(since)
        sql = (
            f"SELECT {COLUMNS}, {_TRACE_TOKENS} FROM runs WHERE {' AND '.join(where)} "
            "ORDER BY start_time DESC, rowid DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [{**record(row), "trace_tokens": row["trace_tokens"]} for row in self._query(sql, params)]

    def records(self, run_id: str) -> list[dict[str, Any]]:
        """The run and its descendants as flat records in start order, each with its `events`."""
        rows = self._query("SELECT trace_id FROM runs WHERE id = ?", (run_id,))
        if not rows:
            raise RunNotFound(f"no run {run_id} in {self.path}")
        trace = rows[0]["trace_id"]
        found = [
            record(r)
            for r in self._query(
                f"SELECT {COLUMNS} FROM runs WHERE trace_id = ? ORDER BY seq, start_time", (trace,)
            )
        ]
        events: dict[str, list[dict[str, Any]]] = {}
        for row in self._query(
            "SELECT run_id, name, time, data FROM events WHERE trace_id = ? ORDER BY id", (trace,)
        ):
            events.setdefault(row["run_id"], []).append(
                {"name": row["name"], "time": row["time"], "kwargs": _loads(row["data"])}
            )
        keep = _descendants(found, run_id)
        return [{**r, "events": events.get(r["id"], [])} for r in found if r["id"] in keep]

    def tree(self, run_id: str) -> Run:
        """The `Run` tree rooted at `run_id`."""
        return build_tree(self.records(run_id), run_id)

    def runs(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Records of the given run ids (those that exist)."""
        rows = self._query(
            f"SELECT {COLUMNS}, {_TRACE_TOKENS} FROM runs WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        )
        return [{**record(r), "trace_tokens": r["trace_tokens"]} for r in rows]

    def roots_after(self, rowid: int) -> list[tuple[int, dict[str, Any]]]:
        """Root runs inserted after `rowid`, oldest first (for following a store)."""
        rows = self._query(
            f"SELECT rowid, {COLUMNS}, {_TRACE_TOKENS} FROM runs WHERE rowid > ? AND id = trace_id "
            "ORDER BY rowid",
            (rowid,),
        )
        return [(int(row["rowid"]), {**record(row), "trace_tokens": row["trace_tokens"]}) for row in rows]

    def last_rowid(self) -> int:
        return int(self._query("SELECT coalesce(max(rowid), 0) AS n FROM runs")[0]["n"])

    # -- summaries and upkeep ------------------------------------------------------------------

    def stats(self, *, since: float | None = None, name: str | None = None) -> dict[str, Any]:
        """Trace and run counts, p50/p95 trace latency, and token usage by model."""
        roots, params = "id = trace_id", list[Any]()
        if since is not None:
            roots += " AND start_time >= ?"
            params.append(since)
        if name:
            roots += " AND name GLOB ?" if any(c in name for c in "*?[") else " AND name = ?"
            params.append(name)
        head = self._query(
            f"SELECT count(*) AS n, coalesce(sum(status = 'error'), 0) AS errors, "
            f"coalesce(sum(status = 'running'), 0) AS running FROM runs WHERE {roots}",
            params,
        )[0]
        durations = [
            row["d"]
            for row in self._query(
                f"SELECT end_time - start_time AS d FROM runs WHERE {roots} AND end_time IS NOT NULL", params
            )
        ]
        in_traces = f"trace_id IN (SELECT id FROM runs WHERE {roots})"
        runs = self._query(f"SELECT count(*) AS n FROM runs WHERE {in_traces}", params)[0]["n"]
        models = [
            {
                "model": row["model"],
                "calls": row["calls"],
                "input_tokens": row["i"],
                "output_tokens": row["o"],
                "total_tokens": row["t"],
            }
            for row in self._query(
                "SELECT coalesce(model, name) AS model, count(*) AS calls, "
                "coalesce(sum(input_tokens), 0) AS i, coalesce(sum(output_tokens), 0) AS o, "
                "coalesce(sum(total_tokens), 0) AS t FROM runs "
                f"WHERE run_type = 'llm' AND {in_traces} GROUP BY 1 ORDER BY 1",
                params,
            )
        ]
        return {
            "traces": head["n"],
            "errors": head["errors"],
            "running": head["running"],
            "runs": runs,
            "p50": percentile(durations, 0.5),
            "p95": percentile(durations, 0.95),
            "models": models,
        }

    def prune(
        self, *, older_than: float | None = None, keep: int | None = None, dry_run: bool = False
    ) -> dict[str, int]:
        """Delete traces started before `older_than` (a timestamp) and all but the `keep` newest."""
        doomed: set[str] = set()
        if older_than is not None:
            rows = self._query("SELECT id FROM runs WHERE id = trace_id AND start_time < ?", (older_than,))
            doomed.update(r["id"] for r in rows)
        if keep is not None:
            rows = self._query(
                "SELECT id FROM runs WHERE id = trace_id "
                "ORDER BY start_time DESC, rowid DESC LIMIT -1 OFFSET ?",
                (keep,),
            )
            doomed.update(r["id"] for r in rows)
        ids = json.dumps(sorted(doomed))
        select = "trace_id IN (SELECT value FROM json_each(?))"
        counts = {
            "traces": len(doomed),
            "runs": self._query(f"SELECT count(*) AS n FROM runs WHERE {select}", (ids,))[0]["n"],
            "events": self._query(f"SELECT count(*) AS n FROM events WHERE {select}", (ids,))[0]["n"],
        }
        if doomed and not dry_run:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(f"DELETE FROM events WHERE {select}", (ids,))
                conn.execute(f"DELETE FROM runs WHERE {select}", (ids,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return counts

    def integrity(self) -> str:
        """`PRAGMA integrity_check`'s verdict (`ok` when the file is sound)."""
        return str(self._query("PRAGMA integrity_check")[0][0])


def _descendants(records: Sequence[dict[str, Any]], root_id: str) -> set[str]:
    children: dict[str, list[str]] = {}
    for r in records:
        if r["parent_id"]:
            children.setdefault(r["parent_id"], []).append(r["id"])
    keep, stack = set(), [root_id]
    while stack:
        current = stack.pop()
        keep.add(current)
        stack.extend(children.get(current, ()))
    return keep


def iter_export(store: TraceStore, run_id: str, fmt: str) -> Iterator[str]:
    """`json`: the tree as one document (`child_runs` nested); `jsonl`: one record per line."""
    records = store.records(run_id)
    if fmt == "jsonl":
        for r in records:
            yield json.dumps(r, ensure_ascii=False)
        return
    nodes = {r["id"]: {**r, "child_runs": []} for r in records}
    for r in records:
        if r["id"] != run_id and r["parent_id"] in nodes:
            nodes[r["parent_id"]]["child_runs"].append(nodes[r["id"]])
    yield json.dumps(nodes[run_id], ensure_ascii=False, indent=2)
