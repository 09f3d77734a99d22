"""Figure i of `make bench`: a Dask batch with a handler on the driver vs without (issue #20).

The `cpu` chain of bench/distributed.py (lambda formatting a prompt | GenericFakeChatModel |
StrOutputParser, ~10 us of work per input, 8 events per input for the counting handler) over
2,000 inputs on a real 2-worker LocalCluster (processes, 1 thread each, loopback), chunks of
100. Runwire only: langchain-core has no distributed executor. The longer, alternated
measurement with io-bound chains stays in bench/distributed.py.
Not here: timing or tables (run.py); the other figures (cases.py).
"""

from __future__ import annotations

import atexit
import logging
import sys
import threading
from pathlib import Path
from typing import Any

INPUTS = 2000
CHUNK = 100

# bench/distributed.py shadows Dask's `distributed` while this folder leads the import path: put
# it last (also for the spawned workers, which copy the path), so both resolve.
_HERE = Path(__file__).resolve().parent


def _bench_last() -> None:
    rest = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
    sys.path[:] = [*rest, str(_HERE)]
    if "distributed" in sys.modules and not hasattr(sys.modules["distributed"], "LocalCluster"):
        del sys.modules["distributed"]


class Replies:
    """A picklable endless script for the fake model."""

    def __next__(self) -> str:
        return "The answer is 3."

    def __iter__(self) -> Replies:
        return self


def prompt(x: int) -> str:
    return f"What is 1 + {x}?"


def _counter_class() -> type:
    from runwire.callbacks import BaseCallbackHandler

    class Counter(BaseCallbackHandler):
        """A typical driver-side handler: a lock (so it cannot be pickled), a count per event."""

        def __init__(self) -> None:
            self.lock = threading.Lock()
            self.events = 0

        def _count(self, *args: Any, **kwargs: Any) -> None:
            with self.lock:
                self.events += 1

        on_chain_start = on_chain_end = on_chat_model_start = on_llm_end = _count

    return Counter


def build(handler: bool) -> tuple[Any, str]:
    """A function running the batch (returns the number of inputs) and a note for the table."""
    _bench_last()
    from distributed import Client, LocalCluster
    from runwire.distributed import DaskExecutor
    from runwire.language_models import GenericFakeChatModel
    from runwire.output_parsers import StrOutputParser
    from runwire.runnables import RunnableLambda

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    atexit.register(cluster.close)
    atexit.register(client.close)
    chain = RunnableLambda(prompt) | GenericFakeChatModel(messages=Replies()) | StrOutputParser()
    executor = DaskExecutor(client, chunk_size=CHUNK)
    inputs = list(range(INPUTS))
    counter = _counter_class()

    def run() -> int:
        config = {"callbacks": [counter()]} if handler else None
        return len(chain.batch(inputs, config, executor=executor))

    heard = counter()
    chain.batch(inputs[: CHUNK * 4], {"callbacks": [heard]}, executor=executor)  # warm-up, checked
    if heard.events != CHUNK * 4 * 8:
        raise RuntimeError(f"the driver's handler heard {heard.events} events, not {CHUNK * 4 * 8}")
    return run, f"i: {INPUTS} inputs, chunks of {CHUNK}, 2 Dask workers x 1 thread, 8 events/input"
