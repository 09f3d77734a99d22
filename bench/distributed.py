"""Distributed batch: what forwarding the driver's callbacks costs (issue #10).

10,000 inputs through a 3-step chain (lambda | GenericFakeChatModel | StrOutputParser) on a real
2-worker Dask LocalCluster (processes, 1 thread each, loopback), chunks of 100: one counting
handler on the driver vs no handler at all, runs alternated, median of repeats. Two chains:

* cpu: the lambda only formats a prompt (~10 us of work per input): the worst case, where the
  cost of the events themselves is most of the work;
* io:  the lambda also waits 10-30 ms (20 ms on average, fixed per input), as a call to a model
  API would (`max_concurrency=32` inside each chunk): the case the executor is for.

Prints wall times, their ratio (target <= 1.1x) and events forwarded per second next to the
reference in reference/distributed.md (piggyback on Dask, a 12-event stand-in chain).

    .venv/bin/python bench/distributed.py [--inputs 10000] [--repeats 3] [--only cpu|io]
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from runwire.callbacks import BaseCallbackHandler
from runwire.language_models import GenericFakeChatModel
from runwire.output_parsers import StrOutputParser
from runwire.runnables import RunnableLambda

# This file shares its name with the `distributed` package: keep its folder off the import path
# (here and in the spawned workers, which copy it) so `import distributed` finds Dask's.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

LATENCY = (0.010, 0.030)  # seconds: the io chain's simulated model API call, uniform per input


class Replies:
    """A picklable endless script for the fake model."""

    def __next__(self) -> str:
        return "The answer is 3."

    def __iter__(self) -> Replies:
        return self


class Counter(BaseCallbackHandler):
    """A typical driver-side handler: a lock (so it cannot be pickled) and a count per event."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events = 0

    def _count(self, *args: Any, **kwargs: Any) -> None:
        with self.lock:
            self.events += 1

    on_chain_start = on_chain_end = on_chat_model_start = on_llm_end = _count


def _prompt(x: int) -> str:
    return f"What is 1 + {x}?"


def _prompt_after_io(x: int) -> str:
    time.sleep(random.Random(x).uniform(*LATENCY))  # APIs never answer in lockstep
    return f"What is 1 + {x}?"


def make_chain(io: bool) -> Any:
    return (
        RunnableLambda(_prompt_after_io if io else _prompt)
        | GenericFakeChatModel(messages=Replies())
        | StrOutputParser()
    )


def measure(client: Any, io: bool, inputs: list[int], repeats: int, chunk_size: int) -> dict[str, Any]:
    from runwire.distributed import DaskExecutor

    chain = make_chain(io)
    executor = DaskExecutor(client, chunk_size=chunk_size, max_concurrency=32 if io else None)
    chain.batch(inputs[: chunk_size * 8], {"callbacks": [Counter()]}, executor=executor)  # warm-up
    plain: list[float] = []
    heard: list[float] = []
    events = 0
    for _ in range(repeats):
        t = time.perf_counter()
        chain.batch(inputs, executor=executor)
        plain.append(time.perf_counter() - t)
        handler = Counter()
        t = time.perf_counter()
        chain.batch(inputs, {"callbacks": [handler]}, executor=executor)
        heard.append(time.perf_counter() - t)
        events = handler.events
    return {"none": statistics.median(plain), "one": statistics.median(heard), "events": events,
            "runs": (plain, heard)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--chunk-size", type=int, default=100)
    parser.add_argument("--only", choices=["cpu", "io"])
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    inputs = list(range(args.inputs))
    started = time.perf_counter()
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # a free loopback port: never collides with another cluster
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    print(f"cluster up in {time.perf_counter() - started:.2f} s: {client}", file=sys.stderr)
    results: dict[str, dict[str, Any]] = {}
    try:
        for kind in ("cpu", "io"):
            if args.only in (None, kind):
                results[kind] = measure(client, kind == "io", inputs, args.repeats, args.chunk_size)
                print(f"{kind}: done", file=sys.stderr)
    finally:
        client.close()
        cluster.close()

    local = Counter()
    t = time.perf_counter()
    make_chain(io=False).batch(inputs, {"callbacks": [local]})
    local_wall = time.perf_counter() - t
    t = time.perf_counter()
    make_chain(io=False).batch(inputs)
    local_silent = time.perf_counter() - t

    setup = f"chunks of {args.chunk_size}, 2 workers x 1 thread, median of {args.repeats}"
    print(f"\n{args.inputs:,} inputs, {setup}")
    kinds = list(results)
    print(f"{'figure':<46}" + "".join(f"{k:>13}" for k in kinds) + f"{'reference':>16}")

    def row(label: str, cells: list[str], ref: str) -> None:
        print(f"{label:<46}" + "".join(f"{c:>13}" for c in cells) + f"{ref:>16}")

    row("wall, no handler", [f"{results[k]['none']:.3f} s" for k in kinds], "0.72-0.78 s")
    row("wall, 1 handler on the driver", [f"{results[k]['one']:.3f} s" for k in kinds], "1.05-1.23 s")
    row(
        "ratio (target <= 1.1x)",
        [f"{results[k]['one'] / results[k]['none']:.2f}x" for k in kinds],
        "1.4-1.6x",
    )
    row("events forwarded", [f"{results[k]['events']:,}" for k in kinds], "120,000")
    rates = [f"{results[k]['events'] / results[k]['one']:,.0f}" for k in kinds]
    row("events forwarded / s (events / wall)", rates, "98k-114k")
    print(
        f"\nlocal batch, one process, cpu chain: {local_silent:.3f} s silent, {local_wall:.3f} s, 1 handler"
    )
    for kind in kinds:
        plain, heard = results[kind]["runs"]
        print(
            f"{kind} runs: no handler {[round(x, 3) for x in plain]}, handler {[round(x, 3) for x in heard]}"
        )


if __name__ == "__main__":  # spawned workers re-import this file
    main()
