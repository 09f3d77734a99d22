"""`Run`: one run of a trace tree, as tracers build it and the trace store returns it.

A slotted dataclass with langchain's field names (`id`, `name`, `run_type`, `parent_run_id`,
`trace_id`, `dotted_order`, `start_time`, `end_time`, `inputs`, `outputs`, `error`, `tags`,
`extra`, `events`, `child_runs`, `serialized`): no langsmith, no pydantic. Inputs and outputs
that are not dicts are wrapped as `{"input": x}` / `{"output": y}`, as in langchain.
Not here: building runs from events (`base.BaseTracer`) or storing them (`sqlite`, `store`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID


@dataclass(slots=True, eq=False)
class Run:
    """One run and, through `child_runs`, its subtree."""

    id: UUID
    name: str
    run_type: str
    start_time: datetime
    parent_run_id: UUID | None = None
    trace_id: UUID | None = None
    dotted_order: str = ""
    end_time: datetime | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] | None = None
    error: str | None = None
    tags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    child_runs: list[Run] = field(default_factory=list)
    serialized: dict[str, Any] | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        """The run's metadata (kept in `extra["metadata"]`, as langchain does)."""
        found: dict[str, Any] = self.extra.setdefault("metadata", {})
        return found

    @property
    def status(self) -> str:
        """`error`, `ok`, or `running` (no terminal event recorded)."""
        if self.error is not None:
            return "error"
        return "ok" if self.end_time is not None else "running"

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, or None while running."""
        if self.end_time is None:
            return None
        return (self.end_time - self.start_time).total_seconds()

    @property
    def usage(self) -> dict[str, int] | None:
        """Token usage of a model run: recorded, or summed from its messages' usage_metadata."""
        recorded = self.extra.get("usage")
        if recorded is not None:
            return dict(recorded)
        return usage_from_outputs(self.outputs)

    @property
    def model(self) -> str | None:
        """The model name of a model run, when the provider or the parameters named one."""
        recorded = self.extra.get("model")
        if isinstance(recorded, str):
            return recorded
        return model_from(self.outputs, self.extra.get("invocation_params"), self.metadata)

    def walk(self) -> Iterator[Run]:
        """This run and every descendant, depth first in start order."""
        stack = [self]
        while stack:
            run = stack.pop()
            yield run
            stack.extend(reversed(run.child_runs))


def wrap(value: Any, key: str) -> dict[str, Any]:
    """langchain's shape for run inputs/outputs: dicts as they are, anything else under `key`."""
    return value if isinstance(value, dict) else {key: value}


def now() -> datetime:
    return datetime.now(UTC)


def dotted_order(start: datetime, run_id: UUID, parent: str | None) -> str:
    """`<start>Z<run_id>`, appended to the parent's (sorts a trace in start order)."""
    own = f"{start:%Y%m%dT%H%M%S%f}Z{run_id}"
    return f"{parent}.{own}" if parent else own


def _generations(outputs: Any) -> Iterator[Any]:
    generations = None
    if isinstance(outputs, dict):
        generations = outputs.get("generations")
    else:
        generations = getattr(outputs, "generations", None)
    for group in generations or ():
        yield from group or ()


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def usage_from_outputs(outputs: Any) -> dict[str, int] | None:
    """Summed `usage_metadata` of the messages in an LLMResult (object or dumped dict)."""
    total: dict[str, int] = {}
    for generation in _generations(outputs):
        usage = _get(_get(generation, "message"), "usage_metadata")
        if isinstance(usage, dict):
            for key in ("input_tokens", "output_tokens", "total_tokens"):
                value = usage.get(key)
                if isinstance(value, int):
                    total[key] = total.get(key, 0) + value
    return total or None


def model_from(outputs: Any, invocation_params: Any, metadata: Any) -> str | None:
    """The model name: from the response metadata, else the invocation params, else `ls_model_name`."""
    for generation in _generations(outputs):
        response = _get(_get(generation, "message"), "response_metadata")
        if isinstance(response, dict):
            name = response.get("model_name") or response.get("model")
            if isinstance(name, str):
                return name
    for source, keys in ((invocation_params, ("model_name", "model")), (metadata, ("ls_model_name",))):
        if isinstance(source, dict):
            for key in keys:
                if isinstance(source.get(key), str):
                    return str(source[key])
    return None
