"""How a chunk's outcomes and events are pickled: a pickler that sends run ids and runwire's
messages/outputs (most of every event's payload) in a compact form rebuilt by one plain call,
and a pause of the cyclic collector while a process holds or builds thousands of records.

Why: with the default pickling a UUID or a message goes through a Python `__getstate__`
building a dict, and back through `__setstate__`; together with collector passes over the
live records that was over half of the cost of forwarding events in bench/distributed.py.
Everything else pickles as usual. Not here: what is recorded or replayed (`wire`, `replay`).
"""

from __future__ import annotations

import gc
import io
import pickle
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID, SafeUUID

_new = object.__new__
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown


def uuid_from_int(value: int) -> UUID:
    """The UUID `UUID(int=value)` makes, without re-checking a value that was one already."""
    made = _new(UUID)
    _set(made, "int", value)
    _set(made, "is_safe", _UNKNOWN)
    return made


# ---------------------------------------------------------------------------------------------
# runwire's messages and outputs (`messages._record.Record`): their state is their slots.

_Layout = tuple[tuple[str, ...], tuple[Any, ...], tuple[Any, ...]]
"""(names of the slots set, their descriptors, descriptors of the slots left unset)."""

_layouts: dict[type, _Layout | None] = {}
_PICKLING = ("__getstate__", "__setstate__", "__reduce_ex__", "__reduce__")


def _layout(obj: Any) -> _Layout | None:
    """How instances of `type(obj)` are sent, judged on this first one: None when the class is
    not a plain runwire record (a `__dict__`, or pickling methods of its own)."""
    from runwire.messages._record import Record

    kind = type(obj)
    if not isinstance(obj, Record) or hasattr(obj, "__dict__"):
        return None
    for name, owner in zip(_PICKLING, (Record, Record, object, object), strict=True):
        if getattr(kind, name) is not getattr(owner, name):
            return None
    names: list[str] = []
    present: list[Any] = []
    absent: list[Any] = []
    for name, slot in kind._slots:
        try:
            slot.__get__(obj)
        except AttributeError:
            absent.append(slot)
        else:
            names.append(name)
            present.append(slot)
    return tuple(names), tuple(present), tuple(absent)


def _reduce_record(obj: Any, layout: _Layout) -> Any:
    names, present, absent = layout
    for slot in absent:  # usually one (messages never set the `type` slot): confirm it is unset
        try:
            slot.__get__(obj)
        except AttributeError:
            continue
        return NotImplemented  # this one differs from the first of its class
    try:
        values = tuple([slot.__get__(obj) for slot in present])
    except AttributeError:
        return NotImplemented
    return _record, (type(obj), names, values)


_setters: dict[tuple[type, tuple[str, ...]], tuple[Any, ...]] = {}


def _record(kind: type, names: tuple[str, ...], values: tuple[Any, ...]) -> Any:
    """A record rebuilt from its set slots, as `Record.__setstate__` would."""
    setters = _setters.get((kind, names))
    if setters is None:
        slots = dict(kind._slots)  # type: ignore[attr-defined]
        setters = _setters[(kind, names)] = tuple(slots[name].__set__ for name in names)
    made: Any = _new(kind)
    for setter, value in zip(setters, values, strict=True):
        setter(made, value)
    return made


class _Encoder(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:  # called for objects other than builtins
        kind = obj.__class__
        if kind is UUID:
            if obj.is_safe is not _UNKNOWN:  # uuid1 from a safe source: keep the flag
                return NotImplemented
            return uuid_from_int, (obj.int,)
        try:
            layout = _layouts[kind]
        except KeyError:
            layout = _layouts[kind] = _layout(obj)
        if layout is None:
            return NotImplemented
        return _reduce_record(obj, layout)


def dumps(value: Any) -> bytes:
    """`pickle.dumps(value, protocol=5)`, with run ids and runwire records sent compactly."""
    out = io.BytesIO()
    _Encoder(out, protocol=5).dump(value)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# The collector

_pause_lock = threading.Lock()
_pauses = [0, False]  # holders inside, whether the collector was enabled before the first


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while any thread of this process is inside (it runs
    again, if it was enabled, when the last one leaves). What is made inside is bounded: a chunk."""
    with _pause_lock:
        if _pauses[0] == 0:
            _pauses[1] = gc.isenabled()
            gc.disable()
        _pauses[0] += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses[0] -= 1
            if _pauses[0] == 0 and _pauses[1]:
                gc.enable()
