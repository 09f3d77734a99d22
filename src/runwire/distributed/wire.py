"""The remote run protocol, worker side: what a chunk carries, and running it on a worker.

A chunk is plain data (inputs, configs without callbacks, the carriers saying where each input's
run attaches, the events the driver's handlers listen to) plus the chain pickled once per batch.
The worker runs the inputs like `batch` does, with a recording handler standing in for the
driver's handlers: every event it hears becomes a record `(audience, event, args, kwargs)`, and
the chunk returns its outcomes and records together as one pickle, so the driver delivers a
chunk's events once, when its result arrives (an engine retrying a lost chunk cannot duplicate
them). Engine-neutral: any `concurrent.futures`-style engine can run `run_chunk`.
Not here: choosing chunks, replaying records, or how they are pickled (`executor`, `replay`, `codec`).
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from typing import Any

from runwire.callbacks.dispatch import EVENTS
from runwire.distributed.codec import collector_paused, dumps
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
    with collector_paused():
        return _run_chunk(task)


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


_ERROR_EVENTS = frozenset(event for event in EVENTS if event.endswith("_error"))
_event_of = itemgetter(1)


def encode(outcomes: list[Outcome], records: list[Record]) -> bytes:
    """`(outcomes, records)` as one pickle; values that do not survive pickling are replaced
    (exceptions by `RemoteError`, outputs by an error for that input, event payloads by a text)."""
    checked: dict[int, BaseException] = {}
    outcomes = [
        (index, ok, value if ok else _portable_error(value, checked)) for index, ok, value in outcomes
    ]
    if checked or not _ERROR_EVENTS.isdisjoint(map(_event_of, records)):
        records = [
            (i, event, tuple(_portable_error(a, checked) for a in args), kw)
            if event.endswith("_error")
            else (i, event, args, kw)
            for i, event, args, kw in records
        ]
    try:
        return dumps((outcomes, records))
    except Exception:  # something in there cannot be pickled: find it, keep the rest
        return dumps(([_portable_outcome(o) for o in outcomes], [_portable_record(r) for r in records]))


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
    with collector_paused():
        outcomes, records = pickle.loads(blob)  # noqa: S301 - returned by our own workers
    return outcomes, records
