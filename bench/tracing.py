"""What tracing to SQLite costs: chain (a) with one no-op listening handler vs with the SQLite
tracer attached, and the writer thread's time to store 10,000 runs.

    .venv/bin/python bench/tracing.py [--quick]

Foreground figures are per `invoke`, median of repeats, wall and the caller thread's CPU
(`time.thread_time`), in two settings:
* deferred: the writer stays idle while the timed loop runs and drains the queue between
  repeats, as it does in a real program while a model call waits on the network. This is the
  cost the tracer adds to a call.
* concurrent: the writer drains every 0.2 s during the loop. chain (a) is pure CPU (a fake
  model), so the writer's work competes with the caller for the GIL: the worst case.
Background: the writer's CPU time (`SQLiteTracer.busy_seconds`: JSON views, secret scrubbing,
inserts, commits) to store 10,000 runs.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from runwire.callbacks import BaseCallbackHandler
from runwire.language_models import GenericFakeChatModel
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate
from runwire.tracers.sqlite import SQLiteTracer
from runwire.tracers.store import TraceStore

INPUT = {"number": "2"}
TARGET_RATIO = 2.0
TARGET_BACKGROUND_S = 1.0


class NoOp(BaseCallbackHandler):
    """Listens to what the tracer listens to, and does nothing."""

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        pass

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        pass

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        pass

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        pass

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        pass

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        pass


def chain_a() -> Any:
    return (
        ChatPromptTemplate.from_template("What is 1 + {number}?")
        | GenericFakeChatModel(messages=itertools.repeat("The answer is 3."))
        | StrOutputParser()
    )


def timed(fn: Any, calls: int) -> tuple[float, float]:
    """(wall, caller-thread CPU) seconds per call over `calls` calls."""
    wall, cpu = time.perf_counter(), time.thread_time()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - wall) / calls, (time.thread_time() - cpu) / calls


def compare(base: Any, traced: Any, calls: int, repeats: int, after: Any = None) -> list[tuple[float, float]]:
    """Median (wall, CPU) per call of `base` and `traced`, their repeats interleaved (A B A B ...)
    so that a change in machine load weighs on both; `after()` runs untimed after each traced repeat."""
    for fn in (base, traced):
        for _ in range(calls // 2):
            fn()
    if after is not None:
        after()
    samples: list[list[tuple[float, float]]] = [[], []]
    for _ in range(repeats):
        samples[0].append(timed(base, calls))
        samples[1].append(timed(traced, calls))
        if after is not None:
            after()
    return [
        (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)) for runs in samples
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    calls, repeats = (2_000, 3) if args.quick else (10_000, 7)
    chain = chain_a()
    noop_config = {"callbacks": [NoOp()]}

    def noop() -> Any:
        return chain.invoke(INPUT, noop_config)

    with tempfile.TemporaryDirectory() as tmp:
        # Deferred: the writer sleeps through each timed repeat (the queue holds the events) and
        # drains them after it, untimed: the cost a call pays while the program is busy.
        idle = SQLiteTracer(Path(tmp) / "deferred.db", flush_interval=3600, batch_size=10**9, max_queue=10**9)
        idle_config = {"callbacks": [idle]}
        base, deferred = compare(noop, lambda: chain.invoke(INPUT, idle_config), calls, repeats, idle.flush)
        idle.close()
        # Concurrent, every trace kept: the writer drains during the loop and callers wait for
        # it when it falls behind (chain (a) is pure CPU: the worst case).
        blocking = SQLiteTracer(Path(tmp) / "blocking.db", on_full="block")
        blocking_config = {"callbacks": [blocking]}
        _, kept_all = compare(noop, lambda: chain.invoke(INPUT, blocking_config), calls, repeats)
        blocking.close()
        # Concurrent, the default: new traces are skipped while the writer is behind.
        dropping = SQLiteTracer(Path(tmp) / "dropping.db")
        dropping_config = {"callbacks": [dropping]}
        _, default = compare(noop, lambda: chain.invoke(INPUT, dropping_config), calls, repeats)
        dropping.close()
        skipped = dropping.dropped_traces / (calls * repeats + calls // 2)
        lost = idle.dropped + blocking.dropped

        runs = 10_000
        writer = SQLiteTracer(Path(tmp) / "runs.db")
        config = {"callbacks": [writer]}
        began = time.perf_counter()
        for _ in range(runs // 4):  # chain (a) is 4 runs: sequence, prompt, model, parser
            chain.invoke(INPUT, config)
        queued = time.perf_counter() - began
        writer.flush()
        drained = time.perf_counter() - began
        with TraceStore(writer.path) as store:
            stored = store.stats()["runs"]
        background = writer.busy_seconds
        writer.close()

    print("| chain (a) `invoke` | no-op handler | SQLite tracer | ratio | target |")
    print("| --- | ---: | ---: | ---: | ---: |")
    rows = (
        ("writer deferred, wall", base[0], deferred[0], f"≤ {TARGET_RATIO}x"),
        ("writer deferred, caller CPU", base[1], deferred[1], ""),
        ("writer concurrent, on_full=block, wall", base[0], kept_all[0], "worst case"),
        (f"writer concurrent, on_full=drop ({skipped:.0%} of traces skipped), wall", base[0], default[0], ""),
    )
    for label, plain, traced, target in rows:
        print(
            f"| {label} | {plain * 1e6:.1f} µs | {traced * 1e6:.1f} µs | {traced / plain:.2f}x | {target} |"
        )
    print()
    print("| background write | runs stored | writer CPU | per run | target |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(
        f"| {runs // 4} invokes of chain (a) | {stored} | {background:.3f} s "
        f"| {background / stored * 1e6:.1f} µs | ≤ {TARGET_BACKGROUND_S} s for 10,000 |"
    )
    print(f"\n(queued in {queued:.3f} s, all committed {drained:.3f} s after the first call)")
    print(f"events lost by the deferred and blocking tracers: {lost}")


if __name__ == "__main__":
    main()
