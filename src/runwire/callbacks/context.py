"""Run context: which run is current in this thread or task, and cheap run ids.

The current run is held in one ContextVar, written only while a run that somebody listens to
executes its body, so a runnable called inside it with no config still nests under it. Threads
from the library's executors and asyncio tasks copy the context; nothing leaks into the next
call because every write is reset when its body returns. Handlers every root run reports to come
from two places: `process_handlers` (the whole process, every thread) and `scoped_handlers`
(one context). Pure bookkeeping, no I/O.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Sequence
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING, Any
from uuid import UUID, SafeUUID

if TYPE_CHECKING:
    from runwire.callbacks.manager import BaseRunManager

current_run: ContextVar[BaseRunManager | None] = ContextVar("runwire_current_run", default=None)
"""The innermost listened-to run executing in this context (None outside any run)."""

process_handlers: list[Any] = []
"""Handlers every root run in the process reports to, in every thread, including threads that
were started before they were added (`runwire.tracing.enable`, `RUNWIRE_TRACE`). Changed in
place, as a whole (`process_handlers[:] = ...`), by `runwire.tracers._global` and `runwire.globals`."""

scoped_handlers: ContextVar[Sequence[Any]] = ContextVar("runwire_scoped_handlers", default=process_handlers)
"""Handlers added to every root run started in this context (`get_usage_metadata_callback`,
`runwire.tracing(...)`): a ContextVar reset on exit, never a global list that grows per use.

Unset (any new thread) it is `process_handlers` itself, so the silent path stays one read and
one truth test; set (with `push_scoped`) it holds this context's own additions only, and
`with_process` puts the process-wide handlers in front of them."""


def push_scoped(*handlers: Any) -> Token[Sequence[Any]]:
    """Add `handlers` to the runs of this context; `scoped_handlers.reset(token)` undoes it."""
    current = scoped_handlers.get()
    own = () if current is process_handlers else tuple(current)
    return scoped_handlers.set((*own, *handlers))


def with_process(scoped: Sequence[Any]) -> tuple[Any, ...]:
    """Every handler a root run reports to, given `scoped_handlers.get()`: the process-wide ones,
    then the context's own (a snapshot: another thread may enable tracing meanwhile)."""
    if scoped is process_handlers:
        return tuple(scoped)
    return (*process_handlers, *scoped)


_getrandbits = random.getrandbits  # the module instance is re-seeded after fork by `random` itself
_time_ns = time.time_ns
_VERSION_AND_VARIANT = 0x7 << 76 | 0x2 << 62
_new = object.__new__
_set_int = UUID.__dict__["int"].__set__  # the slots' own setters: UUID forbids setattr
_set_safe = UUID.__dict__["is_safe"].__set__
_UNKNOWN = SafeUUID.unknown
_ms = -1  # the millisecond `_high` was made for
_high = 0  # unix ms, version, 12 random bits (`rand_a`), variant: the id's top 66 bits


def new_run_id() -> UUID:
    """A UUIDv7: time-ordered (so stores sort by start), 74 random bits (12 drawn once per
    millisecond, 62 per id), ~3x cheaper than uuid4 (the value is built directly; UUID's argument
    parsing is skipped, and the top bits are reused within a millisecond)."""
    global _ms, _high
    ms = _time_ns() // 1_000_000
    if ms != _ms:
        _ms, _high = ms, ms << 80 | _VERSION_AND_VARIANT | _getrandbits(12) << 64
    run_id: UUID = _new(UUID)
    _set_int(run_id, _high | _getrandbits(62))
    _set_safe(run_id, _UNKNOWN)
    return run_id


def run_message_id(run_id: UUID, suffix: str = "") -> str:
    """`f"run-{run_id}{suffix}"`, the id a model run gives its message, formatted without
    `UUID.__format__` and `__str__` (twice the cost on every listened-to model run)."""
    if type(run_id) is not UUID:  # a caller's own `config["run_id"]` of another type
        return f"run-{run_id}{suffix}"
    h = "%032x" % run_id.int  # noqa: UP031 - the fastest hex form of a 128-bit int
    return f"run-{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}{suffix}"


_prefix = ""
_counter: Any = None


def _reseed() -> None:
    """A fresh random prefix (also in a forked child, so processes never share ids)."""
    global _prefix, _counter
    import itertools

    bits = _getrandbits(72)
    variant = 0x8 | (bits >> 70)
    _prefix = (
        f"run-{bits & 0xFFFF_FFFF:08x}-{(bits >> 32) & 0xFFFF:04x}-7{(bits >> 48) & 0xFFF:03x}-"
        f"{variant:x}{(bits >> 60) & 0xFFF:03x}-"
    )
    _counter = itertools.count(_getrandbits(47))


def new_message_id() -> str:
    """A unique UUID-shaped id for a message no run owns (nobody listened, so no run id exists):
    `run-<uuid>-0`, from a random per-process prefix and a counter, ~5x cheaper than a UUID."""
    return f"{_prefix}{next(_counter):012x}-0"


_reseed()
os.register_at_fork(after_in_child=_reseed)


def enter_run(run: BaseRunManager) -> Any:
    """Make `run` current for its body, and open the context of handlers that declare one
    (`enter_run(run_id)` / `exit_run(token)`, e.g. OpenTelemetry: the run's span becomes current
    in this task or thread). Returns what `exit_run` needs; call it in the same task/thread."""
    token = current_run.set(run)
    hooks = run._dispatch.scopes
    foreign = _LC_CONFIG in _modules
    if not hooks and not foreign:
        return token
    opened = []
    if foreign:  # langchain-core is loaded: its calls made with no config nest under this run
        from runwire.interop.langchain._bridge import enter_lc

        opened.append((_LANGCHAIN, enter_lc(run)))
    for handler, enter, _ in hooks:
        try:
            opened.append((handler, enter(run.run_id)))
        except Exception as exc:  # a broken hook must not break the run
            _log_hook_failure(handler, "enter_run", exc)
    return _Scoped(token, opened)


def exit_run(token: Any) -> None:
    """Undo `enter_run` (hooks in reverse order, then the ContextVar)."""
    if type(token) is _Scoped:
        for handler, inner in reversed(token.opened):
            try:
                if handler is _LANGCHAIN:
                    from runwire.interop.langchain._bridge import exit_lc

                    exit_lc(inner)
                    continue
                handler.exit_run(inner)
            except Exception as exc:
                _log_hook_failure(handler, "exit_run", exc)
        token = token.token
    current_run.reset(token)


_modules = sys.modules
_LC_CONFIG = "langchain_core.runnables.config"
_LANGCHAIN = object()  # marks langchain's context in `_Scoped.opened`


class _Scoped:
    __slots__ = ("opened", "token")

    def __init__(self, token: Any, opened: list[tuple[Any, Any]]) -> None:
        self.token = token
        self.opened = opened


def _log_hook_failure(handler: Any, hook: str, exc: Exception) -> None:
    import logging

    logging.getLogger("runwire.callbacks").warning("%s.%s failed: %r", type(handler).__name__, hook, exc)


def get_current_run() -> Any:
    """The run executing in this context, or None."""
    return current_run.get()
