"""Run managers: one open run (id, parent, handlers, tags, metadata) and its events.

Every run fires exactly one terminal event (`finish` / `finish_error` are idempotent); start
events that a handler re-raises close the run with that error first. Sync and async twins share
one state layout. Not here: deciding whether a run opens at all (see `manager.open_run`).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, ClassVar
from uuid import UUID

from runwire.callbacks import handler_loop
from runwire.callbacks.attach import CallbackManager
from runwire.callbacks.calling import (
    _ABSENT,
    acall_handlers,
    call_handlers,
    deliver,
    deliver_one,
    deliver_start,
    deliver_token,
)
from runwire.callbacks.context import (
    _LC_CONFIG,
    _modules,
    _Scoped,
    enter_run,
    exit_run,
    new_run_id,
    run_message_id,
)
from runwire.callbacks.context import current_run as _current_run
from runwire.callbacks.dispatch import EMPTY, Dispatch

_new = object.__new__
_NO_TAGS: tuple[str, ...] = ()
_NO_METADATA: dict[str, Any] = {}  # shared and never mutated: handlers get copies


deferred_barrier: ContextVar[bool] = ContextVar("runwire_deferred_barrier", default=False)
"""Set by a sync batch: its root runs leave waiting for posted async-handler events to the
batch, which waits once at its end instead of once per input."""


def _barrier() -> None:
    """A root run ended: wait for the async-handler events posted so far (unless a batch will)."""
    if not deferred_barrier.get():
        handler_loop.drain_posted()


class BaseRunManager:
    """One open run: its id, parent, handlers, tags and metadata."""

    __slots__ = (
        "_cfg",
        "_dispatch",
        "_done",
        "_inh",
        "_inh_md",
        "_inh_tags",
        "_md",
        "_tags",
        "_token",
        "parent_run_id",
        "run_id",
    )

    _end_event: ClassVar[str] = "on_chain_end"
    _error_event: ClassVar[str] = "on_chain_error"

    run_id: UUID
    parent_run_id: UUID | None
    _dispatch: Dispatch  # this run's handlers (runtime, then constructor)
    _inh: Dispatch  # handlers children inherit
    _tags: tuple[str, ...]
    _inh_tags: tuple[str, ...]
    _md: dict[str, Any]
    _inh_md: dict[str, Any]
    _cfg: dict[str, Any]  # the run's config minus per-run keys, for children
    _done: bool
    _token: Any  # what `enter_run` returned, while `begin` ... `close` runs the body

    @classmethod
    def _noop(cls) -> Any:
        run = object.__new__(cls)
        run.run_id = new_run_id()
        run.parent_run_id = None
        run._dispatch = run._inh = EMPTY
        run._tags = run._inh_tags = _NO_TAGS
        run._md = run._inh_md = _NO_METADATA
        run._cfg = _NO_METADATA
        run._done = False
        return run

    get_noop_manager = _noop

    # langchain-core attribute names, as fresh lists/dicts (handlers may not corrupt the run)
    @property
    def handlers(self) -> list[Any]:
        return list(self._dispatch.handlers)

    @property
    def inheritable_handlers(self) -> list[Any]:
        return list(self._inh.handlers)

    @property
    def tags(self) -> list[str]:
        return list(self._tags)

    @property
    def inheritable_tags(self) -> list[str]:
        return list(self._inh_tags)

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self._md)

    @property
    def inheritable_metadata(self) -> dict[str, Any]:
        return dict(self._inh_md)

    def __bool__(self) -> bool:
        # A run nobody hears is falsy, so langchain-style `if run_manager:` guards skip work.
        return self._dispatch.listening  # a bool already: this runs per streamed token

    def get_child(self, tag: str | None = None) -> CallbackManager:
        """A manager attaching new runs under this one (`tag` shows on the child only)."""
        return CallbackManager._child_of(self, tag)

    def child_config(self, tag: str | None = None) -> dict[str, Any]:
        """The config a child runnable should be invoked with."""
        manager = _new(CallbackManager)
        manager._parent = self
        manager._tag = tag
        if self._cfg:
            return {**self._cfg, "callbacks": manager}
        return {"callbacks": manager}

    # -- firing ---------------------------------------------------------------------------------

    def _fire(self, event: str, args: tuple[Any, ...], extra: dict[str, Any] | None = None) -> None:
        entries = self._dispatch.table.get(event)
        if entries:
            if not extra and len(args) == 1:
                deliver_one(entries, event, args[0], self.run_id, self.parent_run_id, self._tags)
                return
            kw = {"run_id": self.run_id, "parent_run_id": self.parent_run_id, "tags": None}
            if extra:
                kw.update(extra)
            deliver(entries, event, args, kw, self._tags, None)

    async def _afire(self, event: str, args: tuple[Any, ...], extra: dict[str, Any] | None = None) -> None:
        entries = self._dispatch.table.get(event)
        if entries:
            if self._dispatch.all_sync:  # sync handlers only: called inline, no coroutine per event
                self._fire(event, args, extra)
                return
            kw = {"run_id": self.run_id, "parent_run_id": self.parent_run_id, "tags": self._tags}
            if extra:
                kw.update(extra)
            await acall_handlers(entries, event, args, kw)

    def _start_kw(self, name: str | None, extra: dict[str, Any] | None) -> dict[str, Any]:
        kw = {
            "run_id": self.run_id,
            "parent_run_id": self.parent_run_id,
            "tags": self._tags,
            "metadata": self._md,
            "name": name,
        }
        if extra:
            kw.update(extra)
        return kw

    def fire_start(
        self, event: str, args: tuple[Any, ...], name: str | None, extra: dict[str, Any] | None
    ) -> None:
        """Fire a start event; if a handler re-raises, the run is closed with that error first."""
        entries = self._dispatch.table.get(event)
        if entries:
            try:
                call_handlers(entries, event, args, self._start_kw(name, extra))
            except BaseException as exc:
                self.finish_error(exc)
                raise

    async def afire_start(
        self, event: str, args: tuple[Any, ...], name: str | None, extra: dict[str, Any] | None
    ) -> None:
        entries = self._dispatch.table.get(event)
        if entries:
            try:
                await acall_handlers(entries, event, args, self._start_kw(name, extra))
            except BaseException as exc:
                await self.afinish_error(exc)
                raise

    def fire_chain_start(
        self, serialized: dict[str, Any], inputs: Any, name: str, extra: dict[str, Any] | None
    ) -> None:
        self.fire_start("on_chain_start", (serialized, inputs), name, extra)

    def start_chain(self, runnable: Any, inputs: Any, config: Any, *, streamed: bool = False) -> None:
        """Fire `on_chain_start` for `runnable` (the hot path of every runnable's run). A streamed
        run carries `run_type` always, as langchain-core's stream path passes it (None for chains)."""
        entries = self._dispatch.table.get("on_chain_start")
        if entries:
            serialized = runnable._serialized_cache or runnable._make_serialized()
            name = (config.get("run_name") if config else None) or serialized["name"]
            if runnable._run_type is not None or (streamed and runnable._streamed_run_type):
                run_type = runnable._run_type or None
            else:
                run_type = _ABSENT
            try:
                deliver_start(
                    entries,
                    serialized,
                    inputs,
                    self.run_id,
                    self.parent_run_id,
                    self._tags,
                    self._md,
                    name,
                    run_type,
                )
            except BaseException as exc:
                self.finish_error(exc)
                raise

    def begin(self, runnable: Any, inputs: Any, config: Any) -> None:
        """`start_chain` then `enter_run`: the hot path of `Runnable.invoke`. Pair with `close`."""
        self.start_chain(runnable, inputs, config)
        if self._dispatch.scopes or _LC_CONFIG in _modules:
            self._token = enter_run(self)
        else:
            self._token = _current_run.set(self)

    def close(self, output: Any) -> None:
        """Leave the run's context (`exit_run`, unrolled: once per run) and fire its end event."""
        token = self._token
        if type(token) is _Scoped:
            exit_run(token)
        else:
            _current_run.reset(token)
        self.finish(output)

    def close_error(self, error: BaseException) -> None:
        """Leave the run's context and fire its error event."""
        exit_run(self._token)
        self.finish_error(error)

    async def astart_chain(self, runnable: Any, inputs: Any, config: Any, *, streamed: bool = False) -> None:
        """Async `start_chain`."""
        entries = self._dispatch.table.get("on_chain_start")
        if entries:
            serialized = runnable._serialized_cache or runnable._make_serialized()
            kw = {
                "run_id": self.run_id,
                "parent_run_id": self.parent_run_id,
                "tags": self._tags,
                "metadata": self._md,
                "name": (config and config.get("run_name")) or serialized["name"],
            }
            if runnable._run_type is not None or (streamed and runnable._streamed_run_type):
                kw["run_type"] = runnable._run_type or None
            try:
                await acall_handlers(entries, "on_chain_start", (serialized, inputs), kw)
            except BaseException as exc:
                await self.afinish_error(exc)
                raise

    def finish(self, output: Any, **extra: Any) -> None:
        """Fire this run's end event (once; later calls are ignored)."""
        if self._done:
            return
        self._done = True
        entries = self._dispatch.table.get(self._end_event)
        if entries:
            if extra:
                kw = {"run_id": self.run_id, "parent_run_id": self.parent_run_id, "tags": None, **extra}
                deliver(entries, self._end_event, (output,), kw, self._tags, None)
            else:
                deliver_one(entries, self._end_event, output, self.run_id, self.parent_run_id, self._tags)
        if handler_loop.done != handler_loop.posted and self.parent_run_id is None:
            _barrier()

    def finish_error(self, error: BaseException, **extra: Any) -> None:
        """Fire this run's error event (once; later calls are ignored)."""
        if not self._done:
            self._done = True
            self._fire(self._error_event, (error,), extra)
            if handler_loop.done != handler_loop.posted and self.parent_run_id is None:
                _barrier()

    async def afinish(self, output: Any, **extra: Any) -> None:
        if not self._done:
            self._done = True
            await self._afire(self._end_event, (output,), extra)
            if handler_loop.done != handler_loop.posted and self.parent_run_id is None:
                await handler_loop.adrain_posted()

    async def afinish_error(self, error: BaseException, **extra: Any) -> None:
        if not self._done:
            self._done = True
            await self._afire(self._error_event, (error,), extra)
            if handler_loop.done != handler_loop.posted and self.parent_run_id is None:
                await handler_loop.adrain_posted()


class RunManager(BaseRunManager):
    """Sync run manager: `on_text`, `on_retry`, `on_custom_event` for an open run."""

    __slots__ = ()

    def on_text(self, text: str, **kwargs: Any) -> None:
        self._fire("on_text", (text,), kwargs)

    def on_retry(self, retry_state: Any, **kwargs: Any) -> None:
        self._fire("on_retry", (retry_state,), kwargs)


class ParentRunManager(RunManager):
    """A run that can have children."""

    __slots__ = ()


class CallbackManagerForChainRun(ParentRunManager):
    """An open chain run."""

    __slots__ = ()

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.finish(outputs, **kwargs)

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        self.finish_error(error, **kwargs)

    def on_agent_action(self, action: Any, **kwargs: Any) -> None:
        self._fire("on_agent_action", (action,), kwargs)

    def on_agent_finish(self, finish: Any, **kwargs: Any) -> None:
        self._fire("on_agent_finish", (finish,), kwargs)


class CallbackManagerForLLMRun(RunManager):
    """An open model run (chat or text)."""

    __slots__ = ()
    _end_event = "on_llm_end"
    _error_event = "on_llm_error"

    def on_llm_new_token(self, token: Any, *, chunk: Any = None, **kwargs: Any) -> None:
        entries = self._dispatch.table.get("on_llm_new_token")
        if entries:
            _name_chunk(chunk, self.run_id)
            # `token=` by keyword, as langchain-core's sync run manager passes it (its async one
            # passes it positionally, as `AsyncCallbackManagerForLLMRun` below does).
            if not kwargs:
                deliver_token(entries, token, chunk, self.run_id, self.parent_run_id, self._tags)
                return
            kw = {"run_id": self.run_id, "parent_run_id": self.parent_run_id, "tags": None, "chunk": chunk}
            kw.update(kwargs)
            kw["token"] = token
            deliver(entries, "on_llm_new_token", (), kw, self._tags, None)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.finish(response, **kwargs)

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.finish_error(error, **kwargs)


def _name_chunk(chunk: Any, run_id: UUID) -> None:
    """Give a heard chunk the run's message id before handlers see it (as `stream()` does), so
    UIs merging by id (LangGraph's messages stream) show one message; the merged reply keeps it."""
    global _chunk_id
    message = getattr(chunk, "message", None)
    if message is not None and message.id is None:
        last_run, text = _chunk_id
        if last_run is not run_id:  # formatting a UUID costs more than the rest of the token
            text = run_message_id(run_id)
            _chunk_id = (run_id, text)
        message.id = text


_chunk_id: tuple[UUID | None, str] = (None, "")  # the last run's message id (a tuple: swapped whole)


class CallbackManagerForToolRun(ParentRunManager):
    """An open tool run."""

    __slots__ = ()
    _end_event = "on_tool_end"
    _error_event = "on_tool_error"

    def on_tool_end(self, output: Any, **kwargs: Any) -> None:
        self.finish(output, **kwargs)

    def on_tool_error(self, error: BaseException, **kwargs: Any) -> None:
        self.finish_error(error, **kwargs)


class CallbackManagerForRetrieverRun(ParentRunManager):
    """An open retriever run."""

    __slots__ = ()
    _end_event = "on_retriever_end"
    _error_event = "on_retriever_error"

    def on_retriever_end(self, documents: Any, **kwargs: Any) -> None:
        self.finish(documents, **kwargs)

    def on_retriever_error(self, error: BaseException, **kwargs: Any) -> None:
        self.finish_error(error, **kwargs)


_ASYNC = frozenset(
    {
        "AsyncRunManager",
        "AsyncParentRunManager",
        "AsyncCallbackManagerForChainRun",
        "AsyncCallbackManagerForLLMRun",
        "AsyncCallbackManagerForToolRun",
        "AsyncCallbackManagerForRetrieverRun",
    }
)


def __getattr__(name: str) -> Any:
    # The async twins live in `async_runs` (which imports this module); importable from here too.
    if name in _ASYNC:
        from runwire.callbacks import async_runs

        return getattr(async_runs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
