"""Dispatch: which handler methods hear an event, and calling them safely.

A set of handlers is compiled once into a table `event -> ((handler, method, is_async), ...)`
holding only the methods a handler overrides and does not ignore, so an event nobody listens to
costs one dict lookup, and a handler set that listens to nothing lets the runtime skip runs
entirely. Calling is sequential and in order (runtime handlers before constructor ones) on every
path; a failing handler is logged and swallowed, or re-raised after the others got the event
when it sets `raise_error`. Not here: run ids, parents or tags (see `manager`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from runwire.callbacks.base import DEFAULT_MODULES
from runwire.callbacks.handler_loop import deliver_sync


class _LazyLogger:
    """`logging` costs ~5 ms to import; it is loaded the first time a handler fails."""

    def __getattr__(self, name: str) -> Any:
        import logging

        return getattr(logging.getLogger("runwire.callbacks"), name)


logger: Any = _LazyLogger()

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

Entry = tuple[Any, Callable[..., Any], bool, bool]  # handler, method, is_async, gets copies
ChatEntry = tuple[Any, Callable[..., Any], bool, bool, bool]  # ... is_async, falls back to llm, copies

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


_MUTABLE = (dict, list)
_ABSENT: Any = object()  # a keyword argument not passed at all


def _log_failure(handler: Any, event: str, exc: BaseException, run_id: Any) -> None:
    logger.warning("Error in %s.%s callback for run %s: %r", type(handler).__name__, event, run_id, exc)


def call_handlers(entries: tuple[Entry, ...], event: str, args: tuple[Any, ...], kw: dict[str, Any]) -> None:
    """Call each entry in order (sync path). Async methods run on the background loop."""
    deliver(entries, event, args, kw, kw.get("tags"), kw.get("metadata"))


def deliver(  # noqa: PLR0917 - the hot path: positional, no keyword parsing
    entries: tuple[Entry, ...],
    event: str,
    args: tuple[Any, ...],
    kw: dict[str, Any],
    tags: Any,
    metadata: dict[str, Any] | None,
) -> None:
    """`call_handlers` with the run's tags and metadata apart from `kw` (the runs' hot path):
    each handler gets its own list and dict, so one cannot corrupt another or the run."""
    error: BaseException | None = None
    mutable = False
    for arg in args:  # inline, not a helper: this runs for every event
        if arg.__class__ in _MUTABLE:
            mutable = True
            break
    for handler, method, is_async, copies in entries:
        if tags is not None:
            kw["tags"] = [*tags]
        if metadata is not None:
            kw["metadata"] = metadata.copy()
        try:
            result = method(*_own(args), **kw) if mutable and copies else method(*args, **kw)
            if result is not None and (is_async or _is_coroutine(result)):
                _deliver_sync(handler, event, result, kw)
        except Exception as exc:
            if _failed(handler, event, exc, kw.get("run_id")) and error is None:
                error = exc
    if error is not None:
        raise error


def deliver_start(  # noqa: PLR0917 - the hot path: positional, no keyword parsing
    entries: tuple[Entry, ...],
    serialized: dict[str, Any],
    inputs: Any,
    run_id: Any,
    parent_run_id: Any,
    tags: Any,
    metadata: dict[str, Any],
    name: Any,
    run_type: Any = _ABSENT,
) -> None:
    """`on_chain_start` with langchain-core's keywords (`run_type` too where the run has one) and
    no others: the keywords go straight into each handler's call, and each handler gets its own
    copies of everything mutable."""
    error: BaseException | None = None
    own_inputs = inputs.__class__ in _MUTABLE
    for handler, method, is_async, copies in entries:
        try:
            if copies:
                first, second = serialized.copy(), inputs.copy() if own_inputs else inputs
            else:
                first, second = serialized, inputs
            if run_type is _ABSENT:
                result = method(
                    first,
                    second,
                    run_id=run_id,
                    parent_run_id=parent_run_id,
                    tags=[*tags],
                    metadata=metadata.copy(),
                    name=name,
                )
            else:
                result = method(
                    first,
                    second,
                    run_id=run_id,
                    parent_run_id=parent_run_id,
                    tags=[*tags],
                    metadata=metadata.copy(),
                    name=name,
                    run_type=run_type,
                )
            if result is not None and (is_async or _is_coroutine(result)):
                _deliver_sync(handler, "on_chain_start", result, {"run_id": run_id})
        except Exception as exc:
            if _failed(handler, "on_chain_start", exc, run_id) and error is None:
                error = exc
    if error is not None:
        raise error


def deliver_end(  # noqa: PLR0917 - the hot path: positional, no keyword parsing
    entries: tuple[Entry, ...], event: str, output: Any, run_id: Any, parent_run_id: Any, tags: Any
) -> None:
    """An end event with langchain-core's keywords and no others (every run's last event)."""
    error: BaseException | None = None
    own = output.__class__ in _MUTABLE
    for handler, method, is_async, copies in entries:
        try:
            result = method(
                output.copy() if own and copies else output,
                run_id=run_id,
                parent_run_id=parent_run_id,
                tags=[*tags],
            )
            if result is not None and (is_async or _is_coroutine(result)):
                _deliver_sync(handler, event, result, {"run_id": run_id})
        except Exception as exc:
            if _failed(handler, event, exc, run_id) and error is None:
                error = exc
    if error is not None:
        raise error


def deliver_token(  # noqa: PLR0917 - the hot path: positional, no keyword parsing
    entries: tuple[Entry, ...],
    token: Any,
    chunk: Any,
    run_id: Any,
    parent_run_id: Any,
    tags: Any,
    token_by_keyword: bool = True,
) -> None:
    """`on_llm_new_token` with no extra keywords, once per streamed token: the keywords go
    straight into each handler's call (one dict built per handler, not two). langchain-core's
    sync run manager passes `token=` by keyword, its async one positionally."""
    error: BaseException | None = None
    for handler, method, is_async, _ in entries:
        try:
            if token_by_keyword:
                result = method(
                    run_id=run_id, parent_run_id=parent_run_id, tags=[*tags], chunk=chunk, token=token
                )
            else:
                result = method(token, run_id=run_id, parent_run_id=parent_run_id, tags=[*tags], chunk=chunk)
            if result is not None and (is_async or _is_coroutine(result)):
                _deliver_sync(handler, "on_llm_new_token", result, {"run_id": run_id})
        except Exception as exc:
            if _failed(handler, "on_llm_new_token", exc, run_id) and error is None:
                error = exc
    if error is not None:
        raise error


def _failed(handler: Any, event: str, exc: Exception, run_id: Any) -> bool:
    """Log a handler's failure; True when it must reach the caller (`raise_error`)."""
    if isinstance(exc, NotImplementedError):
        logger.warning("NotImplementedError in %s.%s callback: %r", type(handler).__name__, event, exc)
        return False
    _log_failure(handler, event, exc, run_id)
    return bool(getattr(handler, "raise_error", False))


