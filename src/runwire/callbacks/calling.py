"""Calling handlers: each listening handler of an event, in order, with its own copies.

The general entry points (`call_handlers`, `call_chat_start` and their async twins) take the
event's keywords as a dict; the run managers' hot paths (`deliver_start`, `deliver_one`,
`deliver_token`, `deliver_chat_start`) pass langchain-core's keywords straight into each call,
so no keyword dict is built and copied per event. Every handler gets its own `tags` list,
`metadata` dict and shallow copies of dict and list payloads (unless it declares
`payloads_read_only`); a failing handler is logged and swallowed, or re-raised after the others
got the event when it sets `raise_error`. Not here: which handler hears what (see `dispatch`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runwire.callbacks.handler_loop import deliver_sync  # an async handler's coroutine from sync code


class _LazyLogger:
    """`logging` costs ~5 ms to import; it is loaded the first time a handler fails."""

    def __getattr__(self, name: str) -> Any:
        import logging

        return getattr(logging.getLogger("runwire.callbacks"), name)


logger: Any = _LazyLogger()


Entry = tuple[Any, Callable[..., Any], bool, bool]  # handler, method, is_async, gets copies
ChatEntry = tuple[Any, Callable[..., Any], bool, bool, bool]  # ... is_async, falls back to llm, copies

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
                deliver_sync(handler, event, result, kw)
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
                deliver_sync(handler, "on_chain_start", result, {"run_id": run_id})
        except Exception as exc:
            if _failed(handler, "on_chain_start", exc, run_id) and error is None:
                error = exc
    if error is not None:
        raise error


def deliver_one(  # noqa: PLR0917 - the hot path: positional, no keyword parsing
    entries: tuple[Entry, ...], event: str, output: Any, run_id: Any, parent_run_id: Any, tags: Any
) -> None:
    """An event with one payload and langchain-core's three keywords, no others: every run's
    end, and each streamed chunk, text, retry or agent step."""
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
                deliver_sync(handler, event, result, {"run_id": run_id})
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
                deliver_sync(handler, "on_llm_new_token", result, {"run_id": run_id})
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
                    deliver_sync(handler, event, result, kw)
            except NotImplementedError:
                if fallback or getattr(handler, "ignore_llm", False):
                    raise
                event = "on_llm_start"
                result = handler.on_llm_start(*_chat_args(llm_args(), copies), **kw)
                if _is_coroutine(result):
                    deliver_sync(handler, event, result, kw)
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
                    deliver_sync(handler, "on_chat_model_start", result, {"run_id": run_id})
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
