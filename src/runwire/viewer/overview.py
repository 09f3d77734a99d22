"""The viewer's overview: traces over time, latency percentiles, error rate and token usage by
model and by root name, over a window of time.

Every figure is an SQL aggregate over a covering index (`roots_overview` for traces,
`llm_by_start` for model calls, the primary key to reach a call's trace), and each p50 and p95
latency is one `ORDER BY latency LIMIT 1 OFFSET rank` walk of an index that keeps the runs in
latency order (`roots_by_latency`; by group: `roots_by_name_latency`, `llm_by_model_latency`),
so a group's percentiles cost a walk over that group's runs (all time, filtered by the window
inside the index): no sort, and no Python loop over rows (only over the few groups shown).
All queries read one snapshot (one read transaction). The window ends at the newest trace or
model call in the store (an old store still shows its last day), or at `until`.
Not here: HTTP (`app`), drawing (the page draws the charts itself, as SVG).
"""

from __future__ import annotations

from typing import Any

from runwire.tracers.store import TraceStore

WINDOWS = {"1h": 3600, "24h": 86_400, "7d": 604_800, "30d": 2_592_000}
BUCKETS = 48
TOP_NAMES = 20

_INDEXES = (
    "roots_overview",
    "llm_by_start",
    "roots_by_latency",
    "roots_by_name_latency",
    "llm_by_model_latency",
)
_WINDOW = "start_time >= ? AND start_time < ?"
_ROOTS = f"FROM runs INDEXED BY roots_overview WHERE id = trace_id AND {_WINDOW}"
_CALLS = f"FROM runs INDEXED BY llm_by_start WHERE run_type = 'llm' AND {_WINDOW}"
_BY_LATENCY = f"FROM runs INDEXED BY roots_by_latency WHERE id = trace_id AND {_WINDOW}"
_BY_NAME = f"FROM runs INDEXED BY roots_by_name_latency WHERE id = trace_id AND {_WINDOW}"
_BY_MODEL = f"FROM runs INDEXED BY llm_by_model_latency WHERE run_type = 'llm' AND {_WINDOW}"
_LATENCY = "end_time - start_time"  # spelled as in the indexes, so the planner matches them


class _Unindexed:
    """A store written by an older runwire and not written since (migrations run on write): the
    same queries without the index hints, slower but right."""

    def __init__(self, store: TraceStore) -> None:
        self.store = store

    def _query(self, sql: str, params: Any = ()) -> Any:
        for index in _INDEXES:
            sql = sql.replace(f" INDEXED BY {index}", "")
        return self.store._query(sql, params)


def window_seconds(text: str) -> float:
    """`1h`, `24h`, `7d` or `30d` in seconds."""
    if text not in WINDOWS:
        raise ValueError(f"window={text!r} is not one of {', '.join(WINDOWS)}")
    return float(WINDOWS[text])


def _ranks(count: int) -> tuple[int, int]:
    """Nearest-rank positions (1-based) of p50 and p95 among `count` values, as `traces stats`."""
    return max(1, (count * 50 + 99) // 100), max(1, (count * 95 + 99) // 100)


def _at_ranks(store: Any, sql: str, params: list[Any], count: int) -> dict[str, float | None]:
    """p50 and p95 of the latencies `sql` lists in order (its last parameter is the offset)."""
    found: dict[str, float | None] = {"p50": None, "p95": None}
    if count:
        for key, rank in zip(found, _ranks(count), strict=True):
            rows = store._query(f"{sql} LIMIT 1 OFFSET ?", [*params, rank - 1])
            found[key] = float(rows[0]["d"]) if rows else None
    return found


def _group_latency(store: Any, group: tuple[str, str, Any], bounds: Any, count: int) -> dict[str, Any]:
    """p50 and p95 of one group: `(source, key column, value)`, e.g. `(_BY_NAME, "name", "agent")`."""
    source, key, value = group
    sql = (  # constant fragments, bound values
        f"SELECT {_LATENCY} AS d {source} AND {key} = ? AND {_LATENCY} IS NOT NULL ORDER BY {_LATENCY}"
    )
    return _at_ranks(store, sql, [*bounds, value], count)


def overview(store: TraceStore, window: str = "24h", until: float | None = None) -> dict[str, Any]:
    """The overview's figures for the `window` ending at `until` (default: the newest trace)."""
    length = window_seconds(window)
    store._query("BEGIN")  # one snapshot for every figure, even while a tracer writes
    try:
        return _figures(store, length, window, until)
    finally:
        store._query("COMMIT")


def _figures(store: TraceStore, length: float, window: str, until: float | None) -> dict[str, Any]:
    indexes = {row["name"] for row in store._query("SELECT name FROM sqlite_master WHERE type = 'index'")}
    if not set(_INDEXES) <= indexes:
        store = _Unindexed(store)  # type: ignore[assignment]
    if until is None:
        # The newest trace's model calls start after it: the window takes them in too.
        newest = store._query(
            "SELECT max(t) AS t FROM (SELECT max(start_time) AS t FROM runs INDEXED BY roots_by_start "
            "WHERE id = trace_id UNION ALL SELECT max(start_time) FROM runs INDEXED BY llm_by_start "
            "WHERE run_type = 'llm')"
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
    overall = _at_ranks(
        store,
        f"SELECT {_LATENCY} AS d {_BY_LATENCY} AND {_LATENCY} IS NOT NULL ORDER BY {_LATENCY}",
        list(bounds),
        finished,
    )
    return {
        "window": window,
        "since": bounds[0],
        "until": bounds[1],
        "traces": traces,
        "errors": errors,
        "error_rate": errors / traces if traces else None,
        **overall,
        "buckets": buckets,
        "models": _models(store, bounds),
        "names": _names(store, bounds),
    }


def _models(store: TraceStore, bounds: tuple[float, float]) -> list[dict[str, Any]]:
    """Calls, tokens (None when no call reported usage) and latency percentiles per model (its
    name when no model was recorded)."""
    models = []
    for row in store._query(
        "SELECT coalesce(model, name) AS model, count(*) AS calls, "
        "sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, "  # NULL: none reported
        f"sum(total_tokens) AS total_tokens, count({_LATENCY}) AS finished "
        f"{_BY_MODEL} GROUP BY 1 ORDER BY total_tokens DESC, calls DESC",
        bounds,
    ):
        model = dict(row)
        finished = model.pop("finished")
        group = (_BY_MODEL, "coalesce(model, name)", row["model"])
        model.update(_group_latency(store, group, bounds, finished))
        models.append(model)
    return models


def _names(store: TraceStore, bounds: tuple[float, float]) -> list[dict[str, Any]]:
    """Traces, errors, latency percentiles and tokens per root name (the 20 most frequent)."""
    names = {
        row["name"]: {**dict(row), "total_tokens": None}
        for row in store._query(
            "SELECT name, count(*) AS traces, coalesce(sum(status = 'error'), 0) AS errors, "
            f"count({_LATENCY}) AS finished {_BY_NAME} GROUP BY name",
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
        names.setdefault(row["name"], {"name": row["name"], "traces": 0, "errors": 0, "finished": 0})
        names[row["name"]]["total_tokens"] = row["tokens"]  # None: no model call reported usage
    ranked = sorted(names.values(), key=lambda n: (-n["traces"], n["name"]))[:TOP_NAMES]
    for name in ranked:
        finished = name.pop("finished")
        name.update(_group_latency(store, (_BY_NAME, "name", name["name"]), bounds, finished))
    return ranked
