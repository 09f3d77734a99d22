"""`astream_log`: a streamed call as JSON-patch operations on a run-state document
(`RunLogPatch`, summed into a `RunLog`), and `astream_events(version="v1")` built on it, both
in langchain-core's shapes (v1 itself is in `events_v1`).

A handler that hears every run adds an entry under `/logs/<name>` (`<name>:2`, ... for
repeats) when a run starts, appends streamed chunks and tokens, and sets `final_output` and
`end_time` when it ends; the root run's own chunks arrive as `/streamed_output/-` and a diff of
the accumulated `/final_output`. Patches are applied with the `jsonpatch` library
(`pip install "runwire[jsonpatch]"`), imported only when a log is streamed. Not here: the v2 event
stream (see `events`), which needs no patches.
"""

from __future__ import annotations

import asyncio
import copy
import threading
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pprint import pformat
from typing import Any, Literal
from uuid import UUID

from runwire.callbacks.base import BaseCallbackHandler
from runwire.runnables.events import _with_handler

__all__ = ["LogStreamCallbackHandler", "RunLog", "RunLogPatch", "astream_log"]

_END = object()


def _jsonpatch() -> Any:
    try:
        import jsonpatch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "astream_log and astream_events(version='v1') apply JSON patches with the `jsonpatch` "
            'package, which is not installed. Install it with: pip install "runwire[jsonpatch]"'
        ) from exc
    return jsonpatch


class RunLogPatch:
    """Patch operations (`{"op": "add", "path": "/logs/...", "value": ...}`) for a run log."""

    ops: list[dict[str, Any]]

    def __init__(self, *ops: dict[str, Any]) -> None:
        self.ops = list(ops)

    def __add__(self, other: Any) -> RunLog:
        if type(other) is RunLogPatch:
            ops = self.ops + other.ops
            return RunLog(*ops, state=_jsonpatch().apply_patch(None, copy.deepcopy(ops)))
        raise TypeError(f"unsupported operand type(s) for +: '{type(self)}' and '{type(other)}'")

    def __repr__(self) -> str:
        return f"RunLogPatch({pformat(self.ops)[1:-1]})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunLogPatch) and self.ops == other.ops

    __hash__ = None  # type: ignore[assignment]


class RunLog(RunLogPatch):
    """The patches so far and the state they build (`id`, `streamed_output`, `final_output`,
    `name`, `type`, `logs`)."""

    state: dict[str, Any]

    def __init__(self, *ops: dict[str, Any], state: Any) -> None:
        super().__init__(*ops)
        self.state = state

    def __add__(self, other: Any) -> RunLog:
        if type(other) is RunLogPatch:
            return RunLog(*self.ops, *other.ops, state=_jsonpatch().apply_patch(self.state, other.ops))
        raise TypeError(f"unsupported operand type(s) for +: '{type(self)}' and '{type(other)}'")

    def __repr__(self) -> str:
        return f"RunLog({pformat(self.state)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RunLog) and self.state == other.state and super().__eq__(other)

    __hash__ = None


def _added(total: Any, chunk: Any) -> Any:
    """`total + chunk`; plain dict chunks (a parallel's partial outputs) merge key by key, as
    langchain-core's AddableDict chunks do."""
    if type(total) is dict and type(chunk) is dict:
        merged = dict(total)
        for key, value in chunk.items():
            if merged.get(key) is None:
                merged[key] = value
            elif value is not None:
                try:
                    merged[key] = merged[key] + value
                except TypeError:
                    merged[key] = value
        return merged
    return total + chunk


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _llm_output(response: Any) -> dict[str, Any]:
    """An LLMResult as langchain's tracers record it (generations as dicts, messages kept)."""
    generations = []
    for group in response.generations:
        row = []
        for g in group:
            entry = {"text": g.text, "generation_info": g.generation_info, "type": type(g).__name__}
            if hasattr(g, "message"):
                entry["message"] = g.message
            row.append(entry)
        generations.append(row)
    return {"generations": generations, "llm_output": response.llm_output, "run": None, "type": "LLMResult"}


