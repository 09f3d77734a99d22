"""The Method's timing (reference/perf_baseline.md), and nothing else.

In-process figures: warm-up of half a repeat, loops sized to ~200 ms, 7 repeats, the figure is
the median per call; wall (`perf_counter_ns`) and CPU (`process_time_ns`) side by side, and
`gc.collect()` before each repeat. Long figures: each call timed whole after one warm-up.
Caller figures: as in-process ones, but the CPU is the calling thread's (`thread_time_ns`), and
a `drain()` runs untimed after the warm-up and each repeat (a background writer catching up).
Knows nothing about runwire or langchain-core: it times zero-argument callables.
"""

from __future__ import annotations

import gc
import itertools
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Settings:
    """How long to measure. `FULL` is the Method; `QUICK` is for smoke runs."""

    repeats: int = 7  # in-process loops (floor, a, b), memory peaks, import runs
    target_ns: int = 200_000_000  # one in-process repeat lasts about this long
    long_repeats: int = 5  # c and d: each call timed whole
    stream_repeats: int = 7  # e: each call timed whole


FULL = Settings()
QUICK = Settings(repeats=3, target_ns=50_000_000, long_repeats=2, stream_repeats=2)


def summarise(wall_ns: list[float], cpu_ns: list[float]) -> dict[str, Any]:
    """Median, extremes and quartiles of per-call times (ns), as the baseline's JSON lines."""
    q1, _, q3 = statistics.quantiles(wall_ns, n=4) if len(wall_ns) > 1 else (wall_ns[0],) * 3
    return {
        "wall": statistics.median(wall_ns),
        "cpu": statistics.median(cpu_ns),
        "min": min(wall_ns),
        "max": max(wall_ns),
        "q1": q1,
        "q3": q3,
        "repeats": len(wall_ns),
    }


def _loop(fn: Callable[[], object], n: int) -> None:
    for _ in itertools.repeat(None, n):
        fn()


def _calibrate(fn: Callable[[], object], target_ns: int) -> int:
    """Number of calls that makes one repeat last about `target_ns`."""
    n = 1
    while True:
        start = time.perf_counter_ns()
        _loop(fn, n)
        elapsed = time.perf_counter_ns() - start
        if elapsed >= target_ns // 10:
            return max(1, round(n * target_ns / elapsed))
        n *= 10 if elapsed < target_ns // 1000 else 3


def per_call(fn: Callable[[], object], settings: Settings) -> dict[str, Any]:
    """Median per-call time (ns) of `fn` over `settings.repeats` loops of ~target_ns each."""
    n = _calibrate(fn, settings.target_ns)
    _loop(fn, max(1, n // 2))  # warm-up: half a repeat
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(settings.repeats):
        gc.collect()
        wall0, cpu0 = time.perf_counter_ns(), time.process_time_ns()
        _loop(fn, n)
        wall1, cpu1 = time.perf_counter_ns(), time.process_time_ns()
        wall.append((wall1 - wall0) / n)
        cpu.append((cpu1 - cpu0) / n)
    return {**summarise(wall, cpu), "loops": n}


def caller_cpu(fn: Callable[[], object], settings: Settings, drain: Callable[[], object]) -> dict[str, Any]:
    """Median per-call CPU time (ns) of the calling thread only (`thread_time_ns`), as `per_call`
    does otherwise; `drain()` runs untimed after the calibration, the warm-up and each repeat, so
    work `fn` hands to a background thread never piles up across repeats (nor is it counted)."""
    n = _calibrate(fn, settings.target_ns)
    drain()
    _loop(fn, max(1, n // 2))  # warm-up: half a repeat
    drain()
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(settings.repeats):
        gc.collect()
        wall0, cpu0 = time.perf_counter_ns(), time.thread_time_ns()
        _loop(fn, n)
        wall1, cpu1 = time.perf_counter_ns(), time.thread_time_ns()
        wall.append((wall1 - wall0) / n)
        cpu.append((cpu1 - cpu0) / n)
        drain()
    return {**summarise(wall, cpu), "loops": n}


def whole(fn: Callable[[], Any], repeats: int) -> tuple[dict[str, Any], list[Any]]:
    """Time each call of `fn` whole (ns) after one warm-up call; also return what each call
    returned (the number of tokens, items, ...), so the caller can check the work was done."""
    fn()
    wall: list[float] = []
    cpu: list[float] = []
    returned: list[Any] = []
    for _ in range(repeats):
        gc.collect()
        wall0, cpu0 = time.perf_counter_ns(), time.process_time_ns()
        returned.append(fn())
        wall1, cpu1 = time.perf_counter_ns(), time.process_time_ns()
        wall.append(wall1 - wall0)
        cpu.append(cpu1 - cpu0)
    return summarise(wall, cpu), returned


def peak_bytes(fn: Callable[[], object], repeats: int, warmup: int = 200) -> dict[str, Any]:
    """tracemalloc peak above the resting traced size during one call of `fn`, in steady state:
    after warm-up, and with no `gc.collect()` right before the call, because a full collection
    empties the interpreter's free lists and the next call would count refilling them (+3-10
    KiB); the median of `repeats` consecutive single calls."""
    _loop(fn, warmup)
    gc.collect()
    tracemalloc.start()
    try:
        _loop(fn, 10)  # refill free lists and whatever else is allocated once under tracing
        peaks: list[float] = []
        for _ in range(repeats):
            resting = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            fn()
            peaks.append(tracemalloc.get_traced_memory()[1] - resting)
    finally:
        tracemalloc.stop()
    return {"value": statistics.median(peaks), "min": min(peaks), "max": max(peaks), "repeats": repeats}
