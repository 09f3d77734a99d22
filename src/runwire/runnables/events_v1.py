"""`astream_events(version="v1")`: events read off the run log (`log_stream`), as langchain-core
builds them: inputs on starts where known, a streamed run's input with its end event, the root's
chunks as `on_<type>_stream`, and no `parent_ids`. Not here: v2 (see `events`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from runwire.runnables.log_stream import LogStreamCallbackHandler, RunLog, astream_log

__all__ = ["astream_events_v1"]


def _log_event(kind: str, entry: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": f"on_{entry['type']}_{kind}",
        "name": entry["name"],
        "run_id": entry["id"],
        "tags": entry["tags"],
        "metadata": entry["metadata"],
        "data": data,
        "parent_ids": [],  # v1 does not report parents
    }


async def astream_events_v1(
    runnable: Any, input: Any, config: Any, filters: dict[str, Any], **kwargs: Any
) -> AsyncIterator[dict[str, Any]]:
    """`astream_events(version="v1")`: events read off the run log, as langchain-core does
    (`parent_ids` always empty; inputs of streamed runs arrive with their end event)."""
    stream = LogStreamCallbackHandler(auto_close=False, _schema_format="streaming_events", **filters)
    root_filter = LogStreamCallbackHandler(_schema_format="streaming_events", **filters)
    config = dict(config or {})
    root_tags = list(config.get("tags") or [])
    root_metadata = dict(config.get("metadata") or {})
    root_name = config.get("run_name") or runnable.get_name()
    run_log: Any = RunLog(state=None)
    started = False

    def root_event(kind: str, state: dict[str, Any], data: dict[str, Any]) -> dict[str, Any] | None:
        if not root_filter.include_run(root_name, state["type"], root_tags):
            return None
        entry = {"type": state["type"], "name": root_name, "id": state["id"], "tags": root_tags}
        return _log_event(kind, {**entry, "metadata": root_metadata}, data)

    async for patch in astream_log(
        runnable, input, config, stream=stream, diff=True, with_streamed_output_list=True, **kwargs
    ):
        run_log += patch
        state = run_log.state
        if not started:
            started = True
            if (event := root_event("start", state, {"input": input})) is not None:
                yield event
        keys = dict.fromkeys(op["path"].split("/")[2] for op in patch.ops if op["path"].startswith("/logs/"))
        for key in keys:
            entry = state["logs"][key]
            data: dict[str, Any] = {}
            if entry["end_time"] is not None:
                kind = "end"
                if entry.get("inputs") is not None:
                    data["input"] = entry["inputs"]
                data["output"] = entry["final_output"]
            elif entry["streamed_output"]:
                kind = "stream"
                data = {"chunk": entry["streamed_output"][0]}
                entry["streamed_output"] = []  # each chunk is reported once
            else:
                kind = "start"
                if entry.get("inputs") is not None:
                    data["input"] = entry["inputs"]
            yield _log_event(kind, entry, data)
        if state["streamed_output"]:
            chunk = state["streamed_output"][0]
            state["streamed_output"] = []
            if (event := root_event("stream", state, {"chunk": chunk})) is not None:
                yield event
    state = run_log.state
    if (event := root_event("end", state, {"output": state["final_output"]})) is not None:
        yield event
