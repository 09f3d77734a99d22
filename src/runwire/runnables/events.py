"""`astream_events(version="v2")`: every run of a streamed call as a flat stream of event dicts
(v1 is read off the run log instead, see `log_stream`).

A handler that hears every event turns each into langchain-core's v2 event shape
(`event`, `name`, `run_id`, `parent_ids` root-first, `tags`, `metadata`, `data`) and hands it
to the consumer through a queue; it sets `wants_tokens`, so chat models stream inside `invoke`
too. Events fired from other threads (sync steps run off the loop) are handed over thread-safely.
Not here: running the pipeline (it is `astream` with this handler added to the callbacks).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Sequence
from typing import Any
from uuid import UUID

from runwire.callbacks.base import BaseCallbackHandler
from runwire.callbacks.manager import CallbackManager

_END = object()
_STREAM = {kind: f"on_{kind}_stream" for kind in ("chain", "chat_model", "llm", "prompt", "parser")}


class _Filter:
    """`include_*` / `exclude_*` on names, run types and tags (langchain-core's rules)."""

    def __init__(self, **options: Sequence[str] | None) -> None:
        self.options = {k: frozenset(v) for k, v in options.items() if v is not None}
        self.active = bool(self.options)  # no option: every event is kept, nothing to check

    def keep(self, event: dict[str, Any], run_type: str) -> bool:
        options = self.options
        name, tags = event["name"], event["tags"]
        include = any(k.startswith("include") for k in options)
        keep = not include
        if "include_names" in options:
            keep = keep or name in options["include_names"]
        if "include_types" in options:
            keep = keep or run_type in options["include_types"]
        if "include_tags" in options:
            keep = keep or any(tag in options["include_tags"] for tag in tags)
        if "exclude_names" in options:
            keep = keep and name not in options["exclude_names"]
        if "exclude_types" in options:
            keep = keep and run_type not in options["exclude_types"]
        if "exclude_tags" in options:
            keep = keep and not any(tag in options["exclude_tags"] for tag in tags)
        return keep


class EventStreamHandler(BaseCallbackHandler):
    """Turns callback events into v2 stream events on an asyncio queue."""

    payloads_read_only = True  # reads what it is given, never edits it: no copies needed

    wants_tokens = True

    def __init__(
        self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[Any], event_filter: _Filter
    ) -> None:
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._queue = queue
        self._filter = event_filter
        # run id -> (name, tags, metadata, run_type, input, run id as str, parent ids root-first)
        self._runs: dict[UUID, tuple[str, list[str], dict[str, Any], str, Any, str, list[str]]] = {}
        self._parents: dict[UUID, UUID | None] = {}
        # Runs started with the id of a run still open (a user passing config["run_id"] on to
        # a child): their events are dropped, as in langchain-core, and the stream goes on.
        self._duplicates: dict[UUID, int] = {}
        self.root_id: str | None = None

    # -- plumbing --------------------------------------------------------------------------------

    def _parent_ids(self, run_id: UUID) -> list[str]:
        out: list[str] = []
        seen = {run_id}
        parent = self._parents.get(run_id)
        while parent is not None and parent not in seen:  # ids are user-settable: never loop
            seen.add(parent)
            out.append(str(parent))
            parent = self._parents.get(parent)
        out.reverse()
        return out

    def _duplicate_ends(self, run_id: UUID) -> bool:
        """True (and one fewer open duplicate) if this terminal event closes a duplicate run."""
        open_duplicates = self._duplicates.get(run_id)
        if not open_duplicates:
            return False
        if open_duplicates == 1:
            del self._duplicates[run_id]
        else:
            self._duplicates[run_id] = open_duplicates - 1
        return True

    def _send(self, event: dict[str, Any], run_type: str) -> None:
        if self._filter.active and not self._filter.keep(event, run_type):
            return
        if threading.get_ident() == self._loop_thread:
            self._queue.put_nowait(event)
        else:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, event)

    def _start(
        self, run_type: str, run_id: UUID, parent: UUID | None, kwargs: dict[str, Any], data: dict[str, Any]
    ) -> None:
        if run_id in self._runs:
            self._duplicates[run_id] = self._duplicates.get(run_id, 0) + 1
            return
        serialized = kwargs.pop("serialized", None)
        name = kwargs.get("name") or (serialized or {}).get("name") or "Unnamed"
        parent_run_id = parent
        tags = kwargs.get("tags") or []
        metadata = kwargs.get("metadata") or {}
        self._parents[run_id] = parent_run_id
        # The run's id string and its ancestors' are made once per run, not once per event.
        above = self._runs.get(parent_run_id) if parent_run_id is not None else None
        parent_ids = [*above[6], above[5]] if above is not None else self._parent_ids(run_id)
        info = (name, tags, metadata, run_type, data.get("input"), str(run_id), parent_ids)
        self._runs[run_id] = info
        if self.root_id is None:
            self.root_id = info[5]
        self._send(self._event(f"on_{run_type}_start", info, data), run_type)

    @staticmethod
    def _event(event: str, info: tuple[Any, ...], data: dict[str, Any]) -> dict[str, Any]:
        return {
            "event": event,
            "data": data,
            "name": info[0],
            "tags": info[1],
            "run_id": info[5],
            "metadata": info[2],
            "parent_ids": [*info[6]],
        }

    def _end(self, suffix: str, run_id: UUID, data: dict[str, Any]) -> None:
        if self._duplicate_ends(run_id):
            return
        info = self._runs.pop(run_id, None)
        if info is None:
            return
        if info[5] == self.root_id:
            data.pop("input", None)  # the root's input is in its first event
        self._send(self._event(f"on_{info[3]}_{suffix}", info, data), info[3])

    def _forget(self, run_id: UUID) -> None:
        if not self._duplicate_ends(run_id):
            self._runs.pop(run_id, None)

    def _chunk(self, run_id: UUID, chunk: Any) -> None:
        if run_id in self._duplicates:
            return
        info = self._runs.get(run_id)
        if info is not None:
            self._send(
                self._event(_STREAM.get(info[3]) or f"on_{info[3]}_stream", info, {"chunk": chunk}), info[3]
            )

    # -- events ----------------------------------------------------------------------------------

    def on_chain_start(
        self, serialized: Any, inputs: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        data = {} if inputs == {"input": ""} else {"input": inputs}
        self._start(
            kwargs.get("run_type") or "chain",
            run_id,
            parent_run_id,
            {**kwargs, "serialized": serialized},
            data,
        )

    def on_chain_stream(self, chunk: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._chunk(run_id, chunk)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        info = self._runs.get(run_id)
        inputs = kwargs.get("inputs", info[4] if info else None)
        self._end("end", run_id, {"output": outputs, "input": inputs if inputs is not None else {}})

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        # v2 reports no chain errors: the exception reaches the consumer. Forget the run.
        self._forget(run_id)

    def on_chat_model_start(
        self,
        serialized: Any,
        messages: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["serialized"] = serialized
        self._start("chat_model", run_id, parent_run_id, kwargs, {"input": {"messages": messages}})

    def on_llm_start(
        self, serialized: Any, prompts: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        kwargs["serialized"] = serialized
        self._start("llm", run_id, parent_run_id, kwargs, {"input": {"prompts": prompts}})

    def on_llm_new_token(self, token: Any, *, chunk: Any = None, run_id: UUID, **kwargs: Any) -> None:
        info = self._runs.get(run_id)
        if info is None:
            return
        if info[3] == "chat_model":
            if chunk is not None:
                value = chunk.message
            else:
                from runwire.messages import AIMessageChunk

                value = AIMessageChunk(content=token)
        else:
            from runwire.outputs import GenerationChunk

            value = (
                chunk if chunk is not None else GenerationChunk(text=token if isinstance(token, str) else "")
            )
        self._chunk(run_id, value)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        info = self._runs.get(run_id)
        if info is None:
            return
        output: Any = {}
        if info[3] == "chat_model":
            for generations in response.generations:
                if generations:
                    output = generations[0].message
                    break
        else:
            output = {
                "generations": [
                    [{"text": g.text, "generation_info": g.generation_info, "type": g.type} for g in gens]
                    for gens in response.generations
                ],
                "llm_output": response.llm_output,
            }
        self._end("end", run_id, {"output": output, "input": info[4]})

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._forget(run_id)

    def on_tool_start(
        self,
        serialized: Any,
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        inputs = kwargs.get("inputs")
        kwargs["serialized"] = serialized
        self._start(
            "tool", run_id, parent_run_id, kwargs, {"input": inputs if inputs is not None else input_str}
        )

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        info = self._runs.get(run_id)
        self._end("end", run_id, {"output": output, "input": info[4] if info else None})

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        info = self._runs.get(run_id)
        data: dict[str, Any] = {"error": error, "input": info[4] if info else None}
        if kwargs.get("tool_call_id") is not None:
            data["tool_call_id"] = kwargs["tool_call_id"]
        self._end("error", run_id, data)

    def on_retriever_start(
        self, serialized: Any, query: str, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        kwargs["serialized"] = serialized
        self._start("retriever", run_id, parent_run_id, kwargs, {"input": {"query": query}})

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        info = self._runs.get(run_id)
        self._end("end", run_id, {"output": documents, "input": info[4] if info else None})

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._forget(run_id)

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        event = {
            "event": "on_custom_event",
            "run_id": str(run_id),
            "name": name,
            "tags": kwargs.get("tags") or [],
            "metadata": kwargs.get("metadata") or {},
            "data": data,
            "parent_ids": self._parent_ids(run_id),
        }
        self._send(event, name)


def _with_handler(given: Any, handler: Any) -> dict[str, Any]:
    """`given` config with `handler` added to its callbacks (inherited by every run)."""
    config: dict[str, Any] = dict(given or {})
    callbacks = config.get("callbacks")
    if callbacks is None:
        config["callbacks"] = [handler]
    elif isinstance(callbacks, list | tuple):
        config["callbacks"] = [*callbacks, handler]
    elif isinstance(callbacks, CallbackManager):
        manager = callbacks.copy()
        manager.add_handler(handler, inherit=True)
        config["callbacks"] = manager
    else:
        raise TypeError(
            "config['callbacks'] must be a list of handlers or a CallbackManager, "
            f"got {type(callbacks).__name__}"
        )
    return config


async def astream_events(
    runnable: Any,
    input: Any,
    config: Any = None,
    *,
    version: str = "v2",
    include_names: Sequence[str] | None = None,
    include_types: Sequence[str] | None = None,
    include_tags: Sequence[str] | None = None,
    exclude_names: Sequence[str] | None = None,
    exclude_types: Sequence[str] | None = None,
    exclude_tags: Sequence[str] | None = None,
    **kwargs: Any,
) -> AsyncIterator[dict[str, Any]]:
    """Stream the events of `runnable.astream(input, config)`; see `Runnable.astream_events`."""
    if version == "v1":
        from runwire.runnables.events_v1 import astream_events_v1

        filters = {
            "include_names": include_names,
            "include_types": include_types,
            "include_tags": include_tags,
            "exclude_names": exclude_names,
            "exclude_types": exclude_types,
            "exclude_tags": exclude_tags,
        }
        async for item in astream_events_v1(runnable, input, config, filters, **kwargs):
            yield item
        return
    if version != "v2":
        raise NotImplementedError(f"astream_events supports version='v1' and 'v2', got {version!r}.")
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    event_filter = _Filter(
        include_names=include_names,
        include_types=include_types,
        include_tags=include_tags,
        exclude_names=exclude_names,
        exclude_types=exclude_types,
        exclude_tags=exclude_tags,
    )
    handler = EventStreamHandler(loop, queue, event_filter)
    stream = runnable.astream(input, _with_handler(config, handler), **kwargs)

    async def consume() -> None:
        try:
            async for _ in stream:
                pass
        finally:
            queue.put_nowait(_END)

    task = asyncio.ensure_future(consume())
    first = True
    try:
        while True:
            event = await queue.get()
            if event is _END:
                break
            if first and event["run_id"] == handler.root_id:
                event["data"]["input"] = input
                first = False
            yield event
    finally:
        if not task.done():
            task.cancel()
        try:
            await task  # re-raises the pipeline's error, if any
        except asyncio.CancelledError:
            if not task.cancelled():
                raise
