"""Runs and managers: opening a run under the right parent, firing its events, handing children on.

`open_run` is the one place a run is born. It finds where the run attaches (an explicit
`config["callbacks"]`, else the current run in the ContextVar), adds the object's constructor
handlers (local: heard for this run only, after the runtime ones), and returns None when no
handler listens to anything, so a silent call mints no id, builds no payload and writes no
ContextVar. Otherwise it returns a run manager whose end/error methods fire exactly once.

Managers keep langchain-core's names (`CallbackManager`, `CallbackManagerForChainRun`, ...) and
attributes, so code written against langchain-core's managers keeps working.
Not here: handler method selection (see `dispatch`) or what a component does with its run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, cast
from uuid import UUID

from runwire.callbacks.context import current_run, new_run_id, scoped_handlers
from runwire.callbacks.dispatch import (
    EMPTY,
    Dispatch,
    acall_handlers,
    call_handlers,
    compile_handlers,
)

_new = object.__new__
_NO_TAGS: tuple[str, ...] = ()
_NO_METADATA: dict[str, Any] = {}  # shared and never mutated: handlers get copies

Attach = tuple[
    Dispatch, Dispatch, UUID | None, tuple[str, ...], tuple[str, ...], dict[str, Any], dict[str, Any]
]


def _join_tags(first: tuple[str, ...], more: Iterable[str]) -> tuple[str, ...]:
    out = list(first)
    for tag in more:
        if tag not in out:
            out.append(tag)
    return tuple(out)


class CallbackManager:
    """Where a new run attaches: handlers (this run's and inheritable), parent run, tags, metadata.

    Passed as `config["callbacks"]` it makes the run a child of `parent_run_id`. `RunManager.get_child`
    returns one; building one by hand works as in langchain-core.
    """

    __slots__ = (
        "_inh_md",
        "_inh_tags",
        "_inheritable",
        "_local",
        "_md",
        "_parent",
        "_parent_run_id",
        "_tag",
        "_tags",
    )

    def __init__(
        self,
        handlers: Sequence[Any] | None = None,
        inheritable_handlers: Sequence[Any] | None = None,
        parent_run_id: UUID | None = None,
        *,
        tags: Sequence[str] | None = None,
        inheritable_tags: Sequence[str] | None = None,
        metadata: dict[str, Any] | None = None,
        inheritable_metadata: dict[str, Any] | None = None,
    ) -> None:
        self._parent: BaseRunManager | None = None
        self._tag: str | None = None
        self._local: list[Any] = list(handlers or ())
        self._inheritable: list[Any] = list(inheritable_handlers or ())
        self._parent_run_id = parent_run_id
        self._tags: list[str] = list(tags or ())
        self._inh_tags: list[str] = list(inheritable_tags or ())
        self._md: dict[str, Any] = dict(metadata or {})
        self._inh_md: dict[str, Any] = dict(inheritable_metadata or {})

    @classmethod
    def _child_of(cls, run: BaseRunManager, tag: str | None) -> CallbackManager:
        # The hot path: a lazy view of `run`'s inheritable state, materialised only if mutated.
        self = object.__new__(cls)
        self._parent = run
        self._tag = tag
        return self

    @classmethod
    def configure(  # noqa: PLR0917 - langchain-core's positional signature
        cls,
        inheritable_callbacks: Any = None,
        local_callbacks: Any = None,
        verbose: bool = False,
        inheritable_tags: Sequence[str] | None = None,
        local_tags: Sequence[str] | None = None,
        inheritable_metadata: dict[str, Any] | None = None,
        local_metadata: dict[str, Any] | None = None,
    ) -> CallbackManager:
        """Build a manager from runtime (inheritable) and constructor (local) callbacks."""
        if isinstance(inheritable_callbacks, CallbackManager):
            manager = inheritable_callbacks.copy()
        else:
            callbacks = list(inheritable_callbacks or ())
            manager = cls(callbacks, callbacks)
        local = local_callbacks.handlers if isinstance(local_callbacks, CallbackManager) else local_callbacks
        for handler in local or ():
            manager.add_handler(handler, inherit=False)
        if verbose:
            from runwire.callbacks.stdout import StdOutCallbackHandler

            if not any(isinstance(h, StdOutCallbackHandler) for h in manager.handlers):
                manager.add_handler(StdOutCallbackHandler(), inherit=False)
        manager.add_tags(inheritable_tags or ())
        manager.add_tags(local_tags or (), inherit=False)
        manager.add_metadata(inheritable_metadata or {})
        manager.add_metadata(local_metadata or {}, inherit=False)
        return manager

    def _materialize(self) -> None:
        run = self._parent
        if run is None:
            return
        self._parent = None
        self._local = list(run._inh.handlers)
        self._inheritable = list(run._inh.handlers)
        self._parent_run_id = run.run_id
        self._inh_tags = list(run._inh_tags)
        self._tags = ([self._tag] if self._tag else []) + [t for t in run._inh_tags if t != self._tag]
        self._md = dict(run._inh_md)
        self._inh_md = dict(run._inh_md)

    def _attach(self) -> Attach:
        run = self._parent
        if run is not None:
            tags = run._inh_tags if self._tag is None else (self._tag, *run._inh_tags)
            return (run._inh, run._inh, run.run_id, tags, run._inh_tags, run._inh_md, run._inh_md)
        scoped = scoped_handlers.get()
        return (
            compile_handlers((*self._local, *scoped)),
            compile_handlers((*self._inheritable, *scoped)),
            self._parent_run_id,
            tuple(self._tags),
            tuple(self._inh_tags),
            self._md,
            self._inh_md,
        )

    # -- langchain-core's attributes and mutators --------------------------------------------

    @property
    def handlers(self) -> list[Any]:
        self._materialize()
        return self._local

    @handlers.setter
    def handlers(self, value: Sequence[Any]) -> None:
        self._materialize()
        self._local = list(value)

    @property
    def inheritable_handlers(self) -> list[Any]:
        self._materialize()
        return self._inheritable

    @inheritable_handlers.setter
    def inheritable_handlers(self, value: Sequence[Any]) -> None:
        self._materialize()
        self._inheritable = list(value)

    @property
    def parent_run_id(self) -> UUID | None:
        return self._parent.run_id if self._parent is not None else self._parent_run_id

    @property
    def tags(self) -> list[str]:
        self._materialize()
        return self._tags

    @property
    def inheritable_tags(self) -> list[str]:
        self._materialize()
        return self._inh_tags

    @property
    def metadata(self) -> dict[str, Any]:
        self._materialize()
        return self._md

    @property
    def inheritable_metadata(self) -> dict[str, Any]:
        self._materialize()
        return self._inh_md

    @property
    def is_async(self) -> bool:
        return False

    def add_handler(self, handler: Any, inherit: bool = True) -> None:
        self._materialize()
        if not any(h is handler for h in self._local):
            self._local.append(handler)
        if inherit and not any(h is handler for h in self._inheritable):
            self._inheritable.append(handler)

    def remove_handler(self, handler: Any) -> None:
        self._materialize()
        self._local = [h for h in self._local if h is not handler]
        self._inheritable = [h for h in self._inheritable if h is not handler]

    def set_handlers(self, handlers: Sequence[Any], inherit: bool = True) -> None:
        self._materialize()
        self._local, self._inheritable = [], []
        for handler in handlers:
            self.add_handler(handler, inherit=inherit)

    def set_handler(self, handler: Any, inherit: bool = True) -> None:
        self.set_handlers([handler], inherit=inherit)

    def add_tags(self, tags: Sequence[str], inherit: bool = True) -> None:
        self._materialize()
        for tag in tags:
            if tag in self._tags:
                self._tags.remove(tag)
        self._tags.extend(tags)
        if inherit:
            self._inh_tags.extend(t for t in tags if t not in self._inh_tags)

    def remove_tags(self, tags: Sequence[str]) -> None:
        self._materialize()
        self._tags = [t for t in self._tags if t not in tags]
        self._inh_tags = [t for t in self._inh_tags if t not in tags]

    def add_metadata(self, metadata: dict[str, Any], inherit: bool = True) -> None:
        self._materialize()
        self._md.update(metadata)
        if inherit:
            self._inh_md.update(metadata)

    def remove_metadata(self, keys: Sequence[str]) -> None:
        self._materialize()
        for key in keys:
            self._md.pop(key, None)
            self._inh_md.pop(key, None)

    def copy(self) -> CallbackManager:
        if self._parent is not None:
            return CallbackManager._child_of(self._parent, self._tag)
        return type(self)(
            self._local,
            self._inheritable,
            self._parent_run_id,
            tags=self._tags,
            inheritable_tags=self._inh_tags,
            metadata=self._md,
            inheritable_metadata=self._inh_md,
        )

    def merge(self, other: CallbackManager) -> CallbackManager:
        """Both managers' handlers (order kept, duplicates dropped), tags and metadata."""
        merged = self.copy()
        merged._materialize()
        for handler in other.handlers:
            merged.add_handler(handler, inherit=False)
        for handler in other.inheritable_handlers:
            merged.add_handler(handler, inherit=True)
        merged.add_tags(other.tags, inherit=False)
        merged.add_tags(other.inheritable_tags)
        merged.add_metadata(other.metadata, inherit=False)
        merged.add_metadata(other.inheritable_metadata)
        return merged

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(handlers={self.handlers!r}, parent_run_id={self.parent_run_id!r}, "
            f"tags={self.tags!r})"
        )

    # -- langchain-core's start methods, for code that drives runs by hand --------------------

    def on_chain_start(
        self, serialized: dict[str, Any] | None, inputs: Any, run_id: UUID | None = None, **kwargs: Any
    ) -> CallbackManagerForChainRun:
        name = kwargs.pop("name", None) or (serialized or {}).get("name") or "chain"
        run = open_run(CallbackManagerForChainRun, {"callbacks": self, "run_id": run_id}, None, None, None)
        if run is None:
            return cast(CallbackManagerForChainRun, CallbackManagerForChainRun._noop())
        run.fire_chain_start(serialized or {"name": name}, inputs, name, kwargs)
        return cast(CallbackManagerForChainRun, run)


class AsyncCallbackManager(CallbackManager):
    """The async twin of `CallbackManager` (same state; runs it opens have async methods)."""

    __slots__ = ()

    @property
    def is_async(self) -> bool:
        return True


# ---------------------------------------------------------------------------------------------
# Run managers


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
        return bool(self._dispatch.listening)

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
            kw = {"run_id": self.run_id, "parent_run_id": self.parent_run_id, "tags": self._tags}
            if extra:
                kw.update(extra)
            call_handlers(entries, event, args, kw)

    async def _afire(self, event: str, args: tuple[Any, ...], extra: dict[str, Any] | None = None) -> None:
        entries = self._dispatch.table.get(event)
        if entries:
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

    def start_chain(self, runnable: Any, inputs: Any, config: Any) -> None:
        """Fire `on_chain_start` for `runnable` (the hot path of every runnable's run)."""
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
            if runnable._run_type:
                kw["run_type"] = runnable._run_type
            try:
                call_handlers(entries, "on_chain_start", (serialized, inputs), kw)
            except BaseException as exc:
                self.finish_error(exc)
                raise

    async def astart_chain(self, runnable: Any, inputs: Any, config: Any) -> None:
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
            if runnable._run_type:
                kw["run_type"] = runnable._run_type
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
            kw = {"run_id": self.run_id, "parent_run_id": self.parent_run_id, "tags": self._tags}
            if extra:
                kw.update(extra)
            call_handlers(entries, self._end_event, (output,), kw)

    def finish_error(self, error: BaseException, **extra: Any) -> None:
        """Fire this run's error event (once; later calls are ignored)."""
        if not self._done:
            self._done = True
            self._fire(self._error_event, (error,), extra)

    async def afinish(self, output: Any, **extra: Any) -> None:
        if not self._done:
            self._done = True
            await self._afire(self._end_event, (output,), extra)

    async def afinish_error(self, error: BaseException, **extra: Any) -> None:
        if not self._done:
            self._done = True
            await self._afire(self._error_event, (error,), extra)


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
            kw = {
                "run_id": self.run_id,
                "parent_run_id": self.parent_run_id,
                "tags": self._tags,
                "chunk": chunk,
            }
            if kwargs:
                kw.update(kwargs)
            call_handlers(entries, "on_llm_new_token", (token,), kw)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.finish(response, **kwargs)

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.finish_error(error, **kwargs)


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


class AsyncRunManager(BaseRunManager):
    """Async run manager: the same run, with awaitable event methods."""

    __slots__ = ()

    async def on_text(self, text: str, **kwargs: Any) -> None:
        await self._afire("on_text", (text,), kwargs)

    async def on_retry(self, retry_state: Any, **kwargs: Any) -> None:
        await self._afire("on_retry", (retry_state,), kwargs)

    def get_sync(self) -> Any:
        """The sync twin sharing this run's state."""
        sync: BaseRunManager = object.__new__(_SYNC_TWIN.get(type(self), CallbackManagerForChainRun))
        for slot in BaseRunManager.__slots__:
            object.__setattr__(sync, slot, getattr(self, slot))
        return sync


class AsyncParentRunManager(AsyncRunManager):
    """An async run that can have children."""

    __slots__ = ()


class AsyncCallbackManagerForChainRun(AsyncParentRunManager):
    """An open chain run (async)."""

    __slots__ = ()

    async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        await self.afinish(outputs, **kwargs)

    async def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        await self.afinish_error(error, **kwargs)

    async def on_agent_action(self, action: Any, **kwargs: Any) -> None:
        await self._afire("on_agent_action", (action,), kwargs)

    async def on_agent_finish(self, finish: Any, **kwargs: Any) -> None:
        await self._afire("on_agent_finish", (finish,), kwargs)


class AsyncCallbackManagerForLLMRun(AsyncRunManager):
    """An open model run (async)."""

    __slots__ = ()
    _end_event = "on_llm_end"
    _error_event = "on_llm_error"

    async def on_llm_new_token(self, token: Any, *, chunk: Any = None, **kwargs: Any) -> None:
        entries = self._dispatch.table.get("on_llm_new_token")
        if entries:
            kw = {
                "run_id": self.run_id,
                "parent_run_id": self.parent_run_id,
                "tags": self._tags,
                "chunk": chunk,
            }
            if kwargs:
                kw.update(kwargs)
            await acall_handlers(entries, "on_llm_new_token", (token,), kw)

    async def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        await self.afinish(response, **kwargs)

    async def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        await self.afinish_error(error, **kwargs)


class AsyncCallbackManagerForToolRun(AsyncParentRunManager):
    """An open tool run (async)."""

    __slots__ = ()
    _end_event = "on_tool_end"
    _error_event = "on_tool_error"

    async def on_tool_end(self, output: Any, **kwargs: Any) -> None:
        await self.afinish(output, **kwargs)

    async def on_tool_error(self, error: BaseException, **kwargs: Any) -> None:
        await self.afinish_error(error, **kwargs)


class AsyncCallbackManagerForRetrieverRun(AsyncParentRunManager):
    """An open retriever run (async)."""

    __slots__ = ()
    _end_event = "on_retriever_end"
    _error_event = "on_retriever_error"

    async def on_retriever_end(self, documents: Any, **kwargs: Any) -> None:
        await self.afinish(documents, **kwargs)

    async def on_retriever_error(self, error: BaseException, **kwargs: Any) -> None:
        await self.afinish_error(error, **kwargs)


_SYNC_TWIN: dict[type, type] = {
    AsyncCallbackManagerForChainRun: CallbackManagerForChainRun,
    AsyncCallbackManagerForLLMRun: CallbackManagerForLLMRun,
    AsyncCallbackManagerForToolRun: CallbackManagerForToolRun,
    AsyncCallbackManagerForRetrieverRun: CallbackManagerForRetrieverRun,
}

RunManagerT = BaseRunManager

# ---------------------------------------------------------------------------------------------
# Opening a run

_CHILD_DROP = frozenset({"callbacks", "run_name", "run_id", "tags", "metadata"})


def _attach_point(config: dict[str, Any] | None) -> Attach | None:
    """Where a run with this config attaches, or None when it attaches nowhere."""
    callbacks = config.get("callbacks") if config is not None else None
    if callbacks is None:
        parent = current_run.get()
        if parent is None:
            return None
        return (
            parent._inh,
            parent._inh,
            parent.run_id,
            parent._inh_tags,
            parent._inh_tags,
            parent._inh_md,
            parent._inh_md,
        )
    if isinstance(callbacks, CallbackManager):
        return callbacks._attach()
    if isinstance(callbacks, list | tuple):
        dispatch = compile_handlers(callbacks)
        return (dispatch, dispatch, None, _NO_TAGS, _NO_TAGS, _NO_METADATA, _NO_METADATA)
    raise TypeError(
        f"config['callbacks'] must be a list of handlers or a CallbackManager, got "
        f"{type(callbacks).__name__}. Pass config={{'callbacks': [handler]}}."
    )


def open_run(
    cls: type[BaseRunManager],
    config: dict[str, Any] | None,
    own_callbacks: Sequence[Any] | None,
    own_tags: Sequence[str] | None,
    own_metadata: dict[str, Any] | None,
) -> Any:
    """A new run of type `cls` under the config's parent, or None if nobody would hear it.

    The caller fires the start event (it knows the payload); see `fire_start`.
    """
    callbacks = config.get("callbacks") if config is not None else None
    if callbacks is None:
        parent = current_run.get()
        if parent is None:
            scoped = scoped_handlers.get()
            if not own_callbacks and not scoped:
                return None  # the common silent case: two ContextVar reads
            dispatch = inh = compile_handlers(scoped)
            parent_run_id, tags, inh_tags, md, inh_md = None, _NO_TAGS, _NO_TAGS, _NO_METADATA, _NO_METADATA
        else:
            dispatch = inh = parent._inh
            parent_run_id, tags, md = parent.run_id, parent._inh_tags, parent._inh_md
            inh_tags, inh_md = tags, md
    elif type(callbacks) is CallbackManager and callbacks._parent is not None:
        # A child config made by a parent run (the combinators' hot path).
        parent = callbacks._parent
        dispatch = inh = parent._inh
        parent_run_id, md, inh_tags = parent.run_id, parent._inh_md, parent._inh_tags
        tags = inh_tags if callbacks._tag is None else (callbacks._tag, *inh_tags)
        inh_md = md
    elif type(callbacks) is list:
        scoped = scoped_handlers.get()
        dispatch = inh = compile_handlers((*callbacks, *scoped) if scoped else callbacks)
        parent_run_id, tags, inh_tags, md, inh_md = None, _NO_TAGS, _NO_TAGS, _NO_METADATA, _NO_METADATA
    else:
        point = _attach_point(config)
        assert point is not None
        dispatch, inh, parent_run_id, tags, inh_tags, md, inh_md = point
    if own_callbacks:
        dispatch = dispatch.merged(own_callbacks)
    if not dispatch.listening:
        return None
    run = _new(cls)
    run._dispatch = dispatch
    run._inh = inh
    run.parent_run_id = parent_run_id
    run._done = False
    cfg: dict[str, Any] = _NO_METADATA
    if config is not None:
        if len(config) > 1 or "callbacks" not in config:
            cfg_tags = config.get("tags")
            if cfg_tags:
                tags = _join_tags(tags, cfg_tags)
                inh_tags = _join_tags(inh_tags, cfg_tags)
            cfg_md = config.get("metadata")
            if cfg_md:
                md = {**md, **cfg_md}
                inh_md = {**inh_md, **cfg_md}
            cfg = {k: v for k, v in config.items() if k not in _CHILD_DROP}
        run.run_id = config.get("run_id") or new_run_id()
    else:
        run.run_id = new_run_id()
    if own_tags:
        tags = _join_tags(tags, own_tags)
    if own_metadata:
        md = {**md, **own_metadata}
    run._tags = tags
    run._inh_tags = inh_tags
    run._md = md
    run._inh_md = inh_md
    run._cfg = cfg
    return run


def handlers_listening(config: dict[str, Any] | None) -> bool:
    """True when a run under `config` (with no constructor handlers) would be heard."""
    point = _attach_point(config)
    return point is not None and point[0].listening
