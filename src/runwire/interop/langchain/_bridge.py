"""One event tree across the langchain-core boundary: handlers and attach points both ways.

* runwire -> langchain: `lc_callbacks(config)` builds a real langchain `CallbackManager` from a
  runwire config (or the current run): runwire's handlers, each wrapped once in `HeardByRunwire`
  (langchain objects converted back to runwire's before they hear them), `parent_run_id` = the
  runwire run, its inheritable tags and metadata.
* langchain -> runwire: `attach_from_lc(manager)` reads a langchain manager (what LangGraph hands
  its nodes) as a runwire attach point; `lc_method` wraps the methods of handlers that are
  langchain-core classes so they receive langchain-core objects (converted once per event, for
  them only).
* `RunAsLc`: what runwire puts in langchain's `var_child_runnable_config` while one of its runs
  executes, so a langchain call made with no config nests under that run.
Not here: wrapping runnables (see `_from`, `_to`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from runwire.callbacks.dispatch import EVENTS, Dispatch, _overridden, compile_handlers
from runwire.interop.langchain._convert import from_lc, kw_from_lc, kw_to_lc, to_lc

_IGNORES = sorted({flag for flag in EVENTS.values() if flag})


# -- runwire handlers inside langchain ----------------------------------------------------------

_heard_classes: dict[bool, type] = {}


def _heard_class(streaming: bool) -> type:
    found = _heard_classes.get(streaming)
    if found is not None:
        return found
    from langchain_core.callbacks import BaseCallbackHandler

    def flag(name: str) -> property:
        return property(lambda self: bool(getattr(self.handler, name, False)))

    namespace: dict[str, Any] = {name: flag(name) for name in (*_IGNORES, "raise_error")}
    namespace["__doc__"] = "A runwire handler in a langchain CallbackManager (payloads made runwire's)."
    namespace["__repr__"] = lambda self: f"HeardByRunwire({self.handler!r})"
    bases: tuple[type, ...] = (BaseCallbackHandler,)
    if streaming:
        from langchain_core.tracers._streaming import _StreamingCallbackHandler

        # langchain chat models stream inside invoke when a handler is one of these (runwire's
        # `wants_tokens`, e.g. astream_events' collector).
        namespace["tap_output_iter"] = _passthrough
        namespace["tap_output_aiter"] = _passthrough
        bases = (BaseCallbackHandler, _StreamingCallbackHandler)
    found = type("HeardByRunwire", bases, namespace)
    _heard_classes[streaming] = found
    return found


def _passthrough(self: Any, run_id: Any, output: Any) -> Any:  # noqa: ARG001 - langchain's signature
    return output


_heard: dict[int, tuple[Any, Any]] = {}


def heard_by_runwire(handler: Any) -> Any:
    """`handler` as langchain calls it: langchain-core's own handlers as they are, runwire's
    wrapped so they get runwire objects."""
    lc_base = sys.modules["langchain_core.callbacks.base"].BaseCallbackHandler
    if isinstance(handler, lc_base):
        return handler
    # One wrapper per handler: langchain de-duplicates handlers by identity (configure hooks).
    found = _heard.get(id(handler))
    if found is not None and found[0] is handler:
        return found[1]
    if len(_heard) >= 1024:
        _heard.clear()
    wrapper = _heard_class(bool(getattr(handler, "wants_tokens", False)))()
    _heard[id(handler)] = (handler, wrapper)
    wrapper.handler = handler
    methods = _overridden(type(handler))
    wrapper.run_inline = not any(methods.values())  # sync handlers run inline, as in runwire
    for event, is_async in methods.items():
        setattr(wrapper, event, _to_runwire_call(getattr(handler, event), is_async))
    return wrapper


def _to_runwire_call(method: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
    if is_async:

        async def acall(*args: Any, **kwargs: Any) -> Any:
            return await method(*from_lc(args), **kw_from_lc(kwargs))

        return acall

    def call(*args: Any, **kwargs: Any) -> Any:
        return method(*from_lc(args), **kw_from_lc(kwargs))

    return call


_wrapped: dict[int, tuple[Dispatch, list[Any]]] = {}


def _for_lc(dispatch: Dispatch) -> list[Any]:
    """The handlers of `dispatch` as langchain calls them (cached per compiled handler set, so a
    handler keeps one wrapper and langchain's identity de-duplication works)."""
    found = _wrapped.get(id(dispatch))
    if found is None or found[0] is not dispatch:
        if len(_wrapped) >= 256:
            _wrapped.clear()
        found = _wrapped[id(dispatch)] = (dispatch, [heard_by_runwire(h) for h in dispatch.handlers])
    return found[1]


def lc_callbacks(config: Any, *, is_async: bool) -> Any:
    """A langchain CallbackManager attaching langchain runs where a runwire run with `config`
    would attach (None when nobody listens). A langchain manager in `config` is returned as is."""
    from runwire.callbacks.context import current_run, scoped_handlers
    from runwire.callbacks.manager import _attach_point

    callbacks = config.get("callbacks") if config else None
    if callbacks is not None and _is_lc_manager(callbacks):
        return callbacks
    if isinstance(callbacks, RunAsLc):
        callbacks = callbacks.run.get_child()
    point = _attach_point({"callbacks": callbacks} if callbacks is not None else None)
    if point is None:
        scoped = scoped_handlers.get()
        if not scoped or current_run.get() is not None:
            return None
        dispatch = compile_handlers(scoped)
        point = (dispatch, dispatch, None, (), (), {}, {})
    dispatch, inh, parent_run_id, tags, inh_tags, md, inh_md = point
    if not dispatch.handlers and not inh.handlers:
        return None
    from langchain_core.callbacks import AsyncCallbackManager, CallbackManager

    cls = AsyncCallbackManager if is_async else CallbackManager
    return cls(
        handlers=list(_for_lc(dispatch)),
        inheritable_handlers=list(_for_lc(inh)),
        parent_run_id=parent_run_id,
        tags=list(tags),
        inheritable_tags=list(inh_tags),
        metadata=dict(md),
        inheritable_metadata=dict(inh_md),
    )


def lc_config(config: Any, *, is_async: bool) -> dict[str, Any]:
    """A langchain config for a call made from runwire with `config`: every key kept
    (configurable, recursion_limit, tags, metadata, ...) but callbacks made langchain's."""
    out = {k: v for k, v in (config or {}).items() if k != "callbacks"}
    callbacks = lc_callbacks(config, is_async=is_async)
    if callbacks is not None:
        out["callbacks"] = callbacks
    return out


# -- langchain managers and handlers inside runwire ---------------------------------------------


def _is_lc_manager(value: Any) -> bool:
    module = sys.modules.get("langchain_core.callbacks.base")
    return module is not None and isinstance(value, module.BaseCallbackManager)


def unwrap(handler: Any) -> Any:
    """The runwire handler a `HeardByRunwire` wraps (others unchanged)."""
    return handler.handler if type(handler).__name__ == "HeardByRunwire" else handler


def _unwrap(handlers: list[Any]) -> list[Any]:
    return [unwrap(h) for h in handlers]


def attach_from_lc(manager: Any) -> Any:
    """A runwire attach point (see `runwire.callbacks.attach.Attach`) from a langchain manager."""
    from runwire.callbacks.context import scoped_handlers

    scoped = scoped_handlers.get()
    return (
        compile_handlers((*_unwrap(manager.handlers), *scoped)),
        compile_handlers((*_unwrap(manager.inheritable_handlers), *scoped)),
        manager.parent_run_id,
        tuple(manager.tags),
        tuple(manager.inheritable_tags),
        dict(manager.metadata),
        dict(manager.inheritable_metadata),
    )


def attach_from_lc_context() -> Any:
    """The attach point langchain's `var_child_runnable_config` describes (a runwire call made
    with no config inside a langchain run), or None."""
    config = sys.modules["langchain_core.runnables.config"].var_child_runnable_config.get()
    callbacks = config.get("callbacks") if config else None
    if callbacks is None:
        return None
    if isinstance(callbacks, RunAsLc):
        return callbacks.run.get_child()._attach()
    if isinstance(callbacks, list):
        dispatch = compile_handlers(_unwrap(callbacks))
        tags, md = tuple(config.get("tags") or ()), dict(config.get("metadata") or {})
        return (dispatch, dispatch, None, tags, tags, md, md)
    return attach_from_lc(callbacks)


def lc_method(method: Callable[..., Any], is_async: bool) -> Callable[..., Any]:
    """`method` of a langchain-core handler, called with langchain-core objects."""
    if is_async:

        async def acall(*args: Any, **kwargs: Any) -> Any:
            return await method(*to_lc(args), **kw_to_lc(kwargs))

        return acall

    def call(*args: Any, **kwargs: Any) -> Any:
        return method(*to_lc(args), **kw_to_lc(kwargs))

    return call


def lc_wants_tokens(handler: Any) -> bool:
    """langchain's rule: a streaming handler (LangGraph's messages stream) makes models stream."""
    return callable(getattr(handler, "tap_output_iter", None))


# -- runwire runs as langchain's current config -------------------------------------------------


class RunAsLc:
    """The `callbacks` runwire puts in langchain's `var_child_runnable_config` while one of its
    runs executes: langchain copies it (`ensure_config`, several times per langchain call), so
    the real manager is built on the first copy only and copied after that."""

    __slots__ = ("_manager", "run")

    def __init__(self, run: Any) -> None:
        self.run = run
        self._manager: Any = None

    def copy(self) -> Any:
        manager = self._manager
        if manager is None:
            manager = lc_callbacks({"callbacks": self.run.get_child()}, is_async=False)
            if manager is None:
                from langchain_core.callbacks import CallbackManager

                manager = CallbackManager(handlers=[], parent_run_id=self.run.run_id)
            self._manager = manager
        return manager.copy()


def enter_lc(run: Any) -> Any:
    """Make `run` langchain's current parent too; returns the token for `exit_lc`."""
    var = sys.modules["langchain_core.runnables.config"].var_child_runnable_config
    outer = var.get()
    return var, var.set({**outer, "callbacks": RunAsLc(run)} if outer else {"callbacks": RunAsLc(run)})


def exit_lc(token: Any) -> None:
    var, inner = token
    var.reset(inner)
