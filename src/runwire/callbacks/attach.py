"""Where a new run attaches: `CallbackManager` (langchain-core's name), passed as
`config["callbacks"]` or handed to children by `RunManager.get_child`.

A manager made by a run is a lazy view of that run's inheritable handlers, tags and metadata
(two slots, no copies) until someone mutates it. Not here: opening runs (see `manager`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from runwire.callbacks.by_hand import AsyncManualStarts, ManualStarts
from runwire.callbacks.context import scoped_handlers, with_process
from runwire.callbacks.dispatch import Dispatch, compile_handlers

if TYPE_CHECKING:
    from runwire.callbacks.runs import BaseRunManager

Attach = tuple[
    Dispatch, Dispatch, UUID | None, tuple[str, ...], tuple[str, ...], dict[str, Any], dict[str, Any]
]


class CallbackManager(ManualStarts):
    """Where a new run attaches: handlers (this run's and inheritable), parent run, tags, metadata.

    Passed as `config["callbacks"]` it makes the run a child of `parent_run_id`. `RunManager.get_child`
    returns one; building one by hand works as in langchain-core, and so does starting runs from
    it (`on_chain_start`, `on_llm_start`, ...: see `by_hand`).
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
    def _unattached(cls, handlers: list[Any], tags: list[str], metadata: dict[str, Any]) -> CallbackManager:
        # What a function's config carries when no run was opened (`__init__` without the copying:
        # the caller hands over fresh lists and dicts).
        self = object.__new__(cls)
        self._parent, self._tag, self._parent_run_id = None, None, None
        self._local, self._inheritable = handlers, list(handlers)
        self._tags, self._inh_tags = tags, list(tags)
        self._md, self._inh_md = metadata, dict(metadata)
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
        *,
        langsmith_inheritable_metadata: dict[str, Any] | None = None,
        langsmith_inheritable_tags: Sequence[str] | None = None,
    ) -> CallbackManager:
        """Build a manager from runtime (inheritable) and constructor (local) callbacks.
        The `langsmith_*` defaults only concern LangSmith's tracer and are accepted and unused."""
        del langsmith_inheritable_metadata, langsmith_inheritable_tags
        if isinstance(inheritable_callbacks, CallbackManager):
            src = inheritable_callbacks
            manager = cls(
                src.handlers,
                src.inheritable_handlers,
                src.parent_run_id,
                tags=src.tags,
                inheritable_tags=src.inheritable_tags,
                metadata=src.metadata,
                inheritable_metadata=src.inheritable_metadata,
            )
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
        scoped = with_process(scoped_handlers.get())
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
        merged._parent_run_id = merged._parent_run_id or other.parent_run_id
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


class AsyncCallbackManager(AsyncManualStarts, CallbackManager):  # type: ignore[misc]
    """The async twin of `CallbackManager` (same state; runs it opens have async methods)."""

    __slots__ = ()

    @property
    def is_async(self) -> bool:
        return True
