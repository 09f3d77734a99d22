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
import threading
import types
from collections import deque
from collections.abc import Callable, Coroutine, Generator, Sequence
from typing import Any

from runwire.callbacks.base import DEFAULT_MODULES


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
        chat_start: list[tuple[Any, Callable[..., Any], bool, bool]] = []
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
                        )
                    )
            elif "on_llm_start" in methods and not _flag(handler, "ignore_llm"):
                chat_start.append(
                    (handler, get("on_llm_start", methods["on_llm_start"]), methods["on_llm_start"], True)
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

_compiled: dict[tuple[int, ...], Dispatch] = {}
_COMPILED_MAX = 256


def compile_handlers(handlers: Sequence[Any]) -> Dispatch:
    """The Dispatch for `handlers`, cached by identity (bounded: a handler made per call is fine)."""
    if not handlers:
        return EMPTY
    key = tuple(map(id, handlers))
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


def _log_failure(handler: Any, event: str, exc: BaseException, run_id: Any) -> None:
    logger.warning("Error in %s.%s callback for run %s: %r", type(handler).__name__, event, run_id, exc)


def call_handlers(entries: tuple[Entry, ...], event: str, args: tuple[Any, ...], kw: dict[str, Any]) -> None:
    """Call each entry in order (sync path). Async methods run on the background loop."""
    error: BaseException | None = None
    tags = kw.get("tags")
    metadata = kw.get("metadata")
    mutable = _has_mutable(args)
    for handler, method, is_async, copies in entries:
        # Each handler gets its own tags list and metadata dict: one cannot corrupt another.
        if tags is not None:
            kw["tags"] = list(tags)
        if metadata is not None:
            kw["metadata"] = dict(metadata)
        try:
            result = method(*(_own(args) if mutable and copies else args), **kw)
            if result is not None and (is_async or _is_coroutine(result)):
                _deliver_sync(handler, event, result, kw)
        except NotImplementedError as exc:
            logger.warning("NotImplementedError in %s.%s callback: %r", type(handler).__name__, event, exc)
        except Exception as exc:
            _log_failure(handler, event, exc, kw.get("run_id"))
            if error is None and getattr(handler, "raise_error", False):
                error = exc
    if error is not None:
        raise error


async def acall_handlers(
    entries: tuple[Entry, ...], event: str, args: tuple[Any, ...], kw: dict[str, Any]
) -> None:
    """Call each entry in order on the running loop (async path); async methods are awaited."""
    error: BaseException | None = None
    tags = kw.get("tags")
    metadata = kw.get("metadata")
    mutable = _has_mutable(args)
    for handler, method, is_async, copies in entries:
        if tags is not None:
            kw["tags"] = list(tags)
        if metadata is not None:
            kw["metadata"] = dict(metadata)
        try:
            result = method(*(_own(args) if mutable and copies else args), **kw)
            if result is not None and (is_async or _is_coroutine(result)):
                await result
        except NotImplementedError as exc:
            logger.warning("NotImplementedError in %s.%s callback: %r", type(handler).__name__, event, exc)
        except Exception as exc:
            _log_failure(handler, event, exc, kw.get("run_id"))
            if error is None and getattr(handler, "raise_error", False):
                error = exc
    if error is not None:
        raise error


_MUTABLE = (dict, list)


def _has_mutable(args: tuple[Any, ...]) -> bool:
    for arg in args:  # not any(<generator>): this runs for every event
        kind = arg.__class__
        if kind is dict or kind is list:
            return True
    return False


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
# Async handlers under sync code: one long-lived background loop, never a loop per event.

_loop_lock = threading.Lock()
_loop: Any = None
_loop_thread: threading.Thread | None = None


def _background_loop() -> Any:
    global _loop, _loop_thread
    if _loop is not None:
        return _loop
    with _loop_lock:
        if _loop is None:
            import asyncio

            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def serve() -> None:
                asyncio.set_event_loop(loop)
                ready.set()
                loop.run_forever()

            thread = threading.Thread(target=serve, name="runwire-handlers", daemon=True)
            thread.start()
            ready.wait()
            _loop, _loop_thread = loop, thread
    return _loop


def run_coroutine_sync(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a handler coroutine to completion from sync code, in the caller's context."""
    import asyncio
    import contextvars

    if threading.current_thread() is _loop_thread:
        # Sync code called from a handler on the background loop itself: waiting on that loop
        # would deadlock, so this one coroutine gets a private loop.
        return asyncio.run(coro)
    loop = _background_loop()
    from concurrent.futures import Future

    context = contextvars.copy_context()
    done: Future[Any] = Future()

    def finish(task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            done.cancel()
        elif (exc := task.exception()) is not None:
            done.set_exception(exc)
        else:
            done.set_result(task.result())

    def start() -> None:
        loop.create_task(coro, context=context).add_done_callback(finish)

    loop.call_soon_threadsafe(start)
    return done.result()


def _deliver_sync(handler: Any, event: str, coro: Any, kw: dict[str, Any]) -> None:
    """An async handler's coroutine, from sync code: awaited now when its errors must reach the
    caller (`raise_error`), else posted in order to the background loop (see `post_coroutine`)."""
    if getattr(handler, "raise_error", False):
        run_coroutine_sync(coro)
    else:
        post_coroutine(coro, handler, event, kw.get("run_id"))


# Posted coroutines: one consumer task on the background loop awaits them in the order they were
# posted, so a sync batch with an async handler pays no cross-thread round trip per event. The
# caller waits once, at a barrier (`drain_posted`: a root run's end, a batch's end), so every event
# has been delivered by the time invoke/batch returns, as before.
_posted: deque[tuple[Any, Any, Any, str, Any]] = deque()
_post_lock = threading.Lock()
_delivered = threading.Condition(_post_lock)
_consuming = False
_waiters = 0
posted = 0  # coroutines posted so far (read without the lock: a barrier with nothing pending is free)
done = 0  # of them, delivered (written by the consumer only)


def post_coroutine(coro: Any, handler: Any, event: str, run_id: Any) -> None:
    """Queue an async handler's coroutine for the background loop, in the caller's context."""
    global _consuming, posted
    import contextvars

    loop = _background_loop()
    item = (coro, contextvars.copy_context(), handler, event, run_id)
    with _post_lock:
        _posted.append(item)
        posted += 1
        start = not _consuming
        _consuming = True
    if start:
        loop.call_soon_threadsafe(_start_consumer, loop)


def _start_consumer(loop: Any) -> None:
    loop.create_task(_consume(loop))


async def _consume(loop: Any) -> None:
    global _consuming, done
    while True:
        try:
            coro, context, handler, event, run_id = _posted.popleft()
        except IndexError:
            with _post_lock:
                if _posted:
                    continue
                _consuming = False
                return
        try:
            # Most handlers finish in one step: run that step in the caller's context, no Task.
            pending = context.run(coro.send, None)
        except StopIteration:
            pass
        except BaseException as exc:  # the consumer must outlive any handler
            _log_failure(handler, event, exc, run_id)
        else:
            try:
                await loop.create_task(_resume(coro, pending), context=context)
            except BaseException as exc:
                _log_failure(handler, event, exc, run_id)
        done += 1  # before reading _waiters: a barrier that registered after this read sees it
        if _waiters:
            with _delivered:
                _delivered.notify_all()


@types.coroutine
def _resume(coro: Any, pending: Any) -> Generator[Any, Any, Any]:
    """Drive a coroutine that already ran its first step and yielded `pending` (a future)."""
    value = pending
    while True:
        try:
            sent = yield value
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:
            try:
                value = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
        else:
            try:
                value = coro.send(sent)
            except StopIteration as stop:
                return stop.value


def drain_posted() -> None:
    """Wait until every coroutine posted so far was delivered (a no-op when none is pending, and
    on the background loop itself, which cannot wait for its own consumer)."""
    global _waiters
    if done == posted or threading.current_thread() is _loop_thread:
        return
    with _delivered:
        target = posted
        _waiters += 1
        try:
            while done < target:
                _delivered.wait()
        finally:
            _waiters -= 1


async def adrain_posted() -> None:
    """`drain_posted` for async code (a sync child inside an async root posted events)."""
    if done != posted:
        import asyncio

        await asyncio.get_running_loop().run_in_executor(None, drain_posted)


# ---------------------------------------------------------------------------------------------
# Chat-model starts: `on_chat_model_start`, or `on_llm_start` with rendered prompts for handlers
# that lack it (or raise NotImplementedError from it), as langchain-core does.

ChatEntry = tuple[Any, Callable[..., Any], bool, bool]


def call_chat_start(
    entries: tuple[ChatEntry, ...],
    chat_args: tuple[Any, ...],
    llm_args: Callable[[], tuple[Any, ...]],
    kw: dict[str, Any],
) -> None:
    error: BaseException | None = None
    tags, metadata = kw.get("tags"), kw.get("metadata")
    for handler, method, is_async, fallback in entries:
        kw["tags"], kw["metadata"] = list(tags or ()), dict(metadata or {})
        event = "on_llm_start" if fallback else "on_chat_model_start"
        try:
            try:
                result = method(*(llm_args() if fallback else chat_args), **kw)
                if is_async or _is_coroutine(result):
                    _deliver_sync(handler, event, result, kw)
            except NotImplementedError:
                if fallback or getattr(handler, "ignore_llm", False):
                    raise
                event = "on_llm_start"
                result = handler.on_llm_start(*llm_args(), **kw)
                if _is_coroutine(result):
                    _deliver_sync(handler, event, result, kw)
        except NotImplementedError as exc:
            logger.warning("NotImplementedError in %s.%s callback: %r", type(handler).__name__, event, exc)
        except Exception as exc:
            _log_failure(handler, event, exc, kw.get("run_id"))
            if error is None and getattr(handler, "raise_error", False):
                error = exc
    if error is not None:
        raise error


async def acall_chat_start(
    entries: tuple[ChatEntry, ...],
    chat_args: tuple[Any, ...],
    llm_args: Callable[[], tuple[Any, ...]],
    kw: dict[str, Any],
) -> None:
    error: BaseException | None = None
    tags, metadata = kw.get("tags"), kw.get("metadata")
    for handler, method, is_async, fallback in entries:
        kw["tags"], kw["metadata"] = list(tags or ()), dict(metadata or {})
        event = "on_llm_start" if fallback else "on_chat_model_start"
        try:
            try:
                result = method(*(llm_args() if fallback else chat_args), **kw)
                if is_async or _is_coroutine(result):
                    await result
            except NotImplementedError:
                if fallback or getattr(handler, "ignore_llm", False):
                    raise
                event = "on_llm_start"
                result = handler.on_llm_start(*llm_args(), **kw)
                if _is_coroutine(result):
                    await result
        except NotImplementedError as exc:
            logger.warning("NotImplementedError in %s.%s callback: %r", type(handler).__name__, event, exc)
        except Exception as exc:
            _log_failure(handler, event, exc, kw.get("run_id"))
            if error is None and getattr(handler, "raise_error", False):
                error = exc
    if error is not None:
        raise error
