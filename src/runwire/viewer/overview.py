"""The viewer's overview: traces over time, latency percentiles, error rate and token usage by
model and by root name, over a window of time.

Every figure is an SQL aggregate over a covering index (`roots_overview` for traces,
`llm_by_start` for model calls, the primary key to reach a call's trace): no Python loop over
rows, so the page costs the same few index scans at 100k traces as at 100. The window ends at
the newest trace in the store (an old store still shows its last day), or at `until`.
Not here: HTTP (`app`), drawing (the page draws the charts itself, as SVG).
"""

from __future__ import annotations

import math
from typing import Any

from runwire.tracers.store import TraceStore

WINDOWS = {"1h": 3600, "24h": 86_400, "7d": 604_800, "30d": 2_592_000}
BUCKETS = 48

_ROOTS = "FROM runs INDEXED BY roots_overview WHERE id = trace_id AND start_time >= ? AND start_time < ?"
_CALLS = "FROM runs INDEXED BY llm_by_start WHERE run_type = 'llm' AND start_time >= ? AND start_time < ?"


class _Unindexed:
    """A store written by an older runwire and not written since (migrations run on write): the
    same queries without the index hints, slower but right."""

    def __init__(self, store: TraceStore) -> None:
        self.store = store

    def _query(self, sql: str, params: Any = ()) -> Any:
        for hint in (" INDEXED BY roots_overview", " INDEXED BY llm_by_start"):
            sql = sql.replace(hint, "")
        return self.store._query(sql, params)


def window_seconds(text: str) -> float:
    """`1h`, `24h`, `7d` or `30d` in seconds."""
    if text not in WINDOWS:
        raise ValueError(f"window={text!r} is not one of {', '.join(WINDOWS)}")
    return float(WINDOWS[text])


def _percentiles(store: TraceStore, bounds: tuple[float, float], count: int) -> tuple[Any, Any]:
    """Nearest-rank p50 and p95 (as `runwire traces stats`) of trace latency, in one sort."""
    if not count:
        return None, None
    ranks = [max(1, math.ceil(count * fraction)) for fraction in (0.5, 0.95)]
    rows = store._query(
        "SELECT rank, d FROM (SELECT end_time - start_time AS d, row_number() OVER (ORDER BY "  # noqa: S608 - constant fragments, bound values
        f"end_time - start_time) AS rank {_ROOTS} AND end_time IS NOT NULL) WHERE rank IN (?, ?)",
        [*bounds, *ranks],
    )
    found = {row["rank"]: float(row["d"]) for row in rows}
    return found.get(ranks[0]), found.get(ranks[1])


def overview(store: TraceStore, window: str = "24h", until: float | None = None) -> dict[str, Any]:
    """The overview's figures for the `window` ending at `until` (default: the newest trace)."""
    length = window_seconds(window)
    indexes = {row["name"] for row in store._query("SELECT name FROM sqlite_master WHERE type = 'index'")}
    if not {"roots_overview", "llm_by_start"} <= indexes:
        store = _Unindexed(store)  # type: ignore[assignment]
    if until is None:
        newest = store._query(
            "SELECT max(start_time) AS t FROM runs INDEXED BY roots_by_start WHERE id = trace_id"
        )[0]["t"]
        until = (float(newest) if newest is not None else 0.0) + 1e-3
    bounds = (until - length, until)
    step = length / BUCKETS
    buckets = [{"start": bounds[0] + i * step, "runs": 0, "errors": 0} for i in range(BUCKETS)]
    finished = 0
    for row in store._query(
        "SELECT CAST((start_time - ?) / ? AS INTEGER) AS b, count(*) AS n, "
        f"coalesce(sum(status = 'error'), 0) AS errors, count(end_time) AS finished {_ROOTS} GROUP BY b",
        [bounds[0], step, *bounds],
    ):
        finished += row["finished"]
        buckets[min(max(row["b"], 0), BUCKETS - 1)].update(runs=row["n"], errors=row["errors"])
    traces = sum(b["runs"] for b in buckets)
    errors = sum(b["errors"] for b in buckets)
    p50, p95 = _percentiles(store, bounds, finished)
    models = [
        dict(row)
        for row in store._query(
            "SELECT coalesce(model, name) AS model, count(*) AS calls, "
            "coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS "
            f"output_tokens, coalesce(sum(total_tokens), 0) AS total_tokens {_CALLS} "
            "GROUP BY 1 ORDER BY total_tokens DESC, calls DESC",
            bounds,
        )
    ]
    names = {
        row["name"]: {**dict(row), "total_tokens": 0}
        for row in store._query(
            "SELECT name, count(*) AS traces, coalesce(sum(status = 'error'), 0) AS errors, "
            f"avg(end_time - start_time) AS mean_seconds {_ROOTS} GROUP BY name",
            bounds,
        )
    }
    for row in store._query(
        "SELECT root.name AS name, sum(calls.total_tokens) AS tokens "
        "FROM runs AS calls INDEXED BY llm_by_start JOIN runs AS root ON root.id = calls.trace_id "
        "WHERE calls.run_type = 'llm' AND calls.start_time >= ? AND calls.start_time < ? "
        "GROUP BY root.name",
        bounds,
    ):
        names.setdefault(row["name"], {"name": row["name"], "traces": 0, "errors": 0, "mean_seconds": None})
        names[row["name"]]["total_tokens"] = row["tokens"] or 0
    ranked = sorted(names.values(), key=lambda n: (-n["traces"], n["name"]))[:20]
    return {
        "window": window,
        "since": bounds[0],
        "until": bounds[1],
        "traces": traces,
        "errors": errors,
        "error_rate": errors / traces if traces else None,
        "p50": p50,
        "p95": p95,
        "buckets": buckets,
        "models": models,
        "names": ranked,
    }
