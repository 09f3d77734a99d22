"""Global tracing without monkeypatching: `RUNWIRE_TRACE`, `runwire.tracing(...)` and named tracers.

Both add handlers through `runwire.callbacks.context.scoped_handlers`, the ContextVar every root
run already reads, so with nothing configured a call does exactly what it did before.

* `RUNWIRE_TRACE=sqlite:PATH,console` is read once, when `runwire` is first imported (see
  `runwire/__init__.py`): the handlers are set in the importing context (normally the main
  thread's), which asyncio tasks and runwire's executors copy. A thread started with bare
  `threading.Thread` starts from an empty context (Python < 3.14) and is not traced; wrap
  its target in `contextvars.copy_context().run` or `runwire.tracing(...)`.
  `RUNWIRE_TRACE_CONTENT=full|redacted|none` sets the content policy of those handlers.
* `with runwire.tracing("sqlite", "console"):` scopes handlers to a block (and flushes and
  closes the ones it made on exit).
* A spec is `name` or `name:argument`. Built in: `sqlite[:PATH]`, `console[:tree|lines]`,
  `stdout`, `file:PATH`. Others come from `register_tracer(name, factory)` or from the
  entry point group `runwire.tracers` (`factory(argument_or_None, content=policy)` returns a
  handler); registering never enables a tracer, naming it in a spec does.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from runwire.callbacks.context import scoped_handlers
from runwire.tracers.content import ContentPolicy, parse_policy

Factory = Callable[..., Any]

ENV_TRACE = "RUNWIRE_TRACE"
ENV_CONTENT = "RUNWIRE_TRACE_CONTENT"
ENTRY_POINT_GROUP = "runwire.tracers"

_registry: dict[str, Factory] = {}
_activated = False


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


def from_spec(spec: str, content: ContentPolicy | str | None = None) -> Any:
    """The handler a spec names (`sqlite:PATH`, `console`, ...)."""
    name, _, arg = spec.strip().partition(":")
    return _lookup(name.strip().lower())(arg.strip() or None, content=parse_policy(content))


def parse_specs(value: str, content: ContentPolicy | str | None = None) -> list[Any]:
    """Handlers for a comma-separated list of specs (empty items are ignored)."""
    return [from_spec(part, content) for part in value.split(",") if part.strip()]


def activate_from_env() -> tuple[Any, ...]:
    """Add the handlers `RUNWIRE_TRACE` names to the current context (once per process)."""
    global _activated
    if _activated:
        return ()
    _activated = True
    value = os.environ.get(ENV_TRACE, "")
    if not value.strip():
        return ()
    try:
        handlers = tuple(parse_specs(value, os.environ.get(ENV_CONTENT)))
    except Exception as exc:
        warnings.warn(f"{ENV_TRACE}={value!r} is ignored: {exc}", RuntimeWarning, stacklevel=2)
        return ()
    scoped_handlers.set((*scoped_handlers.get(), *handlers))
    return handlers


@contextmanager
def tracing(*tracers: Any, content: ContentPolicy | str | None = None) -> Iterator[list[Any]]:
    """Within the block, every run reports to these tracers (specs or handler objects).

    `runwire.tracing()` with no argument records into the default SQLite store. Handlers made
    from specs are flushed and closed on exit; handler objects you pass are flushed only.
    """
    made: list[Any] = []
    handlers: list[Any] = []
    for tracer in tracers or ("sqlite",):
        if isinstance(tracer, str):
            handler = from_spec(tracer, content)
            made.append(handler)
            handlers.append(handler)
        else:
            handlers.append(tracer)
    token = scoped_handlers.set((*scoped_handlers.get(), *handlers))
    try:
        yield handlers
    finally:
        scoped_handlers.reset(token)
        for handler in handlers:
            closer = getattr(handler, "close" if any(handler is m for m in made) else "flush", None)
            if callable(closer):
                closer()
