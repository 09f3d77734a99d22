"""BaseTracer: a handler that builds a `Run` tree from callback events.

Each start event makes a `Run` under its parent (or a new root when the parent was not heard);
each end/error event completes it and calls the hooks (`_on_chain_end`, ...). When a root ends,
`_persist_run(root)` receives the whole tree and the tracer forgets it. Memory is bounded by
the runs in flight: `run_map` holds open runs only, and nothing else is keyed by run id.

Payloads are kept as the objects the runtime passed (FULL policy, as langchain) or as the
policy's JSON view (`content=redacted(...)` or `NONE`). Not here: output (see `console`) or
storage (see `sqlite`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from runwire.callbacks.base import BaseCallbackHandler
from runwire.tracers.content import FULL, ContentPolicy
from runwire.tracers.schemas import Run, dotted_order, model_from, now, usage_from_outputs, wrap


class BaseTracer(BaseCallbackHandler):
    """Builds runs; subclasses implement `_persist_run` and any `_on_*` hooks they need."""

    def __init__(self, *, content: ContentPolicy = FULL, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.content = content
        self.run_map: dict[str, Run] = {}

    # A config copy (merge of callbacks) must not fork the tracer's state.
    def __copy__(self) -> BaseTracer:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> BaseTracer:
        return self

    # -- hooks for subclasses --------------------------------------------------------------------

    def _persist_run(self, run: Run) -> None:
        """A root run ended: `run` holds the finished tree."""

    def _on_run_create(self, run: Run) -> None: ...
    def _on_run_update(self, run: Run) -> None: ...
    def _on_chain_start(self, run: Run) -> None: ...
    def _on_chain_end(self, run: Run) -> None: ...
    def _on_chain_error(self, run: Run) -> None: ...
    def _on_llm_start(self, run: Run) -> None: ...
    def _on_chat_model_start(self, run: Run) -> None: ...
    def _on_llm_new_token(self, run: Run, token: Any, chunk: Any) -> None: ...
    def _on_llm_end(self, run: Run) -> None: ...
    def _on_llm_error(self, run: Run) -> None: ...
    def _on_tool_start(self, run: Run) -> None: ...
    def _on_tool_end(self, run: Run) -> None: ...
    def _on_tool_error(self, run: Run) -> None: ...
    def _on_retriever_start(self, run: Run) -> None: ...
    def _on_retriever_end(self, run: Run) -> None: ...
    def _on_retriever_error(self, run: Run) -> None: ...

    # -- building runs ---------------------------------------------------------------------------

    def _payload(self, value: Any, field: str) -> Any:
        if self.content is FULL:
            return value
        return self.content.view(value, field)

    def _start(
        self,
        run_type: str,
        name: str,
        inputs: dict[str, Any],
        *,
        run_id: UUID,
        parent_run_id: UUID | None,
        tags: Sequence[str] | None,
        metadata: dict[str, Any] | None,
        serialized: dict[str, Any] | None,
        extra: dict[str, Any] | None = None,
    ) -> Run:
        start = now()
        parent = self.run_map.get(str(parent_run_id)) if parent_run_id is not None else None
        run_extra: dict[str, Any] = dict(extra or {})
        run_extra["metadata"] = self._payload(dict(metadata or {}), "metadata") or {}
        run = Run(
            id=run_id,
            name=name,
            run_type=run_type,
            start_time=start,
            parent_run_id=parent_run_id,
            trace_id=parent.trace_id if parent is not None else run_id,
            dotted_order=dotted_order(start, run_id, parent.dotted_order if parent else None),
            inputs=self._payload(inputs, "inputs") or {},
            tags=list(tags or ()),
            extra=run_extra,
            events=[{"name": "start", "time": start}],
            serialized=serialized,
        )
        if parent is not None:
            parent.child_runs.append(run)
        self.run_map[str(run_id)] = run
        self._on_run_create(run)
        return run

    def _end(self, run_id: UUID, outputs: Any, error: BaseException | None) -> Run | None:
        run = self.run_map.pop(str(run_id), None)
        if run is None:
            return None
        run.end_time = now()
        if error is not None:
            run.error = self.content.text(repr(error)) if self.content.keeps_content else type(error).__name__
            run.events.append({"name": "error", "time": run.end_time})
        else:
            run.outputs = self._payload(outputs, "outputs")
            run.events.append({"name": "end", "time": run.end_time})
        self._on_run_update(run)
        return run

    def _finish(self, run: Run) -> None:
        if run.trace_id == run.id:
            self._persist_run(run)  # the tree now belongs to whoever persisted it

    # -- chain -----------------------------------------------------------------------------------

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "chain"
        run_type = kwargs.get("run_type") or "chain"
        run = self._start(
            run_type,
            name,
            wrap(inputs, "input"),
            run_id=run_id,
            parent_run_id=parent_run_id,
            tags=tags,
            metadata=metadata,
            serialized=serialized,
        )
        self._on_chain_start(run)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._end(run_id, wrap(outputs, "output"), None)
        if run is not None:
            self._on_chain_end(run)
            self._finish(run)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._end(run_id, None, error)
        if run is not None:
            self._on_chain_error(run)
            self._finish(run)

    # -- models ----------------------------------------------------------------------------------

    def _llm_start(
        self, serialized: dict[str, Any] | None, inputs: dict[str, Any], run_id: UUID, kwargs: dict[str, Any]
    ) -> Run:
        name = kwargs.get("name") or (serialized or {}).get("name") or "llm"
        extra = {"invocation_params": kwargs.get("invocation_params") or {}, "batch_size": 1}
        if kwargs.get("options") is not None:
            extra["options"] = kwargs["options"]
        if self.content is not FULL:
            extra = {k: self.content.view(v, k) for k, v in extra.items()}
        return self._start(
            "llm",
            name,
            inputs,
            run_id=run_id,
            parent_run_id=kwargs.get("parent_run_id"),
            tags=kwargs.get("tags"),
            metadata=kwargs.get("metadata"),
            serialized=serialized,
            extra=extra,
        )

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[Any]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        run = self._llm_start(serialized, {"messages": messages}, run_id, kwargs)
        self._on_chat_model_start(run)

    def on_llm_start(
        self, serialized: dict[str, Any], prompts: list[str], *, run_id: UUID, **kwargs: Any
    ) -> None:
        run = self._llm_start(serialized, {"prompts": prompts}, run_id, kwargs)
        self._on_llm_start(run)

    def on_llm_new_token(self, token: Any, *, run_id: UUID, chunk: Any = None, **kwargs: Any) -> None:
        run = self.run_map.get(str(run_id))
        if run is None:
            return
        kept = self._payload({"token": token}, "events") if self.content.keeps_content else {}
        run.events.append({"name": "new_token", "time": now(), "kwargs": kept})
        self._on_llm_new_token(run, token, chunk)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self.run_map.get(str(run_id))
        if run is not None:
            # Usage and model are structure, not content: kept whatever the policy.
            usage = usage_from_outputs(response)
            if usage:
                run.extra["usage"] = usage
            model = model_from(response, run.extra.get("invocation_params"), run.extra.get("metadata"))
            if model:
                run.extra["model"] = model
        dump = getattr(response, "model_dump", None)
        run = self._end(run_id, dump() if callable(dump) else response, None)
        if run is not None:
            self._on_llm_end(run)
            self._finish(run)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._end(run_id, None, error)
        if run is not None:
            self._on_llm_error(run)
            self._finish(run)

    # -- tools and retrievers --------------------------------------------------------------------

    def on_tool_start(
        self,
        serialized: dict[str, Any],
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "tool"
        run = self._start(
            "tool",
            name,
            {"input": input_str},
            run_id=run_id,
            parent_run_id=parent_run_id,
            tags=tags,
            metadata=metadata,
            serialized=serialized,
        )
        self._on_tool_start(run)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._end(run_id, {"output": output}, None)
        if run is not None:
            self._on_tool_end(run)
            self._finish(run)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._end(run_id, None, error)
        if run is not None:
            self._on_tool_error(run)
            self._finish(run)

    def on_retriever_start(
        self,
        serialized: dict[str, Any],
        query: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "retriever"
        run = self._start(
            "retriever",
            name,
            {"query": query},
            run_id=run_id,
            parent_run_id=parent_run_id,
            tags=tags,
            metadata=metadata,
            serialized=serialized,
        )
        self._on_retriever_start(run)

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._end(run_id, {"documents": documents}, None)
        if run is not None:
            self._on_retriever_end(run)
            self._finish(run)

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._end(run_id, None, error)
        if run is not None:
            self._on_retriever_error(run)
            self._finish(run)

    # -- events on open runs ---------------------------------------------------------------------

    def _event(self, run_id: UUID, name: str, data: dict[str, Any]) -> None:
        run = self.run_map.get(str(run_id))
        if run is not None:
            kept = self._payload(data, "events") if self.content.keeps_content else {}
            run.events.append({"name": name, "time": now(), "kwargs": kept})

    def on_retry(self, retry_state: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._event(run_id, "retry", retry_info(retry_state))

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._event(run_id, "custom", {"name": name, "data": data})

    def on_text(self, text: str, *, run_id: UUID, **kwargs: Any) -> None:
        self._event(run_id, "text", {"text": text})


def retry_info(retry_state: Any) -> dict[str, Any]:
    """What a retry event records: the attempt, its error and the wait before the next."""
    error = getattr(retry_state, "exception", None)
    if error is None:
        outcome = getattr(retry_state, "outcome", None)
        error = outcome.exception() if outcome is not None and hasattr(outcome, "exception") else None
    return {
        "attempt": getattr(retry_state, "attempt_number", None),
        "error": repr(error) if error is not None else None,
        "next_sleep": getattr(retry_state, "next_sleep", None),
    }
