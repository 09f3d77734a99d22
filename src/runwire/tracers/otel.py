"""OpenTelemetry export: one span per run, GenAI semantic conventions, the runtime owns the context.

`OpenTelemetryTracer` is a handler. It starts a run's span in the start event with an explicit
parent (the span of `parent_run_id`, or the current context for a root run) and ends it in the
end or error event; it never attaches a context in a callback. The runtime calls its
`enter_run`/`exit_run` around the run's body in the task or thread that runs it, and those
attach and detach the run's span there, so spans made inside a step (an instrumented HTTP
client, a provider SDK, user code) nest under that step and no detach ever crosses contexts.
Spans of finished runs are forgotten: memory is bounded by the runs in flight.

Attributes follow the OTel GenAI conventions (see `runwire.tracers._genai`); chains are INTERNAL
spans with `runwire.*` attributes. Message content is off unless `capture_content` says
otherwise, and always goes through a `runwire.tracers.content` policy (API keys never leave).
Install with the `otel` extra. The core never imports this module; `RUNWIRE_TRACE=otel` and
`runwire.tracing("otel")` build the tracer in `runwire.tracers._otel_setup`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from uuid import UUID

try:
    from opentelemetry import context as otel_context
    from opentelemetry import propagate, trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError as _exc:
    from runwire._optional import missing

    raise missing(_exc, "OpenTelemetryTracer (runwire.tracers.otel)") from _exc

from runwire.callbacks.base import BaseCallbackHandler
from runwire.propagation import register_carrier
from runwire.tracers import _genai as g
from runwire.tracers.content import FULL, ContentPolicy, scrub_secrets, to_jsonable

__all__ = ["OpenTelemetryTracer", "capture_context", "restore_context"]

_CLIENT, _INTERNAL = SpanKind.CLIENT, SpanKind.INTERNAL
_AGENTS = frozenset({"AgentExecutor", "ToolCallingAgent"})  # chain classes that are agent runs
_now = time.perf_counter_ns
_attach, _detach = otel_context.attach, otel_context.detach
_get_current, _get_value, _set_value = (
    otel_context.get_current,
    otel_context.get_value,
    otel_context.set_value,
)
_set_span_in_context = trace.set_span_in_context


class _Run:
    """One run's open span and the context its body runs in."""

    __slots__ = ("context", "first_chunk", "span", "started")

    def __init__(self, span: Any, context: Any) -> None:
        self.span = span
        self.context = context
        self.started = 0
        self.first_chunk = False