async def acall_handlers(
    entries: tuple[Entry, ...], event: str, args: tuple[Any, ...], kw: dict[str, Any]
) -> None:
    """Call each entry in order on the running loop (async path); async methods are awaited."""
    error: BaseException | None = None
    tags = kw.get("tags")
    metadata = kw.get("metadata")
    mutable = False
    for arg in args:
        if arg.__class__ in _MUTABLE:
            mutable = True
            break
    for handler, method, is_async, copies in entries:
        if tags is not None:
            kw["tags"] = [*tags]
        if metadata is not None:
            kw["metadata"] = metadata.copy()
        try:
            result = method(*_own(args), **kw) if mutable and copies else method(*args, **kw)
            if result is not None and (is_async or _is_coroutine(result)):
                await result
        except Exception as exc:
            if _failed(handler, event, exc, kw.get("run_id")) and error is None:
                error = exc
    if error is not None:
        raise error


def _own(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Top-level copies of the dict and list arguments (inputs, outputs, the cached `serialized`):
    a handler that edits what it is given must not change the run's data or other handlers' view."""
    if len(args) == 2:  # start events: (serialized, inputs), unrolled for the hot path
        first, second = args
        return (
            first.copy() if first.__class__ in _MUTABLE else first,
            second.copy() if second.__class__ in _MUTABLE else second,
        )
    return tuple(arg.copy() if arg.__class__ in _MUTABLE else arg for arg in args)


def _is_coroutine(value: Any) -> bool:
    return type(value).__name__ == "coroutine" and hasattr(value, "send")


# An async handler's coroutine from sync code: run now when `raise_error`, else delivered in order
# without waiting (see `handler_loop`). Bound directly: this runs for every such event.
_deliver_sync = deliver_sync


# ---------------------------------------------------------------------------------------------
# Chat-model starts: `on_chat_model_start`, or `on_llm_start` with rendered prompts for handlers
# that lack it (or raise NotImplementedError from it), as langchain-core does.

_NO_MD: dict[str, Any] = {}
_KW_PAYLOADS = ("invocation_params", "options")  # dict-valued keywords of a model start


def _chat_kw(
    kw: dict[str, Any], tags: Any, metadata: Any, saved: list[tuple[str, Any]], copies: bool
) -> None:
    """One handler's own keywords of a model start: tags, metadata and the dict payloads."""
    kw["tags"], kw["metadata"] = [*(tags or ())], {**(metadata or _NO_MD)}
    if copies:
        for key, value in saved:
            kw[key] = value.copy()


def _chat_args(args: tuple[Any, ...], copies: bool) -> tuple[Any, ...]:
    """One handler's own (serialized, [messages or prompts]): edits reach neither the model's
    input nor the cached `serialized` nor the next handler."""
    if not copies:
        return args
    serialized, batches = args
    return (
        serialized.copy() if serialized.__class__ is dict else serialized,
        [batch.copy() if batch.__class__ is list else batch for batch in batches],
    )


def _saved_payloads(kw: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(key, kw[key]) for key in _KW_PAYLOADS if kw.get(key).__class__ is dict]


def call_chat_start(
    entries: tuple[ChatEntry, ...],
    chat_args: tuple[Any, ...],
    llm_args: Callable[[], tuple[Any, ...]],
    kw: dict[str, Any],
) -> None:
    error: BaseException | None = None
    tags, metadata, saved = kw.get("tags"), kw.get("metadata"), _saved_payloads(kw)
    for handler, method, is_async, fallback, copies in entries:
        _chat_kw(kw, tags, metadata, saved, copies)
        event = "on_llm_start" if fallback else "on_chat_model_start"
        try:
            try:
                result = method(*_chat_args(llm_args() if fallback else chat_args, copies), **kw)
                if result is not None and (is_async or _is_coroutine(result)):
                    _deliver_sync(handler, event, result, kw)
            except NotImplementedError:
                if fallback or getattr(handler, "ignore_llm", False):
                    raise
                event = "on_llm_start"
                result = handler.on_llm_start(*_chat_args(llm_args(), copies), **kw)
                if _is_coroutine(result):
                    _deliver_sync(handler, event, result, kw)
        except Exception as exc:
            if _failed(handler, event, exc, kw.get("run_id")) and error is None:
                error = exc
    if error is not None:
        raise error


def deliver_chat_start(  # noqa: PLR0917 - once per model run: positional, no keyword parsing
    entries: tuple[ChatEntry, ...],
    run: Any,
    serialized: dict[str, Any],
    messages: list[Any],
    name: str,
    invocation_params: dict[str, Any],
    options: dict[str, Any],
    llm_args: Callable[[], tuple[Any, ...]],
) -> None:
    """A chat model run's start from sync code: `call_chat_start` with langchain-core's keywords
    passed straight into each handler's call (no keyword dict built and copied per handler)."""
    error: BaseException | None = None
    run_id, parent_run_id, tags, metadata = run.run_id, run.parent_run_id, run._tags, run._md
    for handler, method, is_async, fallback, copies in entries:
        use_llm = fallback  # no on_chat_model_start: on_llm_start with the rendered prompts
        if not fallback:
            try:
                result = method(
                    serialized.copy() if copies else serialized,
                    [[*messages] if copies else messages],
                    run_id=run_id,
                    parent_run_id=parent_run_id,
                    tags=[*tags],
                    metadata=metadata.copy(),
                    name=name,
                    invocation_params=invocation_params.copy() if copies else invocation_params,
                    options=options.copy() if copies else options,
                    batch_size=1,
                )
                if result is not None and (is_async or _is_coroutine(result)):
                    _deliver_sync(handler, "on_chat_model_start", result, {"run_id": run_id})
            except NotImplementedError as exc:
                use_llm = not getattr(handler, "ignore_llm", False)
                if not use_llm:
                    _failed(handler, "on_chat_model_start", exc, run_id)
            except Exception as exc:
                if _failed(handler, "on_chat_model_start", exc, run_id) and error is None:
                    error = exc
        if use_llm:
            kw = {
                "run_id": run_id,
                "parent_run_id": parent_run_id,
                "tags": tags,
                "metadata": metadata,
                "name": name,
                "invocation_params": invocation_params,
                "options": options,
                "batch_size": 1,
            }
            try:
                llm = (
                    (handler, method, is_async, True, copies)
                    if fallback
                    else (handler, handler.on_llm_start, False, True, copies)
                )
                call_chat_start((llm,), (), llm_args, kw)
            except Exception as raised:  # only what `raise_error` lets through
                error = error or raised
    if error is not None:
        raise error


async def acall_chat_start(
    entries: tuple[ChatEntry, ...],
    chat_args: tuple[Any, ...],
    llm_args: Callable[[], tuple[Any, ...]],
    kw: dict[str, Any],
) -> None:
    error: BaseException | None = None
    tags, metadata, saved = kw.get("tags"), kw.get("metadata"), _saved_payloads(kw)
    for handler, method, is_async, fallback, copies in entries:
        _chat_kw(kw, tags, metadata, saved, copies)
        event = "on_llm_start" if fallback else "on_chat_model_start"
        try:
            try:
                result = method(*_chat_args(llm_args() if fallback else chat_args, copies), **kw)
                if result is not None and (is_async or _is_coroutine(result)):
                    await result
            except NotImplementedError:
                if fallback or getattr(handler, "ignore_llm", False):
                    raise
                event = "on_llm_start"
                result = handler.on_llm_start(*_chat_args(llm_args(), copies), **kw)
                if _is_coroutine(result):
                    await result
        except Exception as exc:
            if _failed(handler, event, exc, kw.get("run_id")) and error is None:
                error = exc
    if error is not None:
        raise error
