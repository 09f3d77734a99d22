"""Dispatch: which handler methods hear an event, and calling them safely.

A set of handlers is compiled once into a table `event -> ((handler, method, is_async), ...)`
holding only the methods a handler overrides and does not ignore, so an event nobody listens to
costs one dict lookup, and a handler set that listens to nothing lets the runtime skip runs
entirely. Calling is sequential and in order (runtime handlers before constructor ones) on every
path; a failing handler is logged and swallowed, or re-raised after the others got the event
when it sets `raise_error` (see `calling`). Not here: run ids, parents or tags (see `manager`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from runwire.callbacks.base import DEFAULT_MODULES
from runwire.callbacks.calling import (
    ChatEntry,
    Entry,
    acall_chat_start,
    acall_handlers,
    call_chat_start,
    call_handlers,
    logger,
)

__all__ = [  # what runs, managers and replays import from here; calling lives in `calling`
    "EMPTY",
    "EVENTS",
    "Dispatch",
    "acall_chat_start",
    "acall_handlers",
    "call_chat_start",
    "call_handlers",
    "compile_handlers",
    "logger",
]


# Every event and the `ignore_*` flag that silences it ("" = cannot be ignored).
EVENTS: dict[str, str] = {
    "on_llm_start": "ignore_llm",
    "on_chat_model_start": "ignore_chat_model",
    "on_llm_new_token": "ignore_llm",
    "on_llm_end": "ignore_llm",
    "on_llm_error": "ignore_llm",
    "on_chain_start": "ignore_chain",
    "on_chain_end": "ignore_chain",
    "on_chain_error": "ignore_chain",
    "on_chain_stream": "ignore_chain",  # runwire: each chunk a streamed chain run yields
    "on_agent_action": "ignore_agent",
    "on_agent_finish": "ignore_agent",
    "on_tool_start": "ignore_agent",
    "on_tool_end": "ignore_agent",
    "on_tool_error": "ignore_agent",
    "on_retriever_start": "ignore_retriever",
    "on_retriever_end": "ignore_retriever",
    "on_retriever_error": "ignore_retriever",
    "on_text": "",
    "on_retry": "ignore_retry",
    "on_custom_event": "ignore_custom_event",
}


_class_cache: dict[type, dict[str, bool]] = {}


def _overridden(cls: type) -> dict[str, bool]:
    """Events whose method `cls` defines itself (not a base default), mapped to is-async."""
    found = _class_cache.get(cls)
    if found is None:
        from inspect import iscoroutinefunction

        found = {}
        for event in EVENTS:
            fn = getattr(cls, event, None)
            if fn is None or not callable(fn):
                continue
            func = getattr(fn, "__func__", fn)
            if getattr(func, "__module__", None) in DEFAULT_MODULES:
                continue
            found[event] = iscoroutinefunction(func)
        _class_cache[cls] = found
    return found


def _flag(handler: Any, name: str) -> bool:
    if not name:
        return False
    try:
        return bool(getattr(handler, name, False))
    except Exception:  # a broken property must not break the run
        logger.exception("%s.%s raised; treating it as False", type(handler).__name__, name)
        return False


_modules = sys.modules


def _langchain_bridge(handler: Any) -> Any:
    """runwire.interop.langchain's bridge if `handler` is a langchain-core handler (which gets
    langchain-core objects), else None. Read at compile time only, never per event."""
    module = _modules.get("langchain_core.callbacks.base")
    if module is None or not isinstance(handler, module.BaseCallbackHandler):
        return None
    from runwire.interop.langchain import _bridge

    return _bridge


class Dispatch:
    """A compiled, immutable handler set. `listening` is False when no method would ever run."""

    __slots__ = ("all_sync", "chat_start", "handlers", "listening", "scopes", "table", "wants_tokens")

    def __init__(self, handlers: Sequence[Any]) -> None:
        unique: list[Any] = []
        foreign: dict[int, Any] = {}
        for handler in handlers:
            bridge = _langchain_bridge(handler)
            if bridge is not None:
                inner = bridge.unwrap(handler)  # a runwire handler wrapped for langchain: itself
                if inner is handler:
                    foreign[id(handler)] = bridge
                handler = inner  # noqa: PLW2901
            if not any(handler is seen for seen in unique):  # identity: one object hears once
                unique.append(handler)
        self.handlers: tuple[Any, ...] = tuple(unique)
        table: dict[str, list[Entry]] = {}
        chat_start: list[ChatEntry] = []
        for handler in self.handlers:
            methods = _overridden(type(handler))
            copies = not _flag(handler, "payloads_read_only")
            bridge = foreign.get(id(handler))

            def get(event: str, is_async: bool, h: Any = handler, b: Any = bridge) -> Any:
                method = getattr(h, event)
                return method if b is None else b.lc_method(method, is_async)

            for event, is_async in methods.items():
                if not _flag(handler, EVENTS[event]):
                    table.setdefault(event, []).append((handler, get(event, is_async), is_async, copies))
            # Chat starts go to on_chat_model_start, else fall back to on_llm_start (as langchain).
            if "on_chat_model_start" in methods:
                if not _flag(handler, "ignore_chat_model"):
                    chat_start.append(
                        (
                            handler,
                            get("on_chat_model_start", methods["on_chat_model_start"]),
                            methods["on_chat_model_start"],
                            False,
                            copies,
                        )
                    )
            elif "on_llm_start" in methods and not _flag(handler, "ignore_llm"):
                chat_start.append(
                    (
                        handler,
                        get("on_llm_start", methods["on_llm_start"]),
                        methods["on_llm_start"],
                        True,
                        copies,
                    )
                )
        self.table: dict[str, tuple[Entry, ...]] = {k: tuple(v) for k, v in table.items()}
        self.chat_start = tuple(chat_start)
        self.listening = bool(self.table) or bool(self.chat_start)
        # No async method anywhere: async code paths may call handlers without awaiting (no
        # coroutine per event), since sync handlers run inline on the loop thread anyway.
        self.all_sync = not any(e[2] for entries in self.table.values() for e in entries) and not any(
            e[2] for e in self.chat_start
        )
        # Handlers that own a context around each run's body (e.g. OpenTelemetry spans).
        self.scopes = tuple(
            (h, h.enter_run, h.exit_run)
            for h in self.handlers
            if callable(getattr(h, "enter_run", None)) and callable(getattr(h, "exit_run", None))
        )
        self.listening = self.listening or bool(self.scopes)
        # A handler asks chat models to stream inside `invoke` so it hears tokens (see BaseChatModel).
        self.wants_tokens = "on_llm_new_token" in self.table and any(
            _flag(h, "wants_tokens") or (id(h) in foreign and foreign[id(h)].lc_wants_tokens(h))
            for h, *_ in self.table["on_llm_new_token"]
        )

    def __contains__(self, event: str) -> bool:
        return event in self.table

    def merged(self, more: Sequence[Any]) -> Dispatch:
        """This set followed by `more` (duplicates by identity dropped)."""
        if not more:
            return self
        return compile_handlers((*self.handlers, *more))

    def __repr__(self) -> str:
        return f"Dispatch({list(self.handlers)!r}, events={sorted(self.table)})"


EMPTY = Dispatch(())

_compiled: dict[Any, Dispatch] = {}  # by id(handler) for one handler, else the ids' tuple
_COMPILED_MAX = 256


def compile_handlers(handlers: Sequence[Any]) -> Dispatch:
    """The Dispatch for `handlers`, cached by identity (bounded: a handler made per call is fine)."""
    if not handlers:
        return EMPTY
    key: Any = id(handlers[0]) if len(handlers) == 1 else tuple(map(id, handlers))
    found = _compiled.get(key)
    # The cache holds the handlers alive, so a matching id tuple means the same objects.
    if found is not None:
        return found
    for handler in handlers:
        if not hasattr(handler, "on_chain_start") and not _overridden(type(handler)):
            raise TypeError(
                f"callbacks must be handlers (objects with on_* methods, e.g. BaseCallbackHandler "
                f"subclasses), got {handler!r}. Pass config={{'callbacks': [MyHandler()]}}."
            )
    found = Dispatch(handlers)
    if len(_compiled) >= _COMPILED_MAX:
        _compiled.clear()
    _compiled[key] = found
    return found


# ---------------------------------------------------------------------------------------------
# Calling handlers
