"""Distributed batch, driver side: chunk the inputs, keep a bounded number of chunks in flight on
an engine, and when a chunk's result arrives replay its events to the driver's handlers, then
hand over its outputs. `batch`, `abatch`, `batch_as_completed` and `abatch_as_completed` share
that one loop; the sync and async drivers differ only in how they wait.

An engine subclasses `RemoteExecutor` and implements `_submit(task) -> concurrent.futures.Future`
(of the bytes `wire.run_chunk` returns). Inputs are consumed lazily, so memory stays bounded
by `chunk_size x max_in_flight` for the streaming forms. Not here: the worker side (`wire`).
"""

from __future__ import annotations

import asyncio
import itertools
import pickle
import uuid
import warnings
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import Any

from runwire.distributed.progress import Progress
from runwire.distributed.replay import Listeners, areplay, listeners_for, replay
from runwire.distributed.wire import Audience, ChunkTask, Outcome, Record, decode


@dataclass(frozen=True, slots=True)
class _Sent:
    task: ChunkTask
    listeners: tuple[Listeners, ...]
    indexes: tuple[int, ...]


def _dumps(runnable: Any) -> bytes:
    try:
        import cloudpickle  # type: ignore[import-untyped]

        dumps = cloudpickle.dumps
    except ImportError:  # without it, lambdas and closures cannot travel
        dumps = pickle.dumps
    try:
        return bytes(dumps(runnable, protocol=5))
    except Exception as exc:
        raise TypeError(
            f"the runnable cannot be pickled to send it to the workers: {exc}. Run-time handlers "
            f"(config['callbacks']) stay on the driver, but everything inside the chain travels, "
            f"including constructor handlers (callbacks=... on a component) and clients; make those "
            f"picklable or create them lazily on the worker. Installing cloudpickle lets lambdas "
            f"and closures travel."
        ) from exc


class _Plan:
    """One batch call: the pickled chain, and who listens to each distinct config."""

    def __init__(self, runnable: Any, kwargs: dict[str, Any], max_concurrency: int | None) -> None:
        self.key = uuid.uuid4().hex
        self.blob = _dumps(runnable)
        self.kwargs = kwargs or None
        self.max_concurrency = max_concurrency
        # id(config) -> (config kept alive, its Listeners, the config as sent: no callbacks)
        self._known: dict[int, tuple[Any, Listeners, dict[str, Any]]] = {}

    def _resolve(self, config: Mapping[str, Any]) -> tuple[Listeners, dict[str, Any]]:
        known = self._known.get(id(config))
        if known is None:
            wire = {k: v for k, v in config.items() if k != "callbacks"}
            known = (config, listeners_for(config), wire)
            self._known[id(config)] = known
        return known[1], known[2]

    def chunks(self, inputs: Iterable[Any], config: Any, size: int) -> Iterator[_Sent]:
        items = zip(itertools.count(), inputs, _configs(config), strict=False)
        while batch := list(itertools.islice(items, size)):
            rows: list[tuple[int, Any, dict[str, Any], int]] = []
            audiences: list[Audience] = []
            listeners: list[Listeners] = []
            for index, value, cfg in batch:
                found, wire = self._resolve(cfg)
                position = next((n for n, seen in enumerate(listeners) if seen is found), None)
                if position is None:  # usually one per chunk
                    position = len(listeners)
                    listeners.append(found)
                    audiences.append(found.audience)
                rows.append((index, value, wire, position))
            limit = self.max_concurrency
            if limit is None:
                limit = rows[0][2].get("max_concurrency")
            task = ChunkTask(self.key, self.blob, rows, tuple(audiences), limit, self.kwargs)
            yield _Sent(task, tuple(listeners), tuple(row[0] for row in rows))


def _configs(config: Any) -> Iterator[Mapping[str, Any]]:
    """One config per input, as `get_config_list` gives them, without knowing the count."""
    if config is None:
        return itertools.repeat({})
    if isinstance(config, Sequence) and not isinstance(config, Mapping):
        return _exactly(config)
    if config.get("run_id") is not None:
        warnings.warn(
            "a single config with run_id was given for several inputs; the run_id is used for the "
            "first input only. Pass one config per input to set each run's id.",
            RuntimeWarning,
            stacklevel=4,
        )
        rest = {k: v for k, v in config.items() if k != "run_id"}
        return itertools.chain((config,), itertools.repeat(rest))
    return itertools.repeat(config)


