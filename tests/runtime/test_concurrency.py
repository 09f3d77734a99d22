"""Batch and concurrency: limits, per-input configs, errors, as-completed, and a load test."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from typing import Any

import pytest

from runwire.callbacks import AsyncCallbackHandler, BackgroundHandler, BaseCallbackHandler
from runwire.runnables import RunnableLambda

from .recorder import Recorder


class _Peak:
    """Counts how many calls run at once."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self.lock = threading.Lock()

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


def test_batch_never_exceeds_max_concurrency() -> None:
    """With max_concurrency=3, at most 3 inputs are in flight, and blocking inputs do overlap."""
    peak = _Peak()

    def slow(x: int) -> int:
        peak.enter()
        time.sleep(0.01)
        peak.leave()
        return x

    assert RunnableLambda(slow).batch(list(range(12)), {"max_concurrency": 3}) == list(range(12))
    assert peak.peak == 3


async def test_abatch_never_exceeds_max_concurrency() -> None:
    """The async twin honours the same limit."""
    peak = _Peak()

    async def slow(x: int) -> int:
        peak.enter()
        await asyncio.sleep(0.005)
        peak.leave()
        return x

    assert await RunnableLambda(slow).abatch(list(range(12)), {"max_concurrency": 4}) == list(range(12))
    assert peak.peak == 4


def _fail_on_two(x: int) -> int:
    if x == 2:
        raise ValueError(f"bad input {x}")
    return x * 10


def test_batch_return_exceptions_keeps_each_inputs_outcome_in_place() -> None:
    """return_exceptions=True: the failing input's exception sits at its index; others succeed."""
    results = RunnableLambda(_fail_on_two).batch([1, 2, 3], return_exceptions=True)
    assert results[0] == 10
    assert results[2] == 30
    assert isinstance(results[1], ValueError)


async def test_abatch_return_exceptions_keeps_each_inputs_outcome_in_place() -> None:
    """The async twin of the same."""
    results = await RunnableLambda(_fail_on_two).abatch([1, 2, 3], return_exceptions=True)
    assert (results[0], results[2]) == (10, 30)
    assert isinstance(results[1], ValueError)


def test_batch_raises_the_first_error_without_return_exceptions() -> None:
    """Without return_exceptions the caller gets the failing input's exception."""
    with pytest.raises(ValueError, match="bad input 2"):
        RunnableLambda(_fail_on_two).batch([1, 2, 3])


def test_batch_config_list_must_match_the_inputs() -> None:
    """A config list of the wrong length is refused, naming both lengths."""
    with pytest.raises(ValueError, match="but got 1 configs for 2 inputs"):
        RunnableLambda(lambda x: x).batch([1, 2], [{}])


def test_batch_as_completed_yields_every_index_once() -> None:
    """batch_as_completed yields (index, output) for every input, faster ones first."""

    def wait(x: float) -> float:
        time.sleep(x)
        return x

    done = list(RunnableLambda(wait).batch_as_completed([0.05, 0.0, 0.02]))
    assert sorted(done) == [(0, 0.05), (1, 0.0), (2, 0.02)]
    assert done[-1] == (0, 0.05)


async def test_abatch_as_completed_yields_every_index_once() -> None:
    """The async twin of the same, with an error kept in place when asked."""
    pairs = [
        pair
        async for pair in RunnableLambda(_fail_on_two).abatch_as_completed([1, 2, 3], return_exceptions=True)
    ]
    by_index = dict(pairs)
    assert (by_index[0], by_index[2]) == (10, 30)
    assert isinstance(by_index[1], ValueError)


class _AsyncCounter(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any, Any]] = []

    async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.events.append(("start", kwargs["run_id"], kwargs["parent_run_id"]))

    async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.events.append(("end", kwargs["run_id"], kwargs["parent_run_id"]))


class _SyncCounter(BaseCallbackHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any, Any]] = []
        self._lock = threading.Lock()

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        with self._lock:
            self.events.append(("start", kwargs["run_id"], kwargs["parent_run_id"]))

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        with self._lock:
            self.events.append(("end", kwargs["run_id"], kwargs["parent_run_id"]))


def _check_forest(events: list[tuple[str, Any, Any]], roots: int, per_root: int) -> None:
    starts = Counter(run_id for kind, run_id, _ in events if kind == "start")
    ends = Counter(run_id for kind, run_id, _ in events if kind == "end")
    assert len(starts) == roots * per_root
    assert set(starts.values()) == {1}, "an event was duplicated"
    assert starts == ends, "a run lost its end"
    parents = {run_id: parent for kind, run_id, parent in events if kind == "start"}
    root_ids = {run_id for run_id, parent in parents.items() if parent is None}
    assert len(root_ids) == roots
    assert all(parent in root_ids for parent in parents.values() if parent is not None), "misparented run"


async def test_ten_thousand_concurrent_ainvokes_lose_duplicate_or_misparent_nothing() -> None:
    """10,000 concurrent ainvokes of a 3-step chain with a sync, an async and a background
    handler: each handler sees exactly 4 runs per call (sequence + 3 steps), correctly parented."""

    async def tick(x: int) -> int:
        await asyncio.sleep(0)
        return x + 1

    chain = RunnableLambda(lambda x: x + 1, afunc=tick) | RunnableLambda(tick) | RunnableLambda(tick)
    sync, asynchronous, inner = _SyncCounter(), _AsyncCounter(), _SyncCounter()
    background = BackgroundHandler(inner, max_queue=200_000)
    config = {"callbacks": [sync, asynchronous, background]}
    results = await asyncio.gather(*(chain.ainvoke(i, config) for i in range(10_000)))
    assert results == [i + 3 for i in range(10_000)]
    assert background.flush(60)
    for handler in (sync, asynchronous, inner):
        _check_forest(handler.events, roots=10_000, per_root=4)
    assert background.dropped == 0
    background.close()


def test_cancelled_ainvoke_ends_started_runs_children_first() -> None:
    """Cancelling ainvoke gives each started run an error event with CancelledError, the
    innermost first, and the caller sees CancelledError."""
    recorder = Recorder()
    started = asyncio.Event()

    async def hang(x: int) -> int:
        started.set()
        await asyncio.sleep(30)
        return x

    chain = RunnableLambda(lambda x: x) | RunnableLambda(hang)

    async def main() -> None:
        task = asyncio.ensure_future(chain.ainvoke(1, {"callbacks": [recorder]}))
        await asyncio.wait_for(started.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    recorder.check_pairing()
    assert recorder.trace()[-2:] == [
        "on_chain_error R3<-R1 ['seq:step:2']",
        "on_chain_error R1<-None []",
    ]
    errors = [kw["args"][0] for kw in recorder.kwargs if kw["event"] == "on_chain_error"]
    assert all(isinstance(e, asyncio.CancelledError) for e in errors)
