"""Record and replay: re-run a recorded trace with chat-model replies served from the recording.

`replay_from(source, run_id)` loads the model calls of a recorded run (from a trace store file,
a `json`/`jsonl` export, a `Run` tree or a `collect_runs()` collector) and, inside its `with`
block, makes every chat model return the recorded replies instead of being called. A call is
matched by its position in the run tree: the path of run names and step tags (`seq:step:2`,
`map:key:k`) from the root to the call, never by a display name alone, so two models in one
chain each get their own replies (repeated calls on one path, as in an agent loop, are served
in recorded order). A live run started below the recorded root (a model invoked on its own)
matches the recorded calls whose path ends with its own, and a recorded chain replayed inside
another run matches by the end of the live path. With `strict=True` (the default) a
call the recording cannot answer raises `ReplayError` rather than reaching the model; with
`strict=False` the model is called. Calls whose messages differ from the recorded ones are
still answered and listed in `divergences`, so a changed prompt shows where the run went
another way.

The hook is a ContextVar the chat model base consults only while a replay is open (see
`runwire.language_models._replay`); while it is open a small handler tracks the live run tree.
Traces are JSON: nothing is unpickled.
Not here: tool outputs (replayed once tools record their runs the same way).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from runwire.language_models import _replay
from runwire.tracers.schemas import Run


class ReplayError(RuntimeError):
    """The recording cannot answer a model call (or holds no replayable content)."""


def revive(value: Any) -> Any:
    """JSON data back to objects where it holds messages (`{"type": "human", "content": ...}`)."""
    from runwire.messages import BaseMessage, _message_from_dict, message_chunk_to_message

    if isinstance(value, list):
        return [revive(item) for item in value]
    if isinstance(value, dict):
        kind = value.get("type")
        if isinstance(kind, str) and "content" in value:
            try:
                message: BaseMessage = _message_from_dict({"type": kind, "data": value})
            except (ValueError, TypeError):
                pass
            else:
                return message_chunk_to_message(message)
        return {key: revive(item) for key, item in value.items()}
    return value


Step = tuple[str, str]
"""One level of a run-tree path: the run's name and its step tag (`seq:step:2`, or "")."""

_STEP_TAGS = ("seq:step:", "map:key:")


def step_of(name: str, tags: Iterable[str] | None) -> Step:
    """The path element of a run named `name` with these tags."""
    return name, next((t for t in tags or () if t.startswith(_STEP_TAGS)), "")


class _Call:
    __slots__ = ("messages", "name", "outputs", "path")

    def __init__(self, path: tuple[Step, ...], messages: Any, outputs: Any) -> None:
        self.path = path
        self.name = path[-1][0]
        self.messages = messages
        self.outputs = outputs

    def matches(self, live: tuple[Step, ...]) -> bool:
        """Whether a live call at path `live` is this recorded call: one path ends with the
        other (a model invoked on its own, or the recorded chain invoked inside another run),
        where the shorter path's root is compared by name only (a root has no step tag), and
        not at all when both are roots (a run name given at invoke time)."""
        short, long = (live, self.path) if len(live) <= len(self.path) else (self.path, live)
        if long[len(long) - len(short) + 1 :] != short[1:]:
            return False
        return len(short) == len(long) or long[len(long) - len(short)][0] == short[0][0]


def _paths(nodes: Iterable[tuple[str, str | None, str, list[str]]]) -> dict[str, tuple[Step, ...]]:
    """Tree paths of (id, parent id, name, tags) in start order; the first is the root."""
    paths: dict[str, tuple[Step, ...]] = {}
    for run_id, parent, name, tags in nodes:
        paths[run_id] = (*paths.get(parent or "", ()), step_of(name, tags))
    return paths


def _messages(inputs: Any) -> Any:
    """A recorded model call's messages; None when a hand-edited store has something else."""
    return inputs.get("messages") if isinstance(inputs, dict) else None