def _exactly(configs: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    yield from configs
    raise ValueError(f"got {len(configs)} configs for more inputs: pass one config, or exactly one per input")


def _size(inputs: Iterable[Any]) -> int | None:
    try:
        return len(inputs)  # type: ignore[arg-type]
    except TypeError:
        return None


class RemoteExecutor:
    """Runs a batch on another engine with the driver's callbacks and run tree intact.

    chunk_size: inputs per task. max_concurrency: inputs run at once inside a task (threads;
    default: the config's `max_concurrency`, else all of the chunk). max_in_flight: chunks
    submitted and not yet delivered (default: the engine's, about twice its slots).
    progress: show done/total and events/s on stderr.
    """

    def __init__(
        self,
        *,
        chunk_size: int = 100,
        max_concurrency: int | None = None,
        max_in_flight: int | None = None,
        progress: bool = False,
    ) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
        if max_in_flight is not None and max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, got {max_in_flight}")
        self.chunk_size = chunk_size
        self.max_concurrency = max_concurrency
        self.max_in_flight = max_in_flight
        self.progress = progress

    # -- what an engine provides ------------------------------------------------------------------

    def _submit(self, task: ChunkTask) -> Future[bytes]:
        raise NotImplementedError(f"{type(self).__name__} must implement `_submit`")

    def _default_in_flight(self) -> int:
        return 4

    def _cancel(self, futures: Iterable[Future[bytes]]) -> None:
        for future in futures:
            future.cancel()

    # -- the public forms ---------------------------------------------------------------------------

    def batch(
        self,
        runnable: Any,
        inputs: Iterable[Any],
        config: Any = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """`runnable.batch(inputs, config)` on the engine: outputs in input order."""
        results: dict[int, Any] = {}
        for outcomes in self._delivered(runnable, inputs, config, kwargs):
            results.update((index, value) for index, _, value in outcomes)
        return _in_order(results, return_exceptions)

    async def abatch(
        self,
        runnable: Any,
        inputs: Iterable[Any],
        config: Any = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """`batch` without blocking the event loop (async handlers are awaited on it)."""
        results: dict[int, Any] = {}
        async for outcomes in self._adelivered(runnable, inputs, config, kwargs):
            results.update((index, value) for index, _, value in outcomes)
        return _in_order(results, return_exceptions)

    def batch_as_completed(
        self,
        runnable: Any,
        inputs: Iterable[Any],
        config: Any = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> Iterator[tuple[int, Any]]:
        """`(index, output)` pairs chunk by chunk as they arrive, each chunk's events first."""
        for outcomes in self._delivered(runnable, inputs, config, kwargs):
            for index, ok, value in outcomes:
                if not ok and not return_exceptions:
                    raise value
                yield index, value

    async def abatch_as_completed(
        self,
        runnable: Any,
        inputs: Iterable[Any],
        config: Any = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> AsyncIterator[tuple[int, Any]]:
        """Async `batch_as_completed`."""
        async for outcomes in self._adelivered(runnable, inputs, config, kwargs):
            for index, ok, value in outcomes:
                if not ok and not return_exceptions:
                    raise value
                yield index, value

    # -- the loop: sync and async twins -------------------------------------------------------------

    def _start(self, runnable: Any, inputs: Iterable[Any], config: Any, kwargs: dict[str, Any]) -> Any:
        size = _size(inputs)
        listed = isinstance(config, Sequence) and not isinstance(config, Mapping)
        if listed and size is not None and size != len(config):
            raise ValueError(
                f"got {len(config)} configs for {size} inputs: pass one config, or exactly one per input"
            )
        plan = _Plan(runnable, kwargs, self.max_concurrency)
        window = self.max_in_flight or self._default_in_flight()
        progress = Progress(size) if self.progress else None
        return plan.chunks(inputs, config, self.chunk_size), window, progress

    def _delivered(
        self, runnable: Any, inputs: Iterable[Any], config: Any, kwargs: dict[str, Any]
    ) -> Iterator[list[Outcome]]:
        chunks, window, progress = self._start(runnable, inputs, config, kwargs)
        pending: dict[Future[bytes], _Sent] = {}
        try:
            for sent in itertools.chain(chunks, (None,)):
                if sent is not None:
                    pending[self._submit(sent.task)] = sent
                while pending and (sent is None or len(pending) >= window):
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in [f for f in pending if f in done]:  # submission order
                        arrived = pending.pop(future)
                        outcomes, records = _opened(future, arrived)
                        replay(records, arrived.listeners)
                        _advance(progress, outcomes, records)
                        yield outcomes
        finally:
            self._cancel(pending)
            if progress is not None:
                progress.close()

    async def _adelivered(
        self, runnable: Any, inputs: Iterable[Any], config: Any, kwargs: dict[str, Any]
    ) -> AsyncIterator[list[Outcome]]:
        chunks, window, progress = self._start(runnable, inputs, config, kwargs)
        pending: dict[asyncio.Future[bytes], tuple[Future[bytes], _Sent]] = {}
        try:
            for sent in itertools.chain(chunks, (None,)):
                if sent is not None:
                    future = self._submit(sent.task)
                    pending[asyncio.wrap_future(future)] = (future, sent)
                while pending and (sent is None or len(pending) >= window):
                    done, _ = await asyncio.wait(pending, return_when=FIRST_COMPLETED)
                    for waited in [f for f in pending if f in done]:
                        future, arrived = pending.pop(waited)
                        outcomes, records = _opened(future, arrived)
                        await areplay(records, arrived.listeners)
                        _advance(progress, outcomes, records)
                        yield outcomes
        finally:
            self._cancel(future for future, _ in pending.values())
            if progress is not None:
                progress.close()


def _opened(future: Future[bytes], sent: _Sent) -> tuple[list[Outcome], list[Record]]:
    """A finished chunk's outcomes and records. A chunk the engine gave up on (its worker kept
    dying, the task could not be unpickled) fails each of its inputs; it delivered no events."""
    try:
        outcomes, records = decode(future.result())
    except Exception as exc:
        return [(index, False, exc) for index in sent.indexes], []
    return outcomes, records


def _advance(progress: Progress | None, outcomes: list[Outcome], records: list[Record]) -> None:
    if progress is not None:
        progress.advance(len(outcomes), len(records))


def _in_order(results: dict[int, Any], return_exceptions: bool) -> list[Any]:
    ordered = [results[index] for index in range(len(results))]
    if not return_exceptions:
        for result in ordered:
            if isinstance(result, BaseException):
                raise result
    return ordered
