"""The remote run protocol, worker side: what a chunk carries, and running it on a worker.

A chunk is plain data (inputs, configs without callbacks, the carriers saying where each input's
run attaches, the events the driver's handlers listen to) plus the chain pickled once per batch.
The worker runs the inputs like `batch` does, with a recording handler standing in for the
driver's handlers: every event it hears becomes a record `(audience, event, args, kwargs)`, and
the chunk returns its outcomes and records together as one pickle, so the driver delivers a
chunk's events once, when its result arrives (an engine retrying a lost chunk cannot duplicate
them). Engine-neutral: any `concurrent.futures`-style engine can run `run_chunk`.
Not here: choosing chunks or replaying records (see `executor`, `replay`).
"""

from __future__ import annotations

import gc
import io
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID, SafeUUID

from runwire.propagation import restore
from runwire.runnables.config import run_all

Record = tuple[int, str, tuple[Any, ...], dict[str, Any]]
"""One callback event heard on a worker: (audience index in its chunk, event, args, kwargs)."""

Outcome = tuple[int, bool, Any]
"""One input's result: (its index in the batch, succeeded, output or exception)."""


@dataclass(frozen=True, slots=True)
class Audience:
    """Who listens on the driver to some inputs' runs, as the worker needs to know it: where the
    runs attach (a `propagation` carrier) and which events to record."""

    carrier: dict[str, Any]
    events: tuple[str, ...]
    wants_tokens: bool = False


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """One chunk of a batch: inputs with their batch index, config (no callbacks) and audience."""

    chain_key: str
    chain_blob: bytes
    items: list[tuple[int, Any, dict[str, Any], int]]
    audiences: tuple[Audience, ...]
    max_concurrency: int | None = None
    kwargs: dict[str, Any] | None = None


class RemoteError(Exception):
    """An exception raised on a worker that could not be sent back as itself (it does not
    survive pickling); it keeps the original type name and message."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(type_name, message)
        self.type_name = type_name
        self.message = message

    def __str__(self) -> str:
        return f"{self.type_name}: {self.message}"


# ---------------------------------------------------------------------------------------------
# The recording handler: built per event set, so the dispatcher sees exactly those methods.


class _RecorderBase:
    __slots__ = ("_index", "_sink", "wants_tokens")

    def __init__(self, sink: Callable[[Record], Any], index: int, wants_tokens: bool) -> None:
        self._sink = sink
        self._index = index
        self.wants_tokens = wants_tokens


def _recording(event: str) -> Callable[..., None]:
    def record(self: _RecorderBase, *args: Any, **kwargs: Any) -> None:
        self._sink((self._index, event, args, kwargs))

    record.__name__ = record.__qualname__ = event
    return record


_recorder_classes: dict[tuple[str, ...], type[_RecorderBase]] = {}


def recorder(audience: Audience, index: int, sink: Callable[[Record], Any]) -> _RecorderBase:
    """A handler subscribed to `audience.events` that sends each event to `sink` as a record."""
    cls = _recorder_classes.get(audience.events)
    if cls is None:
        namespace: dict[str, Any] = {"__slots__": ()}
        namespace.update({event: _recording(event) for event in audience.events})
        cls = type("RemoteRecorder", (_RecorderBase,), namespace)
        _recorder_classes[audience.events] = cls
    return cls(sink, index, audience.wants_tokens)


# ---------------------------------------------------------------------------------------------
# Running a chunk

_chains: OrderedDict[str, Any] = OrderedDict()
_chains_lock = threading.Lock()  # a worker may run several chunks at once on its threads
_CHAINS_KEPT = 8


def _load_chain(key: str, blob: bytes) -> Any:
    """The chain for `key`, unpickled once per worker process (a few kept, least recent dropped)."""
    with _chains_lock:
        chain = _chains.get(key)
        if chain is not None:
            _chains.move_to_end(key)
            return chain
    chain = pickle.loads(blob)  # noqa: S301 - the driver's own chain, sent by the driver
    with _chains_lock:
        _chains[key] = chain
        while len(_chains) > _CHAINS_KEPT:
            _chains.popitem(last=False)
    return chain


def run_chunk(task: ChunkTask) -> bytes:
    """Run one chunk on this worker; returns `pickle((outcomes, records))`."""
    if not any(audience.events for audience in task.audiences):
        return _run_chunk(task)
    # The records kept until the chunk ends are thousands of live containers: they trigger the
    # cyclic collector over and over, each pass walking them all (a quarter of a worker's time in
    # bench/distributed.py). It waits until the chunk is encoded; a chunk's garbage is bounded.
    with _collector_paused():
        return _run_chunk(task)


_pause_lock = threading.Lock()
_pauses = [0, False]  # chunks running with the collector paused, whether it was enabled before


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while any thread of this process is inside."""
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


def _run_chunk(task: ChunkTask) -> bytes:
    chain = _load_chain(task.chain_key, task.chain_blob)
    kwargs = task.kwargs or {}
    records: list[Record] = []
    outcomes: list[Outcome] = []
    groups: dict[int, list[tuple[int, Any, dict[str, Any]]]] = {}
    for index, value, config, audience_index in task.items:
        groups.setdefault(audience_index, []).append((index, value, config))
    for audience_index, items in groups.items():
        audience = task.audiences[audience_index]
        handlers = [recorder(audience, audience_index, records.append)] if audience.events else []
        with restore(audience.carrier, handlers) as manager:
            callbacks = _callbacks(audience.carrier, handlers, manager)
            calls = [
                partial(
                    chain.invoke, value, {**config, "callbacks": callbacks} if callbacks else config, **kwargs
                )
                for _, value, config in items
            ]
            results = run_all(calls, task.max_concurrency)
        outcomes.extend(
            (index, not isinstance(result, BaseException), result)
            for (index, _, _), result in zip(items, results, strict=True)
        )
    return encode(outcomes, records)