class Recording:
    """The model calls of one recorded run, in start order, and the run's own input."""

    def __init__(self, calls: Iterable[_Call], root_input: Any = None, root_output: Any = None) -> None:
        self.calls = list(calls)
        self.root_input = root_input
        self.root_output = root_output

    @classmethod
    def from_run(cls, run: Run) -> Recording:
        runs = list(run.walk())
        parents = {id(child): str(r.id) for r in runs for child in r.child_runs}
        paths = _paths(
            (str(r.id), parents.get(id(r)) if r is not run else None, r.name, r.tags) for r in runs
        )
        calls = [
            _Call(paths[str(r.id)], _messages(r.inputs), r.outputs)
            for r in runs
            if r.run_type == "llm" and r.status == "ok"
        ]
        return cls(calls, revive(_unwrap(run.inputs, "input")), _unwrap(run.outputs, "output"))

    @classmethod
    def from_records(cls, records: Sequence[dict[str, Any]]) -> Recording:
        """From store/`jsonl` records (root first, in start order)."""
        if not records:
            raise ReplayError("the recording holds no runs")
        root = records[0]["id"]
        paths = _paths(
            (r["id"], r.get("parent_id") if r["id"] != root else None, r["name"], r.get("tags") or [])
            for r in records
        )
        calls = [
            _Call(paths[r["id"]], _messages(r.get("inputs")), r.get("outputs"))
            for r in records
            if r["run_type"] == "llm" and r.get("status", "ok") == "ok"
        ]
        return cls(calls, revive(records[0].get("inputs")), records[0].get("outputs"))

    def __len__(self) -> int:
        return len(self.calls)


def _unwrap(value: Any, key: str) -> Any:
    # A Run wraps a non-dict payload as {key: payload}; the recorded call took the payload.
    return value[key] if isinstance(value, dict) and set(value) == {key} else value


def _flatten(tree: dict[str, Any]) -> list[dict[str, Any]]:
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(node.get("child_runs") or ()))
    return found


def load_recording(source: Any, run_id: str | None = None) -> Recording:
    """A `Recording` from a store path, an export file, a `Run`, runs, or a collector."""
    if isinstance(source, Recording):
        return source
    if isinstance(source, Run):
        return Recording.from_run(source)
    runs = getattr(source, "traced_runs", source)
    if isinstance(runs, list) and all(isinstance(r, Run) for r in runs):
        for run in runs:
            for node in run.walk():
                if run_id is None or str(node.id).startswith(str(run_id)):
                    return Recording.from_run(node)
        raise ReplayError(f"no collected run matches {run_id!r}")
    if isinstance(source, dict):
        return Recording.from_records(_flatten(source))
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.suffix in (".json", ".jsonl"):
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".jsonl":
                records = [json.loads(line) for line in text.splitlines() if line.strip()]
            else:
                records = _flatten(json.loads(text))
            return Recording.from_records(records)
        from runwire.tracers.store import TraceStore

        with TraceStore(path) as store:
            return Recording.from_records(store.records(store.resolve(run_id or "latest")))
    raise TypeError(
        f"replay_from takes a trace store path, a .json/.jsonl export, a Run or a run collector; "
        f"got {type(source).__name__}"
    )


def _buffer(messages: Any) -> str:
    from runwire.messages import get_buffer_string

    if messages and isinstance(messages[0], list):
        messages = messages[0]
    try:
        return get_buffer_string(revive(list(messages or ())))
    except Exception:
        return repr(messages)


class _TreeTracker:
    """A handler (scoped to the replay) that keeps each open run's parent and path step, so a
    model call can be placed in the live run tree. Only open runs are kept."""

    payloads_read_only = True
    raise_error = False
    run_inline = True

    def __init__(self) -> None:
        self.open: dict[int, tuple[int | None, Step]] = {}

    def path(self, run_id: Any) -> tuple[Step, ...] | None:
        steps: list[Step] = []
        key: int | None = run_id.int
        while key is not None:
            found = self.open.get(key)
            if found is None:
                return None if not steps else tuple(reversed(steps))
            key, step = found
            steps.append(step)
        return tuple(reversed(steps))

    def _start(self, serialized: Any, kwargs: dict[str, Any], default: str) -> None:
        parent = kwargs.get("parent_run_id")
        name = kwargs.get("name") or (serialized or {}).get("name") or default
        self.open[kwargs["run_id"].int] = (
            None if parent is None else parent.int,
            step_of(name, kwargs.get("tags")),
        )

    def _end(self, *args: Any, **kwargs: Any) -> None:
        self.open.pop(kwargs["run_id"].int, None)

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self._start(serialized, kwargs, "chain")

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self._start(serialized, kwargs, "chat_model")

    def on_llm_start(self, serialized: Any, prompts: Any, **kwargs: Any) -> None:
        self._start(serialized, kwargs, "llm")

    def on_tool_start(self, serialized: Any, input_str: Any, **kwargs: Any) -> None:
        self._start(serialized, kwargs, "tool")

    def on_retriever_start(self, serialized: Any, query: Any, **kwargs: Any) -> None:
        self._start(serialized, kwargs, "retriever")

    on_chain_end = on_chain_error = on_llm_end = on_llm_error = _end
    on_tool_end = on_tool_error = on_retriever_end = on_retriever_error = _end


