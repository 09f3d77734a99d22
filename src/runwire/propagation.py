"""Propagation: a plain-data carrier of where work continues, for crossing a process boundary.

`capture()` on one side records the run new work should nest under (its id, inheritable tags and
metadata) plus what registered extensions add (OpenTelemetry's W3C `traceparent`/baggage, through
`register_carrier`); `restore(carrier)` on the other side makes runs started inside nest under
that run. Only ids, tags, metadata and extension strings cross: never handlers, never config,
so a carrier from elsewhere cannot redirect anything. The carrier is JSON-able when the metadata
is. Not here: shipping work or events between processes (see `runwire.distributed`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from runwire.callbacks.attach import Attach, CallbackManager
from runwire.callbacks.context import current_run, scoped_handlers, with_process
from runwire.callbacks.dispatch import EMPTY, compile_handlers
from runwire.callbacks.runs import BaseRunManager

__all__ = ["attach_point", "capture", "register_carrier", "restore", "unregister_carrier"]

logger = logging.getLogger("runwire.propagation")

Carrier = dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Extension:
    capture: Callable[[], Any]
    restore: Callable[[Any], AbstractContextManager[Any]]


_extensions: dict[str, _Extension] = {}


def register_carrier(
    name: str, capture: Callable[[], Any], restore: Callable[[Any], AbstractContextManager[Any]]
) -> None:
    """Add a context to every carrier: `capture()` returns a JSON-able value (or None for nothing)
    stored under `carrier["ext"][name]`; `restore(value)` is a context manager entered around the
    restored work (e.g. attaching an OpenTelemetry context). Registering a name again replaces it."""
    _extensions[name] = _Extension(capture, restore)


def unregister_carrier(name: str) -> None:
    """Remove an extension added with `register_carrier` (unknown names are ignored)."""
    _extensions.pop(name, None)


_NO_TAGS: tuple[str, ...] = ()
_NO_METADATA: dict[str, Any] = {}


def attach_point(config: Mapping[str, Any] | None = None) -> Attach:
    """Where a run started with `config` attaches, as `open_run` decides it: (its handlers,
    inheritable handlers, parent run id, tags, inheritable tags, metadata, inheritable metadata)."""
    callbacks = config.get("callbacks") if config is not None else None
    if callbacks is None:
        parent = current_run.get()
        if parent is not None:
            tags, md = parent._inh_tags, parent._inh_md
            return (parent._inh, parent._inh, parent.run_id, tags, tags, md, md)
        dispatch = compile_handlers(with_process(scoped_handlers.get()))
        return (dispatch, dispatch, None, _NO_TAGS, _NO_TAGS, _NO_METADATA, _NO_METADATA)
    if isinstance(callbacks, CallbackManager):
        return callbacks._attach()
    if isinstance(callbacks, list | tuple):
        scoped = scoped_handlers.get()
        dispatch = compile_handlers((*callbacks, *with_process(scoped)) if scoped else callbacks)
        return (dispatch, dispatch, None, _NO_TAGS, _NO_TAGS, _NO_METADATA, _NO_METADATA)
    raise TypeError(
        f"config['callbacks'] must be a list of handlers or a CallbackManager, got "
        f"{type(callbacks).__name__}. Pass config={{'callbacks': [handler]}}."
    )


def capture(config: Mapping[str, Any] | None = None) -> Carrier:
    """Where work started now (with `config`, if given) would attach, as plain data.

    `{"parent_run_id": str | None, "tags": [...], "metadata": {...}}`, plus `local_tags` /
    `local_metadata` when the first run's own differ from what its children inherit, and `ext`
    with one entry per registered extension that had something to say.
    """
    _, _, parent_run_id, tags, inh_tags, md, inh_md = attach_point(config)
    carrier: Carrier = {
        "parent_run_id": str(parent_run_id) if parent_run_id is not None else None,
        "tags": list(inh_tags),
        "metadata": dict(inh_md),
    }
    if tuple(tags) != tuple(inh_tags):
        carrier["local_tags"] = list(tags)
    if md != inh_md:
        carrier["local_metadata"] = dict(md)
    ext: dict[str, Any] = {}
    for name, extension in list(_extensions.items()):
        try:
            value = extension.capture()
        except Exception:  # an observer's failure never stops the work it observes
            logger.exception("carrier extension %r failed to capture", name)
            continue
        if value is not None:
            ext[name] = value
    if ext:
        carrier["ext"] = ext
    return carrier


class _RemoteParent(BaseRunManager):
    """The captured run, standing in on this side: children nest under it; it never fires."""

    __slots__ = ()


def _stand_in(parent_run_id: UUID, handlers: Sequence[Any], tags: tuple[str, ...], md: dict[str, Any]) -> Any:
    run = object.__new__(_RemoteParent)
    run.run_id = parent_run_id
    run.parent_run_id = None
    run._dispatch = run._inh = compile_handlers(handlers) if handlers else EMPTY
    run._tags = run._inh_tags = tags
    run._md = run._inh_md = md
    run._cfg = _NO_METADATA
    run._done = True  # it belongs to the other side: never ended from here
    return run


@contextmanager
def restore(carrier: Mapping[str, Any] | None, callbacks: Sequence[Any] = ()) -> Iterator[CallbackManager]:
    """Continue the captured work here: runs started inside with no config nest under the
    captured run and hear `callbacks`; registered extensions restore their part (unknown ones are
    ignored). Yields a `CallbackManager` to pass as `config["callbacks"]`, which attaches a run
    exactly as the captured config would have (its tags and metadata included)."""
    carrier = carrier or {}
    text = carrier.get("parent_run_id")
    parent = UUID(str(text)) if text else None
    tags = tuple(carrier.get("tags") or ())
    md = dict(carrier.get("metadata") or {})
    handlers = list(callbacks)
    manager = CallbackManager(
        handlers,
        handlers,
        parent,
        tags=carrier.get("local_tags", tags),
        inheritable_tags=tags,
        metadata=carrier.get("local_metadata", md),
        inheritable_metadata=md,
    )
    with ExitStack() as stack:
        for name, value in (carrier.get("ext") or {}).items():
            extension = _extensions.get(name)
            if extension is None:
                continue
            try:
                stack.enter_context(extension.restore(value))
            except Exception:
                logger.exception("carrier extension %r failed to restore", name)
        token = current_run.set(_stand_in(parent, handlers, tags, md)) if parent is not None else None
        try:
            yield manager
        finally:
            if token is not None:
                current_run.reset(token)