class OpenTelemetryTracer(BaseCallbackHandler):
    """Export every run as an OpenTelemetry span (`config={"callbacks": [OpenTelemetryTracer()]}`).

    `tracer_provider`: where spans go (default: the global provider). `capture_content`: False
    (default) exports no prompts, messages, tool arguments or outputs; True exports them with
    secrets scrubbed; a `ContentPolicy` (`runwire.tracers.redacted(...)`) exports them under it.
    """

    payloads_read_only = True  # reads what it is given, never edits it: no copies needed

    def __init__(
        self,
        tracer_provider: trace.TracerProvider | None = None,
        capture_content: bool | ContentPolicy = False,
        *,
        tracer_name: str = "runwire",
    ) -> None:
        from runwire import __version__

        self._provider = tracer_provider
        self._tracer = trace.get_tracer(tracer_name, __version__, tracer_provider)
        policy = FULL if capture_content is True else capture_content
        self._policy = policy if isinstance(policy, ContentPolicy) and policy.keeps_content else None
        self._runs: dict[UUID, _Run] = {}
        self._key = otel_context.create_key("runwire_run_id")  # which run a context belongs to

    @property
    def capture_content(self) -> bool:
        return self._policy is not None

    # -- the runtime's scope hooks: same task or thread, so attach/detach always pair --------------

    def enter_run(self, run_id: UUID) -> object:
        run = self._runs.get(run_id)
        return None if run is None else _attach(run.context)

    def exit_run(self, token: Any) -> None:
        if token is not None:
            _detach(token)

    # -- spans ------------------------------------------------------------------------------------

    def _start(
        self,
        run_id: UUID,
        parent_run_id: UUID | None,
        name: str,
        kind: SpanKind,
        attributes: dict[str, Any],
        *,
        tags: list[str] | None,
        metadata: Mapping[str, Any] | None,
    ) -> _Run:
        attributes["runwire.run_id"] = str(run_id)
        if tags:
            attributes["runwire.tags"] = tags
        if metadata:
            _add_metadata(attributes, metadata)
        known = self._runs.get(parent_run_id) if parent_run_id is not None else None
        if known is None:
            parent = _get_current()  # a root run (or a parent this tracer never heard): the caller's
        else:
            parent = known.context  # explicit: the parent's span, wherever this start event fires
            current = _get_current()
            if current is not parent and _get_value(self._key, current) == parent_run_id:
                # Inside the parent's body under a span opened there (user code, an SDK): the
                # child nests under that span. The key marks contexts descending from the
                # parent's, so an ancestor's or a stranger's context never captures the child.
                parent = current
        span = self._tracer.start_span(name, parent, kind, attributes)
        run = _Run(span, _set_value(self._key, run_id, _set_span_in_context(span, parent)))
        self._runs[run_id] = run
        return run

    def _end(self, run_id: UUID, attributes: dict[str, Any] | None = None) -> None:
        run = self._runs.pop(run_id, None)
        if run is not None:
            if attributes:
                run.span.set_attributes(attributes)
            run.span.end()

    def _fail(self, run_id: UUID, error: BaseException, attributes: dict[str, Any] | None = None) -> None:
        run = self._runs.pop(run_id, None)
        if run is None:
            return
        span = run.span
        if attributes:
            span.set_attributes(attributes)
        kind = g.error_type(error)
        if isinstance(error, GeneratorExit):
            message = "the consumer stopped reading the stream before it ended"
        else:
            text = str(error)
            message = self._policy.text(text) if self._policy is not None else scrub_secrets(text)
        span.set_attribute(g.ERROR_TYPE, kind)
        span.record_exception(error, {"exception.message": message})
        span.set_status(Status(StatusCode.ERROR, f"{kind}: {message}" if message else kind))
        span.end()

    def _content(self, value: Any, field: str) -> str | None:
        """`value` as JSON text under the content policy (None when content is off)."""
        policy = self._policy
        return None if policy is None else policy.dumps(value, field)

    # -- chains (and agents) ----------------------------------------------------------------------

    def on_chain_start(
        self,
        serialized: dict[str, Any],
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "chain"
        attributes: dict[str, Any] = {"runwire.run_type": kwargs.get("run_type") or "chain"}
        ids = (serialized or {}).get("id")
        if ids and ids[-1] in _AGENTS:
            attributes[g.OPERATION] = g.INVOKE_AGENT
            attributes[g.AGENT_NAME] = name
            name = g.span_name(g.INVOKE_AGENT, name)
        if self._policy is not None:
            attributes["runwire.inputs"] = self._content(inputs, "inputs")
        self._start(run_id, parent_run_id, name, _INTERNAL, attributes, tags=tags, metadata=metadata)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if self._policy is None:
            self._end(run_id)
        else:
            self._end(run_id, {"runwire.outputs": self._content(outputs, "outputs")})

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

    # -- models -------------------------------------------------------------------------------------

    def _start_model(self, operation: str, content: Any, kwargs: dict[str, Any]) -> None:
        metadata = kwargs.get("metadata")
        attributes = g.request_attributes(operation, metadata, kwargs.get("invocation_params"))
        attributes["runwire.run_type"] = "llm"
        if content is not None:
            attributes[g.INPUT_MESSAGES] = self._content(content, "inputs")
        name = g.span_name(operation, attributes.get(g.REQUEST_MODEL))
        run = self._start(
            kwargs["run_id"],
            kwargs.get("parent_run_id"),
            name,
            _CLIENT,
            attributes,
            tags=kwargs.get("tags"),
            metadata=metadata,
        )
        run.started = _now()

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[Any]], **kwargs: Any
    ) -> None:
        flat = [m for batch in messages for m in batch] if self._policy is not None else None
        self._start_model(g.CHAT, None if flat is None else g.input_messages(flat), kwargs)

    def on_llm_start(self, serialized: dict[str, Any], prompts: list[str], **kwargs: Any) -> None:
        self._start_model(
            g.TEXT_COMPLETION, None if self._policy is None else g.prompt_messages(prompts), kwargs
        )

    def on_llm_new_token(self, token: str, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._runs.get(run_id)
        if run is not None and not run.first_chunk:
            run.first_chunk = True
            run.span.set_attributes(
                {g.REQUEST_STREAM: True, g.TIME_TO_FIRST_CHUNK: (_now() - run.started) / 1e9}
            )

    def _response(self, response: Any) -> dict[str, Any]:
        attributes = g.response_attributes(response)
        if self._policy is not None:
            attributes[g.OUTPUT_MESSAGES] = self._content(g.output_messages(response), "outputs")
        return attributes

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, self._response(response))

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        partial = kwargs.get("response")  # what a stream produced before it failed or was abandoned
        self._fail(run_id, error, g.response_attributes(partial) if partial is not None else None)

    # -- tools and retrievers -----------------------------------------------------------------------

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
        tool = kwargs.get("name") or (serialized or {}).get("name") or "tool"
        attributes: dict[str, Any] = {
            g.OPERATION: g.EXECUTE_TOOL,
            g.TOOL_NAME: tool,
            g.TOOL_TYPE: "function",
            "runwire.run_type": "tool",
        }
        description = (serialized or {}).get("description")
        if isinstance(description, str) and description:
            attributes[g.TOOL_DESCRIPTION] = description
        call_id = kwargs.get("tool_call_id")
        if isinstance(call_id, str):
            attributes[g.TOOL_CALL_ID] = call_id
        if self._policy is not None:
            attributes[g.TOOL_ARGUMENTS] = self._content(
                inputs if inputs is not None else input_str, "inputs"
            )
        name = g.span_name(g.EXECUTE_TOOL, tool)
        self._start(run_id, parent_run_id, name, _INTERNAL, attributes, tags=tags, metadata=metadata)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if self._policy is None:
            self._end(run_id)
        else:
            result = getattr(output, "content", output)  # a ToolMessage answers with its content
            self._end(run_id, {g.TOOL_RESULT: self._content(result, "outputs")})

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

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
        retriever = kwargs.get("name") or (serialized or {}).get("name") or "retriever"
        attributes: dict[str, Any] = {g.OPERATION: g.RETRIEVAL, "runwire.run_type": "retriever"}
        if self._policy is not None:
            attributes[g.RETRIEVAL_QUERY] = self._policy.text(str(query))
        name = g.span_name(g.RETRIEVAL, retriever)
        self._start(run_id, parent_run_id, name, _INTERNAL, attributes, tags=tags, metadata=metadata)

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        attributes: dict[str, Any] = {"runwire.documents.count": len(documents)}
        if self._policy is not None:
            attributes[g.RETRIEVAL_DOCUMENTS] = self._content(list(documents), "outputs")
        self._end(run_id, attributes)

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

    # -- point events -------------------------------------------------------------------------------

    def on_retry(self, retry_state: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._runs.get(run_id)
        if run is not None:
            failed = getattr(retry_state, "exception", None)
            attributes: dict[str, Any] = {"runwire.retry.attempt": getattr(retry_state, "attempt_number", 0)}
            if failed is not None:
                attributes[g.ERROR_TYPE] = g.error_type(failed)
            run.span.add_event("runwire.retry", attributes)

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._runs.get(run_id)
        if run is not None:
            attributes = {} if self._policy is None else {"runwire.data": self._content(data, "data")}
            run.span.add_event(name, attributes)

    # -- lifecycle ----------------------------------------------------------------------------------

    def flush(self, timeout_millis: int = 30_000) -> bool:
        """Export what the provider buffered (spans of finished runs); True when done in time."""
        provider = self._provider or trace.get_tracer_provider()
        force_flush = getattr(provider, "force_flush", None)
        return bool(force_flush(timeout_millis)) if callable(force_flush) else True

    def close(self) -> None:
        """Flush. The provider is the application's: it is never shut down here."""
        self.flush()

    def __repr__(self) -> str:
        return f"OpenTelemetryTracer(capture_content={self.capture_content}, open_runs={len(self._runs)})"


def _add_metadata(attributes: dict[str, Any], metadata: Mapping[str, Any]) -> None:
    """`runwire.metadata.KEY` for each metadata entry (`ls_*` keys are mapped to `gen_ai.*`
    instead); secret-named keys and key-shaped strings are scrubbed."""
    plain = {k: v for k, v in metadata.items() if not (isinstance(k, str) and k.startswith("ls_"))}
    if not plain:
        return
    for key, value in to_jsonable(plain).items():
        if isinstance(value, str | bool | int | float):
            attributes[f"runwire.metadata.{key}"] = value
        elif value is not None:
            attributes[f"runwire.metadata.{key}"] = json.dumps(
                value, ensure_ascii=False, separators=(",", ":")
            )


# -- cross-process: the W3C carrier runwire.propagation ships ----------------------------------------


def capture_context() -> dict[str, str] | None:
    """The current OTel context as a W3C carrier (`traceparent`, `tracestate`, `baggage`), through
    the global propagator; None when there is nothing to carry."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier or None


@contextmanager
def restore_context(carrier: Mapping[str, str] | None) -> Iterator[None]:
    """Make a captured carrier's context current for the block (a worker runs its chunk inside):
    root runs started there become children of the span that was current at capture time."""
    if not carrier:
        yield
        return
    token = _attach(propagate.extract(dict(carrier)))
    try:
        yield
    finally:
        _detach(token)


# Every `runwire.propagation.capture()` now carries the OTel context too, and `restore()` attaches
# it around the restored work (the worker must import this module, as it must configure OTel).
register_carrier("otel", capture_context, restore_context)