class Replay:
    """Serves recorded replies to chat models inside `with`; see `replay_from`."""

    def __init__(self, recording: Recording, *, strict: bool = True) -> None:
        self.recording = recording
        self.strict = strict
        self.served = 0
        self.divergences: list[str] = []
        self._next = [False] * len(recording.calls)
        self._lock = threading.Lock()
        self._tokens: list[Any] = []
        self._tracker = _TreeTracker()

    @property
    def remaining(self) -> int:
        """Recorded calls not served yet."""
        return len(self._next) - self.served

    def _live_path(self, model: Any) -> tuple[Step, ...]:
        from runwire.callbacks.context import get_current_run

        run = get_current_run()
        path = None if run is None else self._tracker.path(run.run_id)
        return path or ((model.get_name(), ""),)

    def next_result(self, model: Any, messages: list[Any]) -> Any:
        live = self._live_path(model)
        name = live[-1][0]
        calls = self.recording.calls
        with self._lock:
            index = next((i for i, c in enumerate(calls) if not self._next[i] and c.matches(live)), None)
            if index is None:
                if not self.strict:
                    return None
                where = " > ".join(n + (f" ({s})" if s else "") for n, s in live)
                recorded = sorted({" > ".join(n for n, _ in c.path) for c in calls})
                raise ReplayError(
                    f"the recording has no unserved reply for {name!r} at {where} (it recorded calls at "
                    f"{recorded}, {self.served} served): the replayed run made a call the recorded one "
                    "did not. Replay with strict=False (CLI: --no-strict) to call the model instead."
                )
            self._next[index] = True
            self.served += 1
        call = calls[index]
        recorded_text, now = _buffer(call.messages), _buffer(messages)
        if call.messages is not None and recorded_text != now:
            self.divergences.append(
                f"call {index + 1} to {call.name}: recorded {recorded_text!r}, replayed {now!r}"
            )
        return _chat_result(call, call.name)

    def run(self, runnable: Any, input: Any = None, config: Any = None) -> Any:
        """Invoke `runnable` under this replay, with the recorded input unless one is given."""
        with self:
            return runnable.invoke(self.recording.root_input if input is None else input, config)

    def __enter__(self) -> Replay:
        from runwire.callbacks.context import scoped_handlers

        self._tokens.append(
            (_replay.enter(self), scoped_handlers.set((*scoped_handlers.get(), self._tracker)))
        )
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        from runwire.callbacks.context import scoped_handlers

        replay_token, scoped_token = self._tokens.pop()
        scoped_handlers.reset(scoped_token)
        _replay.leave(replay_token)


def _chat_result(call: _Call, name: str) -> Any:
    from runwire.messages import AIMessage
    from runwire.outputs import ChatGeneration, ChatResult

    outputs = call.outputs if isinstance(call.outputs, dict) else {}
    generations = []
    for group in outputs.get("generations") or ():
        for generation in group or ():
            message = revive(generation.get("message")) if isinstance(generation, dict) else None
            if not isinstance(message, AIMessage):
                message = AIMessage(
                    content=generation.get("text", "") if isinstance(generation, dict) else ""
                )
            generations.append(
                ChatGeneration(message=message, generation_info=generation.get("generation_info"))
            )
    if not generations:
        raise ReplayError(
            f"the recorded call to {name} holds no reply (recorded with content policy 'none'?); "
            "replay needs a trace recorded with full or redacted content"
        )
    return ChatResult(generations=generations, llm_output=outputs.get("llm_output"))


def replay_from(source: Any, run_id: str | None = None, *, strict: bool = True) -> Replay:
    """Replay the model calls of a recorded run: `with replay_from("traces.db", run_id): chain.invoke(x)`.

    `source`: a trace store path (run id or prefix; default the latest trace), a `.json`/`.jsonl`
    export, a `Run`, a list of runs or a `collect_runs()` collector.
    """
    return Replay(load_recording(source, run_id), strict=strict)
