"""Opening a run: `open_run` is the one place a run is born.

It finds where the run attaches (an explicit `config["callbacks"]`, else the current run in the
ContextVar), adds the object's constructor handlers (local: heard for this run only, after the
runtime ones), and returns None when no handler listens to anything, so a silent call mints no
id, builds no payload and writes no ContextVar. This module also re-exports the managers under
langchain-core's module path (`langchain_core.callbacks.manager` -> `runwire.callbacks.manager`).
Not here: handler method selection (see `dispatch`) or what a component does with its run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

from runwire.callbacks.async_runs import (
    AsyncCallbackManagerForChainRun,
    AsyncCallbackManagerForLLMRun,
    AsyncCallbackManagerForRetrieverRun,
    AsyncCallbackManagerForToolRun,
    AsyncParentRunManager,
    AsyncRunManager,
)
from runwire.callbacks.attach import AsyncCallbackManager, Attach, CallbackManager
from runwire.callbacks.by_hand import ahandle_event, handle_event
from runwire.callbacks.context import current_run, new_run_id, scoped_handlers, with_process
from runwire.callbacks.custom import adispatch_custom_event, dispatch_custom_event
from runwire.callbacks.dispatch import compile_handlers
from runwire.callbacks.runs import (
    BaseRunManager,
    CallbackManagerForChainRun,
    CallbackManagerForLLMRun,
    CallbackManagerForRetrieverRun,
    CallbackManagerForToolRun,
    ParentRunManager,
    RunManager,
)

BaseCallbackManager = CallbackManager  # langchain-core's common base; here sync and async share it

__all__ = [
    "AsyncCallbackManager",
    "AsyncCallbackManagerForChainGroup",  # noqa: F822 - loaded lazily by __getattr__
    "AsyncCallbackManagerForChainRun",
    "AsyncCallbackManagerForLLMRun",
    "AsyncCallbackManagerForRetrieverRun",
    "AsyncCallbackManagerForToolRun",
    "AsyncParentRunManager",
    "AsyncRunManager",
    "BaseCallbackManager",
    "BaseRunManager",
    "CallbackManager",
    "CallbackManagerForChainGroup",  # noqa: F822 - loaded lazily by __getattr__
    "CallbackManagerForChainRun",
    "CallbackManagerForLLMRun",
    "CallbackManagerForRetrieverRun",
    "CallbackManagerForToolRun",
    "ParentRunManager",
    "RunManager",
    "adispatch_custom_event",
    "ahandle_event",
    "atrace_as_chain_group",  # noqa: F822 - loaded lazily by __getattr__
    "dispatch_custom_event",
    "handle_event",
    "open_run",
    "trace_as_chain_group",  # noqa: F822 - loaded lazily by __getattr__
]

_new = object.__new__
_NO_TAGS: tuple[str, ...] = ()
_NO_METADATA: dict[str, Any] = {}  # shared and never mutated: handlers get copies


def _join_tags(first: tuple[str, ...], more: Iterable[str]) -> tuple[str, ...]:
    out = list(first)
    for tag in more:
        if tag not in out:
            out.append(tag)
    return tuple(out)


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
    lc_base = _modules.get("langchain_core.callbacks.base")
    if lc_base is not None and isinstance(callbacks, lc_base.BaseCallbackManager):
        # What LangGraph hands its nodes: runs attach under its parent, its handlers hear them.
        from runwire.interop.langchain._bridge import attach_from_lc

        return attach_from_lc(callbacks)  # type: ignore[no-any-return]
    kind = type(callbacks)
    raise TypeError(
        f"config['callbacks'] must be a list of handlers or a CallbackManager (runwire's or "
        f"langchain-core's), got {kind.__module__}.{kind.__qualname__}. Pass "
        f"config={{'callbacks': [handler]}}."
    )


_modules = sys.modules
_LC_CONFIG = "langchain_core.runnables.config"


def _langchain_parent() -> Attach | None:
    """The parent langchain-core's context names (a runwire call made with no config inside a
    langchain run); looked at only when langchain-core is loaded."""
    if _modules[_LC_CONFIG].var_child_runnable_config.get() is None:
        return None
    from runwire.interop.langchain._bridge import attach_from_lc_context

    return attach_from_lc_context()  # type: ignore[no-any-return]


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
    if (
        callbacks.__class__ is CallbackManager
        and callbacks._parent is not None
        and len(config) == 1  # type: ignore[arg-type]
        and not (own_callbacks or own_tags or own_metadata)
    ):
        # The hot path: a step of a listened-to run, with the config its parent made.
        owner = callbacks._parent
        dispatch = owner._inh
        if not dispatch.listening:
            return None
        run = _new(cls)
        run._dispatch = run._inh = dispatch
        run.parent_run_id = owner.run_id
        run._done = False
        inh_tags = run._inh_tags = owner._inh_tags
        run._tags = inh_tags if callbacks._tag is None else (callbacks._tag, *inh_tags)
        run._md = run._inh_md = owner._inh_md
        run._cfg = _NO_METADATA
        run.run_id = new_run_id()
        return run
    if callbacks is None:
        parent = current_run.get()
        if parent is None:
            scoped = scoped_handlers.get()
            point = _langchain_parent() if _LC_CONFIG in _modules else None
            if point is not None:
                dispatch, inh, parent_run_id, tags, inh_tags, md, inh_md = point
            elif not own_callbacks and not scoped:
                return None  # the common silent case: two ContextVar reads and a dict lookup
            else:
                dispatch = inh = compile_handlers(with_process(scoped))
                parent_run_id, tags, inh_tags, md, inh_md = (
                    None,
                    _NO_TAGS,
                    _NO_TAGS,
                    _NO_METADATA,
                    _NO_METADATA,
                )
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
        dispatch = inh = compile_handlers((*callbacks, *with_process(scoped)) if scoped else callbacks)
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


_LAZY = frozenset(
    {
        "AsyncCallbackManagerForChainGroup",
        "CallbackManagerForChainGroup",
        "atrace_as_chain_group",
        "trace_as_chain_group",
    }
)


def __getattr__(name: str) -> Any:
    # Chain groups load on first use: most programs never open one.
    if name in _LAZY:
        from runwire.callbacks import groups

        return getattr(groups, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