class LogStreamCallbackHandler(BaseCallbackHandler):
    """Turns the runs of one call into RunLogPatch objects on an asyncio queue."""

    payloads_read_only = True
    wants_tokens = True  # chat models stream inside invoke, so their tokens reach the log

    def __init__(
        self,
        *,
        auto_close: bool = True,
        include_names: Sequence[str] | None = None,
        include_types: Sequence[str] | None = None,
        include_tags: Sequence[str] | None = None,
        exclude_names: Sequence[str] | None = None,
        exclude_types: Sequence[str] | None = None,
        exclude_tags: Sequence[str] | None = None,
        _schema_format: Literal["original", "streaming_events"] = "streaming_events",
    ) -> None:
        if _schema_format not in ("original", "streaming_events"):
            raise ValueError(
                f"Invalid schema format: {_schema_format}. Expected one of 'original', 'streaming_events'."
            )
        self.auto_close = auto_close
        self.include_names = include_names
        self.include_types = include_types
        self.include_tags = include_tags
        self.exclude_names = exclude_names
        self.exclude_types = exclude_types
        self.exclude_tags = exclude_tags
        self._schema_format = _schema_format
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self._lock = threading.Lock()
        self._keys: dict[UUID, str] = {}
        self._types: dict[UUID, str] = {}
        self._counts: dict[str, int] = {}
        # Runs started with the id of a run still open (a config with `run_id` passed on to a
        # child) are left out, and so are their end events (see `astream_events`).
        self._open: set[UUID] = set()
        self._duplicates: dict[UUID, int] = {}
        self.root_id: UUID | None = None

    def __aiter__(self) -> AsyncIterator[RunLogPatch]:
        return self._receive()

    async def _receive(self) -> AsyncIterator[RunLogPatch]:
        while (patch := await self.queue.get()) is not _END:
            yield patch

    def send(self, *ops: dict[str, Any]) -> bool:
        patch = RunLogPatch(*ops)
        if threading.get_ident() == self._loop_thread:
            self.queue.put_nowait(patch)
        else:
            self._loop.call_soon_threadsafe(self.queue.put_nowait, patch)
        return True

    def close(self) -> None:
        if threading.get_ident() == self._loop_thread:
            self.queue.put_nowait(_END)
        else:
            self._loop.call_soon_threadsafe(self.queue.put_nowait, _END)

    def include_run(self, name: str, run_type: str, tags: Sequence[str]) -> bool:
        include = self.include_names is None and self.include_types is None and self.include_tags is None
        if self.include_names is not None:
            include = include or name in self.include_names
        if self.include_types is not None:
            include = include or run_type in self.include_types
        if self.include_tags is not None:
            include = include or any(tag in self.include_tags for tag in tags)
        if self.exclude_names is not None:
            include = include and name not in self.exclude_names
        if self.exclude_types is not None:
            include = include and run_type not in self.exclude_types
        if self.exclude_tags is not None:
            include = include and all(tag not in self.exclude_tags for tag in tags)
        return include

    # -- runs ------------------------------------------------------------------------------------

    def _create(self, run_type: str, run_id: UUID, inputs: Any, kwargs: dict[str, Any]) -> None:
        if run_id in self._open:
            self._duplicates[run_id] = self._duplicates.get(run_id, 0) + 1
            return
        self._open.add(run_id)
        name = kwargs.get("name") or (kwargs.get("serialized") or {}).get("name") or run_type
        if self.root_id is None:
            self.root_id = run_id
            self._types[run_id] = run_type
            state: dict[str, Any] = {
                "id": str(run_id),
                "streamed_output": [],
                "final_output": None,
                "logs": {},
            }
            self.send({"op": "replace", "path": "", "value": {**state, "name": name, "type": run_type}})
            return
        tags = list(kwargs.get("tags") or ())
        if not self.include_run(name, run_type, tags):
            return
        with self._lock:
            count = self._counts[name] = self._counts.get(name, 0) + 1
            key = self._keys[run_id] = name if count == 1 else f"{name}:{count}"
        self._types[run_id] = run_type
        entry: dict[str, Any] = {
            "id": str(run_id),
            "name": name,
            "type": run_type,
            "tags": tags,
            "metadata": dict(kwargs.get("metadata") or {}),
            "start_time": _now(),
            "streamed_output": [],
            "streamed_output_str": [],
            "final_output": None,
            "end_time": None,
        }
        if self._schema_format == "streaming_events":
            entry["inputs"] = self._standard_inputs(run_type, inputs)
        self.send({"op": "add", "path": f"/logs/{key}", "value": entry})

    def _standard_inputs(self, run_type: str, inputs: dict[str, Any]) -> Any:
        if run_type in ("retriever", "llm", "chat_model"):
            return inputs
        value = inputs.get("input")
        return None if value == {"input": ""} else value  # a streamed run's input comes at its end

    def _update(self, run_id: UUID, outputs: Any, inputs: Any = None) -> None:
        duplicates = self._duplicates.get(run_id)
        if duplicates:  # the end of a duplicate: the run with this id is still open
            self._duplicates[run_id] = duplicates - 1
            return
        self._open.discard(run_id)
        key = self._keys.get(run_id)
        run_type = self._types.get(run_id, "chain")
        if key is not None:
            ops: list[dict[str, Any]] = []
            if self._schema_format == "streaming_events" and inputs is not None:
                ops.append(
                    {
                        "op": "replace",
                        "path": f"/logs/{key}/inputs",
                        "value": self._standard_inputs(run_type, inputs),
                    }
                )
            ops.append(
                {
                    "op": "add",
                    "path": f"/logs/{key}/final_output",
                    "value": self._standard_outputs(run_type, outputs),
                }
            )
            ops.append({"op": "add", "path": f"/logs/{key}/end_time", "value": _now()})
            self.send(*ops)
        if run_id == self.root_id and self.auto_close:
            self.close()

    def _standard_outputs(self, run_type: str, outputs: Any) -> Any:
        if outputs is None:
            return None
        if self._schema_format == "original":
            if run_type == "prompt" and "output" in outputs:
                return outputs["output"]
            return outputs
        if run_type in ("retriever", "llm", "chat_model"):
            return outputs
        return outputs.get("output") if isinstance(outputs, dict) else None

    def _stream(self, run_id: UUID, *ops: dict[str, Any]) -> None:
        if self._duplicates.get(run_id):
            return
        key = self._keys.get(run_id)
        if key is not None and run_id != self.root_id:
            self.send(*({**op, "path": f"/logs/{key}/{op['path']}"} for op in ops))

    # -- events ----------------------------------------------------------------------------------

    def _wrap(self, value: Any, key: str) -> dict[str, Any]:
        # langchain's tracers keep a chain's dict as is in the original schema and always wrap
        # it in the streaming-events one.
        if isinstance(value, dict) and self._schema_format == "original":
            return value
        return {key: value}

    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run_type = kwargs.get("run_type") or "chain"
        self._create(run_type, run_id, self._wrap(inputs, "input"), {**kwargs, "serialized": serialized})

    def on_chain_stream(self, chunk: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._stream(run_id, {"op": "add", "path": "streamed_output/-", "value": chunk})

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        inputs = kwargs.get("inputs")
        wrapped_inputs = None if inputs is None else self._wrap(inputs, "input")
        self._update(run_id, self._wrap(outputs, "output"), wrapped_inputs)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._update(run_id, None)

    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run_type = "chat_model" if self._schema_format == "streaming_events" else "llm"
        self._create(run_type, run_id, {"messages": messages}, {**kwargs, "serialized": serialized})

    def on_llm_start(self, serialized: Any, prompts: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._create("llm", run_id, {"prompts": prompts}, {**kwargs, "serialized": serialized})

    def on_llm_new_token(self, token: Any, *, run_id: UUID, chunk: Any = None, **kwargs: Any) -> None:
        value = chunk.message if chunk is not None and hasattr(chunk, "message") else token
        self._stream(
            run_id,
            {"op": "add", "path": "streamed_output_str/-", "value": token},
            {"op": "add", "path": "streamed_output/-", "value": value},
        )

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._update(run_id, _llm_output(response))

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._update(run_id, None)

    def on_tool_start(self, serialized: Any, input_str: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._create("tool", run_id, {"input": input_str}, {**kwargs, "serialized": serialized})

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._update(run_id, {"output": output})

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._update(run_id, None)

    def on_retriever_start(self, serialized: Any, query: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._create("retriever", run_id, {"query": query}, {**kwargs, "serialized": serialized})

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._update(run_id, {"documents": documents})

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._update(run_id, None)


async def astream_log(
    runnable: Any,
    input: Any,
    config: Any = None,
    *,
    stream: LogStreamCallbackHandler,
    diff: bool = True,
    with_streamed_output_list: bool = True,
    **kwargs: Any,
) -> AsyncIterator[Any]:
    """Stream `runnable.astream(input, config)` as RunLogPatch objects (or RunLog states with
    `diff=False`) from `stream`; see `Runnable.astream_log`."""
    jsonpatch = _jsonpatch()
    from runwire.load import dumps

    config = _with_handler(config, stream)

    async def consume() -> None:
        try:
            previous: Any = None
            final: Any = None
            async for chunk in runnable.astream(input, config, **kwargs):
                previous = final
                if final is None:
                    final = chunk
                else:
                    try:
                        final = _added(final, chunk)
                    except TypeError:
                        previous, final = None, chunk
                ops: list[dict[str, Any]] = []
                if with_streamed_output_list:
                    ops.append({"op": "add", "path": "/streamed_output/-", "value": copy.deepcopy(chunk)})
                diff_ops = jsonpatch.JsonPatch.from_diff(previous, final, dumps=dumps)
                ops.extend({**op, "path": f"/final_output{op['path']}"} for op in diff_ops)
                stream.queue.put_nowait(RunLogPatch(*ops))
        finally:
            stream.queue.put_nowait(_END)

    task = asyncio.ensure_future(consume())
    try:
        if diff:
            async for patch in stream:
                yield patch
        else:
            state: Any = RunLog(state=None)
            async for patch in stream:
                state += patch
                yield state
    finally:
        if not task.done():
            task.cancel()
        try:
            await task  # re-raises the pipeline's error, if any
        except asyncio.CancelledError:
            if not task.cancelled():
                raise
