"""The SQLite trace writer's pure half: flat queue records in, SQL rows out (JSON through the
content policy, secrets scrubbed). Runs on the writer thread only. Not here: the queue, the
thread or the connection (see `sqlite`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from runwire.tracers.content import ContentPolicy, error_record
from runwire.tracers.schemas import model_from, usage_from_outputs

# Record kinds; a record is queued flat: kind, then its fields (see SQLiteTracer._put).
START, END, EVENT, FLUSH = 0, 1, 2, 3
SIZE = {START: 11, END: 6, EVENT: 5, FLUSH: 2}  # flat record lengths, kind included
INSERT = (
    "INSERT OR REPLACE INTO runs (id, parent_id, trace_id, seq, name, run_type, status, tags, metadata, "
    "inputs, outputs, error, extra, start_time, end_time, model, input_tokens, output_tokens, total_tokens) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
UPDATE = (
    "UPDATE runs SET status = ?, outputs = ?, error = ?, end_time = ?, model = coalesce(?, model), "
    "input_tokens = ?, output_tokens = ?, total_tokens = ? WHERE id = ?"
)
EVENT_INSERT = "INSERT INTO events (run_id, trace_id, name, time, data) VALUES (?, ?, ?, ?, ?)"


def _dumps(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def rows(
    records: list[list[Any]], content: ContentPolicy, traces: dict[int, str], seq: Iterator[int]
) -> tuple[dict[int, list[Any]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows of a batch: run inserts by run (a run started and ended in the batch is one
    complete row), updates of runs started in earlier batches, and event inserts. `traces` maps
    each open run to its trace id, across batches (the queue is in start order)."""
    dumps = content.dumps
    keep = content.keeps_content
    starts: dict[int, list[Any]] = {}
    ends: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for item in records:
        kind = item[0]
        if kind == START:
            _, key, parent, name, run_type, began, inputs, tags, metadata, params, wrap = item
            own = _text_id(key)
            trace = traces.get(parent, own) if parent is not None else own
            traces[key] = trace
            model = model_from(None, params, metadata) if params or metadata else None
            if wrap is not None:
                inputs = {wrap: inputs}  # langchain's shapes: {"messages": [[...]]}, {"prompts": [...]}
            extra = {"invocation_params": params} if params else None
            starts[key] = [
                own, _text_id(parent) if parent is not None else None, trace, next(seq),
                name, run_type,
                "running", _dumps(tags) if tags else "[]",
                dumps(metadata, "metadata") if metadata and keep else "{}",
                dumps(inputs, "inputs"), None, None,
                dumps(extra, "extra") if extra and keep else "{}",
                began, None, model, None, None, None,
            ]  # fmt: skip
        elif kind == END:
            _, key, ended, outputs, error, llm = item
            own = _text_id(key)
            trace = traces.pop(key, own)
            status, out_json, err, model, tokens = "ok", None, None, None, _NO_TOKENS
            if error is not None:
                status = "error"
                err = content.text(repr(error)) if keep else type(error).__name__
                detail = _dumps(error_record(error, content))  # type, message, traceback
                events.append((own, trace, "error", ended, detail))
            elif llm:
                usage = usage_from_outputs(outputs)
                if usage:
                    tokens = (
                        usage.get("input_tokens"),
                        usage.get("output_tokens"),
                        usage.get("total_tokens"),
                    )
                model = model_from(outputs, None, None)
                dump = getattr(outputs, "model_dump", None)
                out_json = dumps(dump() if callable(dump) else outputs, "outputs")
            else:
                out_json = dumps(outputs, "outputs")
            row = starts.get(key)
            if row is not None:
                row[6], row[10], row[11], row[14] = status, out_json, err, ended
                row[15] = model or row[15]
                row[16], row[17], row[18] = tokens
            else:
                ends.append((status, out_json, err, ended, model, *tokens, own))
        elif kind == EVENT:
            _, key, at, name, data = item
            own = _text_id(key)
            events.append((own, traces.get(key, own), name, at, dumps(data, "events")))
    return starts, ends, events


_NO_TOKENS: tuple[int | None, int | None, int | None] = (None, None, None)


def _text_id(value: int) -> str:
    """A run id queued as `UUID.int` (an int is no container: the garbage collector never scans
    it, while a queued UUID object would be), in `str(UUID)`'s form."""
    hex = f"{value:032x}"
    return f"{hex[:8]}-{hex[8:12]}-{hex[12:16]}-{hex[16:20]}-{hex[20:]}"


def split(flat: list[Any]) -> Iterator[list[Any]]:
    """The records of a drained stretch of the flat queue, each as a list: kind, then fields."""
    index = 0
    while index < len(flat):
        size = SIZE[flat[index]]
        yield flat[index : index + size]
        index += size
