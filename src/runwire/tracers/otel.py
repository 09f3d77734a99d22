"""OpenTelemetry export: one span per run, GenAI semantic conventions, the runtime owns the context.

`OpenTelemetryTracer` is a handler. It starts a run's span in the start event with an explicit
parent (the span of `parent_run_id`, or the current context for a root run) and ends it in the
end or error event; it never attaches a context in a callback. The runtime calls its
`enter_run`/`exit_run` around the run's body in the task or thread that runs it, and those
attach and detach the run's span there, so spans made inside a step (an instrumented HTTP
client, a provider SDK, user code) nest under that step and no detach ever crosses contexts.
Spans of finished runs are forgotten: memory is bounded by the runs in flight. `exclude_types`
leaves some run types out (their children nest under the nearest traced ancestor): the SDK's
own work per span is most of what tracing costs.

Attributes follow the OTel GenAI conventions (see `runwire.tracers._genai`); chains are INTERNAL
spans with `runwire.*` attributes. Message content is off unless `capture_content` says
otherwise, and always goes through a `runwire.tracers.content` policy (API keys never leave).
Install with the `otel` extra. The core never imports this module; `RUNWIRE_TRACE=otel` and
`runwire.tracing("otel")` build the tracer in `runwire.tracers._otel_setup`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

try:
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError as _exc:
    from runwire._optional import missing

    raise missing(_exc, "OpenTelemetryTracer (runwire.tracers.otel)") from _exc

from runwire.callbacks.base import BaseCallbackHandler
from runwire.tracers import _genai as g
from runwire.tracers._otel_carrier import capture_context, restore_context
from runwire.tracers.content import FULL, ContentPolicy, scrub_secrets, to_jsonable

__all__ = ["OpenTelemetryTracer", "capture_context", "restore_context"]

_CLIENT, _INTERNAL = SpanKind.CLIENT, SpanKind.INTERNAL
_AGENTS = frozenset({"AgentExecutor", "ToolCallingAgent"})  # chain classes that are agent runs
_now = time.perf_counter_ns
_attach, _detach = otel_context.attach, otel_context.detach
_get_current = otel_context.get_current
_Context = otel_context.Context
# The key under which a context holds its span, found through the public API once, so a run's
# context is built as one dict (parent + span + run id) instead of two `set_value` copies.
_SPAN_KEY = next(iter(trace.set_span_in_context(trace.INVALID_SPAN, _Context())))
# The run types `exclude_types` takes: astream_events' vocabulary.
RUN_TYPES = frozenset({"chain", "prompt", "parser", "chat_model", "llm", "tool", "retriever"})


_NO_ANCESTOR: tuple[None, None] = (None, None)


def _run_types(exclude: Iterable[str]) -> frozenset[str]:
    """`exclude_types`, checked: a collection of known run types."""
    if isinstance(exclude, str):
        raise TypeError(
            f"exclude_types takes a collection of run types, got the string {exclude!r}; "
            f"write exclude_types=({exclude!r},)"
        )
    types = frozenset(exclude)
    unknown = sorted(types - RUN_TYPES)
    if unknown:
        raise ValueError(
            f"exclude_types: unknown run type(s) {', '.join(map(repr, unknown))}; "
            f"expected some of {', '.join(sorted(RUN_TYPES))}"
        )
    return types


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
    Content is serialised only for spans the sampler records.
    `exclude_types`: run types that get no span (astream_events' names: "chain", "prompt",
    "parser", "chat_model", "llm", "tool", "retriever"), e.g. `("prompt", "parser")` for half
    the spans of a prompt | model | parser chain; what runs inside an excluded run nests under
    its nearest traced ancestor, and its events (retries, custom events) are not recorded.
    """

    payloads_read_only = True  # reads what it is given, never edits it: no copies needed

    def __init__(
        self,
        tracer_provider: trace.TracerProvider | None = None,
        capture_content: bool | ContentPolicy = False,
        *,
        tracer_name: str = "runwire",
        exclude_types: Iterable[str] = (),
    ) -> None:
        from runwire import __version__

        self._provider = tracer_provider
        self._tracer = trace.get_tracer(tracer_name, __version__, tracer_provider)
        policy = FULL if capture_content is True else capture_content
        self._policy = policy if isinstance(policy, ContentPolicy) and policy.keeps_content else None
        self._exclude = _run_types(exclude_types)
        self._runs: dict[UUID, _Run] = {}
        # excluded runs in flight -> (id, run) of their nearest traced ancestor (absent: none)
        self._hidden: dict[UUID, tuple[UUID, _Run]] = {}
        self._key = otel_context.create_key("runwire_run_id")  # which run a context belongs to

    @property
    def capture_content(self) -> bool:
        return self._policy is not None

    @property
    def exclude_types(self) -> frozenset[str]:
        return self._exclude

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
        known = owner = None
        if parent_run_id is not None:
            known = self._runs.get(parent_run_id)
            if known is not None:
                owner = parent_run_id
            elif self._hidden:
                owner, known = self._hidden.get(parent_run_id, _NO_ANCESTOR)
        if known is None:
            parent = _get_current()  # a root run (or a parent this tracer never heard): the caller's
        else:
            parent = known.context  # explicit: the parent's span, wherever this start event fires
            current = _get_current()
            if current is not parent and current.get(self._key) == owner:
                # Inside the parent's body under a span opened there (user code, an SDK): the
                # child nests under that span. The key marks contexts descending from the
                # parent's, so an ancestor's or a stranger's context never captures the child.
                parent = current
        span = self._tracer.start_span(name, parent, kind, attributes)
        run = _Run(span, _Context({**parent, _SPAN_KEY: span, self._key: run_id}))
        self._runs[run_id] = run
        return run

    def _hide(self, run_id: UUID, parent_run_id: UUID | None) -> None:
        """An excluded run: no span; its children will look up its nearest traced ancestor."""
        if parent_run_id is None:
            return
        known = self._runs.get(parent_run_id)
        if known is not None:
            self._hidden[run_id] = (parent_run_id, known)
        elif (found := self._hidden.get(parent_run_id)) is not None:
            self._hidden[run_id] = found

    def _pop(self, run_id: UUID) -> Any:
        """The span of a run that ends (None: excluded, or never heard); the run is forgotten."""
        run = self._runs.pop(run_id, None)
        if run is None:
            if self._hidden:
                self._hidden.pop(run_id, None)
            return None
        return run.span

    def _fail(self, run_id: UUID, error: BaseException, partial: Any = None) -> None:
        span = self._pop(run_id)
        if span is None:
            return
        if not span.is_recording():
            span.end()
            return
        if partial is not None:  # what a stream produced before it failed or was abandoned
            span.set_attributes(g.response_attributes(partial))
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

    def _end_with_content(self, run_id: UUID, key: str, value: Any) -> None:
        """End a run's span; with content on and the span recorded, `key` holds `value` as JSON."""
        span = self._pop(run_id)
        if span is not None:
            if self._policy is not None and span.is_recording():
                span.set_attribute(key, self._content(value, "outputs"))
            span.end()

    def _add_content(self, run: _Run, key: str, value: Any, field: str) -> None:
        """Content set after the span started, and only on a recorded span: a sampled-out run
        costs no serialisation (and samplers never see content)."""
        span = run.span
        if span.is_recording():
            span.set_attribute(key, self._content(value, field))

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
        run_type = kwargs.get("run_type") or "chain"
        if run_type in self._exclude:
            self._hide(run_id, parent_run_id)
            return
        name = kwargs.get("name") or (serialized or {}).get("name") or "chain"
        attributes: dict[str, Any] = {"runwire.run_type": run_type}
        ids = (serialized or {}).get("id")
        if ids and ids[-1] in _AGENTS:
            attributes[g.OPERATION] = g.INVOKE_AGENT
            attributes[g.AGENT_NAME] = name
            name = g.span_name(g.INVOKE_AGENT, name)
        run = self._start(run_id, parent_run_id, name, _INTERNAL, attributes, tags=tags, metadata=metadata)
        if self._policy is not None:
            self._add_content(run, "runwire.inputs", inputs, "inputs")

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._end_with_content(run_id, "runwire.outputs", outputs)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error)

    # -- models -------------------------------------------------------------------------------------

    def _start_model(self, operation: str, kwargs: dict[str, Any]) -> _Run:
        metadata = kwargs.get("metadata")
        attributes = g.request_attributes(operation, metadata, kwargs.get("invocation_params"))
        attributes["runwire.run_type"] = "llm"
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
        return run

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[Any]], **kwargs: Any
    ) -> None:
        if "chat_model" in self._exclude:
            self._hide(kwargs["run_id"], kwargs.get("parent_run_id"))
            return
        run = self._start_model(g.CHAT, kwargs)
        if self._policy is not None and run.span.is_recording():
            flat = g.input_messages([m for batch in messages for m in batch])
            run.span.set_attribute(g.INPUT_MESSAGES, self._content(flat, "inputs"))

    def on_llm_start(self, serialized: dict[str, Any], prompts: list[str], **kwargs: Any) -> None:
        if "llm" in self._exclude:
            self._hide(kwargs["run_id"], kwargs.get("parent_run_id"))
            return
        run = self._start_model(g.TEXT_COMPLETION, kwargs)
        if self._policy is not None:
            self._add_content(run, g.INPUT_MESSAGES, g.prompt_messages(prompts), "inputs")

    def on_llm_new_token(self, token: str, *, run_id: UUID, **kwargs: Any) -> None:
        run = self._runs.get(run_id)
        if run is not None and not run.first_chunk:
            run.first_chunk = True
            run.span.set_attributes(
                {g.REQUEST_STREAM: True, g.TIME_TO_FIRST_CHUNK: (_now() - run.started) / 1e9}
            )

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        span = self._pop(run_id)
        if span is None:
            return
        if span.is_recording():  # a sampled-out span: nothing to read off the response
            attributes = g.response_attributes(response)
            if self._policy is not None:
                attributes[g.OUTPUT_MESSAGES] = self._content(g.output_messages(response), "outputs")
            if attributes:
                span.set_attributes(attributes)
        span.end()

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._fail(run_id, error, kwargs.get("response"))

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
        if "tool" in self._exclude:
            self._hide(run_id, parent_run_id)
            return
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
        name = g.span_name(g.EXECUTE_TOOL, tool)
        run = self._start(run_id, parent_run_id, name, _INTERNAL, attributes, tags=tags, metadata=metadata)
        if self._policy is not None:
            arguments = inputs if inputs is not None else input_str
            self._add_content(run, g.TOOL_ARGUMENTS, arguments, "inputs")

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        # a ToolMessage answers with its content
        self._end_with_content(run_id, g.TOOL_RESULT, getattr(output, "content", output))

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
        if "retriever" in self._exclude:
            self._hide(run_id, parent_run_id)
            return
        retriever = kwargs.get("name") or (serialized or {}).get("name") or "retriever"
        attributes: dict[str, Any] = {g.OPERATION: g.RETRIEVAL, "runwire.run_type": "retriever"}
        name = g.span_name(g.RETRIEVAL, retriever)
        run = self._start(run_id, parent_run_id, name, _INTERNAL, attributes, tags=tags, metadata=metadata)
        if self._policy is not None and run.span.is_recording():
            run.span.set_attribute(g.RETRIEVAL_QUERY, self._policy.text(str(query)))

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kwargs: Any) -> None:
        span = self._pop(run_id)
        if span is None:
            return
        if span.is_recording():
            attributes: dict[str, Any] = {"runwire.documents.count": len(documents)}
            if self._policy is not None:
                attributes[g.RETRIEVAL_DOCUMENTS] = self._content(list(documents), "outputs")
            span.set_attributes(attributes)
        span.end()

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
