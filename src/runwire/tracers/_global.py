"""Global tracing without monkeypatching: `RUNWIRE_TRACE`, `runwire.tracing` and named tracers.

Two forms, both read by every root run, so with nothing configured a call does what it did before:

* Process-wide: `RUNWIRE_TRACE=sqlite:PATH,console` (read once, when `runwire` is first
  imported) or `runwire.tracing.enable("sqlite", ...)` in code. The handlers go into
  `runwire.callbacks.context.process_handlers`, which every thread sees: a bare
  `threading.Thread`, a `ThreadPoolExecutor` worker or a web server's request thread, started
  before or after. One handler instance serves them all (one store writer). `disable()` undoes it.
  `RUNWIRE_TRACE_CONTENT=full|redacted|none` sets the content policy of the env var's handlers.
* Scoped: `with runwire.tracing("sqlite", "console"):` adds handlers to the runs of this
  context only (the block, and tasks/threads that copy its context), and flushes and closes the
  ones it made on exit. A spec already enabled process-wide reuses that handler, and a handler
  in both forms hears each event once, so the two combine without double recording.
* A spec is `name` or `name:argument`. Built in: `sqlite[:PATH]`, `console[:tree|lines]`,
  `stdout`, `file:PATH`. Others come from `register_tracer(name, factory)` or from the
  entry point group `runwire.tracers` (`factory(argument_or_None, content=policy)` returns a
  handler); registering never enables a tracer, naming it in a spec does.

At exit, a process-wide tracer that could not record some traces (its store refused the file, or
its writer fell behind) says so in one line on stderr, with the count and the reason.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from runwire.callbacks.context import process_handlers, push_scoped, scoped_handlers
from runwire.tracers.content import ContentPolicy, parse_policy

Factory = Callable[..., Any]

ENV_TRACE = "RUNWIRE_TRACE"
ENV_CONTENT = "RUNWIRE_TRACE_CONTENT"
ENTRY_POINT_GROUP = "runwire.tracers"

_registry: dict[str, Factory] = {}
_activated = False
_enabled: dict[str, Any] = {}  # normalised spec -> the process-wide handler made from it
_made: list[Any] = []  # every handler `enable` made from a spec, reported on at exit
_lock = threading.Lock()


def _sqlite(arg: str | None, *, content: ContentPolicy) -> Any:
    from runwire.tracers.sqlite import SQLiteTracer

    return SQLiteTracer(arg or None, content=content)


def _console(arg: str | None, *, content: ContentPolicy) -> Any:
    from runwire.tracers.console import ConsoleCallbackHandler

    return ConsoleCallbackHandler(style=arg or "tree", content=content)  # type: ignore[arg-type]


def _stdout(arg: str | None, *, content: ContentPolicy) -> Any:
    from runwire.callbacks.stdout import StdOutCallbackHandler

    del arg, content  # prints names only: no argument, no payloads

    return StdOutCallbackHandler()


def _file(arg: str | None, *, content: ContentPolicy) -> Any:
    from runwire.tracers.stdout import FileCallbackHandler

    del content  # prints names only

    if not arg:
        raise ValueError("the 'file' tracer needs a path: file:PATH")
    return FileCallbackHandler(arg)


def _otel(arg: str | None, *, content: ContentPolicy) -> Any:
    from runwire.tracers._otel_setup import from_spec  # the `otel` extra, loaded only when named

    return from_spec(arg, content=content)


BUILTIN: dict[str, Factory] = {"sqlite": _sqlite, "console": _console, "stdout": _stdout, "file": _file}
BUILTIN["otel"] = _otel


def register_tracer(name: str, factory: Factory) -> None:
    """Make `name` usable in `RUNWIRE_TRACE` and `runwire.tracing(name)`.

    `factory(argument, content=policy)` returns a handler (`argument` is the text after `:`).
    """
    if name in BUILTIN:
        raise ValueError(f"{name!r} is a built-in tracer name; register under another name")
    _registry[name] = factory


def _lookup(name: str) -> Factory:
    found = BUILTIN.get(name) or _registry.get(name)
    if found is not None:
        return found
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP, name=name):
        factory: Factory = entry.load()
        _registry[name] = factory
        return factory
    known = sorted({*BUILTIN, *_registry, *(e.name for e in entry_points(group=ENTRY_POINT_GROUP))})
    raise ValueError(
        f"unknown tracer {name!r}: known tracers are {known}. Third-party tracers register under the "
        f"entry point group {ENTRY_POINT_GROUP!r} or with runwire.tracers.register_tracer()."
    )


def _normalise(spec: str) -> str:
    name, _, arg = spec.strip().partition(":")
    return f"{name.strip().lower()}:{arg.strip()}"


def from_spec(spec: str, content: ContentPolicy | str | None = None) -> Any:
    """The handler a spec names (`sqlite:PATH`, `console`, ...)."""
    name, _, arg = _normalise(spec).partition(":")
    return _lookup(name)(arg or None, content=parse_policy(content))


def parse_specs(value: str, content: ContentPolicy | str | None = None) -> list[Any]:
    """Handlers for a comma-separated list of specs (empty items are ignored)."""
    return [from_spec(part, content) for part in value.split(",") if part.strip()]


def activate_from_env() -> tuple[Any, ...]:
    """Enable the handlers `RUNWIRE_TRACE` names for the whole process (once per process)."""
    global _activated
    if _activated:
        return ()
    _activated = True
    value = os.environ.get(ENV_TRACE, "")
    if not value.strip():
        return ()
    try:
        return tuple(enable(*(p for p in value.split(",") if p.strip()), content=os.environ.get(ENV_CONTENT)))
    except Exception as exc:
        warnings.warn(f"{ENV_TRACE}={value!r} is ignored: {exc}", RuntimeWarning, stacklevel=2)
        return ()


def enable(*tracers: Any, content: ContentPolicy | str | None = None) -> list[Any]:
    """Every run of the process, in every thread, reports to these tracers (specs or handlers)
    until `disable()`. Returns the handlers. A spec enabled twice makes one handler; `enable()`
    with no argument records into the default SQLite store."""
    with _lock:
        made: dict[str, Any] = {}
        handlers: list[Any] = []
        for tracer in tracers or ("sqlite",):
            if isinstance(tracer, str):
                key = _normalise(tracer)
                handler = _enabled.get(key, made.get(key))
                if handler is None:
                    handler = made[key] = from_spec(tracer, content)
            else:
                handler = tracer
            handlers.append(handler)
        _enabled.update(made)
        if made and not _made:
            atexit.register(_report_at_exit)
        _made.extend(made.values())
        new = [h for h in handlers if not any(h is old for old in process_handlers)]
        process_handlers[:] = [*process_handlers, *new]  # one assignment: readers see old or new
    return handlers


def disable(*tracers: Any) -> None:
    """Stop process-wide tracing by these handlers or specs (all, with no argument); handlers
    `enable` made from specs are flushed and closed, handler objects you passed are flushed."""
    with _lock:
        named = [_enabled.get(_normalise(t)) if isinstance(t, str) else t for t in tracers]
        going = [h for h in process_handlers if not tracers or any(h is n for n in named)]
        process_handlers[:] = [h for h in process_handlers if not any(h is g for g in going)]
        made = []
        for key, handler in list(_enabled.items()):
            if any(handler is g for g in going):
                made.append(_enabled.pop(key))
    _finish(going, made)


def _finish(handlers: list[Any], made: list[Any]) -> None:
    for handler in handlers:
        closer = getattr(handler, "close" if any(handler is m for m in made) else "flush", None)
        if callable(closer):
            closer()


def _report_at_exit() -> None:
    """Flush the process-wide tracers made from specs and say, one line each on stderr, how many
    traces one could not record and why (e.g. `RUNWIRE_TRACE` naming an application's database)."""
    for handler in _made:
        note = getattr(handler, "dropped_note", None)
        if not callable(note):
            continue
        try:
            handler.close(timeout=10)
            line = note()
        except Exception:  # noqa: S112 - at exit, one tracer's fault must not hide the others'
            continue
        if line:
            print(line, file=sys.stderr, flush=True)


@contextmanager
def _scoped(tracers: tuple[Any, ...], content: ContentPolicy | str | None) -> Iterator[list[Any]]:
    made: list[Any] = []
    handlers: list[Any] = []
    for tracer in tracers or ("sqlite",):
        if not isinstance(tracer, str):
            handlers.append(tracer)
        elif (shared := _enabled.get(_normalise(tracer))) is not None:
            handlers.append(shared)  # already on for the process: the same writer, not a second one
        else:
            handler = from_spec(tracer, content)
            made.append(handler)
            handlers.append(handler)
    token = push_scoped(*handlers)
    try:
        yield handlers
    finally:
        scoped_handlers.reset(token)
        _finish(handlers, made)


class Tracing:
    """`runwire.tracing`: tracers for a block, or for the whole process.

    `with runwire.tracing("sqlite", "console") as handlers:` scopes them to this context (the
    block, and tasks and threads that copy its context); `runwire.tracing.enable(...)` turns them
    on for every run in every thread, like `RUNWIRE_TRACE`; `runwire.tracing.disable()` off.
    `runwire.tracing()` with no argument records into the default SQLite store.
    """

    enable = staticmethod(enable)
    disable = staticmethod(disable)

    def __call__(
        self, *tracers: Any, content: ContentPolicy | str | None = None
    ) -> AbstractContextManager[list[Any]]:
        return _scoped(tracers, content)

    @property
    def enabled(self) -> tuple[Any, ...]:
        """The handlers enabled for the whole process."""
        return tuple(process_handlers)

    def __repr__(self) -> str:
        return f"runwire.tracing(enabled={list(process_handlers)!r})"


tracing = Tracing()