def _callbacks(carrier: dict[str, Any], handlers: list[Any], manager: Any) -> Any:
    """The cheapest config["callbacks"] that attaches runs exactly as the carrier says."""
    if not handlers or "local_tags" in carrier or "local_metadata" in carrier:
        return manager if handlers else None
    if carrier.get("parent_run_id"):
        return None  # `restore` made the captured run current: runs nest under it on their own
    if not carrier.get("tags") and not carrier.get("metadata"):
        return handlers  # a plain root, as with config={"callbacks": [handler]}
    return manager


# ---------------------------------------------------------------------------------------------
# Encoding: one pickle per chunk; whatever cannot travel is replaced, never the whole chunk lost.


class _Encoder(pickle.Pickler):
    """The chunk's pickler: run ids and runwire's messages/outputs, the bulk of every event,
    travel in a compact form rebuilt by a plain call (the default goes through `__getstate__`
    and `__setstate__` with a dict per object: about half of encode and decode time)."""

    def reducer_override(self, obj: Any) -> Any:  # called for objects other than builtins
        kind = obj.__class__
        if kind is UUID:
            return _uuid, (obj.int,)
        slots = _plain_records.get(kind)
        if slots is None:
            slots = _plain_records[kind] = _record_slots(obj)
        if slots:
            try:
                return _record, (kind, tuple([slot.__get__(obj) for _, slot in slots]))
            except AttributeError:  # an unset slot: the default keeps it unset
                pass
        return NotImplemented


_new = object.__new__
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown


def _uuid(value: int) -> UUID:
    """A UUID from its int, as `UUID(int=value)` makes it, without the checks."""
    made = _new(UUID)
    _set(made, "int", value)
    _set(made, "is_safe", _UNKNOWN)
    return made


_Slots = tuple[tuple[str, Any], ...]
_plain_records: dict[type, _Slots] = {}
_PICKLING = ("__getstate__", "__setstate__", "__reduce_ex__", "__reduce__")


def _record_slots(obj: Any) -> _Slots:
    """The slots of a runwire message/output class whose pickled state is exactly its slots
    (no `__dict__`, no pickling methods of its own), else ()."""
    from runwire.messages._record import Record as Base

    kind = type(obj)
    if not isinstance(obj, Base) or hasattr(obj, "__dict__"):
        return ()
    for name, owner in zip(_PICKLING, (Base, Base, object, object), strict=True):
        if getattr(kind, name) is not getattr(owner, name):
            return ()
    slots: _Slots = kind._slots
    return slots


def _record(kind: type, values: tuple[Any, ...]) -> Any:
    made: Any = _new(kind)
    for (_, slot), value in zip(kind._slots, values, strict=True):  # type: ignore[attr-defined]
        slot.__set__(made, value)
    return made


def _dumps(value: Any) -> bytes:
    out = io.BytesIO()
    _Encoder(out, protocol=5).dump(value)
    return out.getvalue()


def encode(outcomes: list[Outcome], records: list[Record]) -> bytes:
    """`(outcomes, records)` as one pickle; values that do not survive pickling are replaced
    (exceptions by `RemoteError`, outputs by an error for that input, event payloads by a text)."""
    checked: dict[int, BaseException] = {}
    outcomes = [
        (index, ok, value if ok else _portable_error(value, checked)) for index, ok, value in outcomes
    ]
    if checked or any(event.endswith("_error") for _, event, _, _ in records):
        records = [
            (i, event, tuple(_portable_error(a, checked) for a in args), kw)
            if event.endswith("_error")
            else (i, event, args, kw)
            for i, event, args, kw in records
        ]
    try:
        return _dumps((outcomes, records))
    except Exception:  # something in there cannot be pickled: find it, keep the rest
        return _dumps(([_portable_outcome(o) for o in outcomes], [_portable_record(r) for r in records]))


def _survives(value: Any) -> bool:
    try:
        pickle.loads(pickle.dumps(value, protocol=5))  # noqa: S301 - our own bytes, just made
    except Exception:
        return False
    return True


def _portable_error(value: Any, checked: dict[int, BaseException]) -> Any:
    """An exception that unpickles on the driver (its pickle is tried once per object)."""
    if not isinstance(value, BaseException):
        return value
    found = checked.get(id(value))
    if found is None:
        found = value if _survives(value) else RemoteError(type(value).__name__, str(value))
        checked[id(value)] = found
    return found


def _portable_outcome(outcome: Outcome) -> Outcome:
    index, _, value = outcome
    if _survives(value):
        return outcome
    return (
        index,
        False,
        RemoteError(
            "PicklingError",
            f"the output of input {index} ({type(value).__name__}) cannot be pickled to return "
            f"it from the worker; return plain data or make the type picklable",
        ),
    )


def _portable(value: Any) -> Any:
    return value if _survives(value) else f"<unpicklable {type(value).__name__}: {value!r:.200}>"


def _portable_record(record: Record) -> Record:
    index, event, args, kwargs = record
    return (index, event, tuple(map(_portable, args)), {k: _portable(v) for k, v in kwargs.items()})


def decode(blob: bytes) -> tuple[list[Outcome], list[Record]]:
    """The driver's side of `encode`."""
    # Unpickling builds thousands of containers at once; collecting them halfway is wasted work
    # (it doubled decode time in bench/distributed.py), so the collector waits until the end.
    with _collector_paused():
        outcomes, records = pickle.loads(blob)  # noqa: S301 - returned by our own workers
    return outcomes, records
