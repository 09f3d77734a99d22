"""ProcessExecutor: the remote run protocol on `concurrent.futures` (stdlib, no extra install).

Runs chunks in a process pool (spawned, so workers start clean), or on any `Executor` you give
it, such as `distributed.Client.get_executor()`. A pool it created is reused across batches and
shut down by `close()` or the `with` block. Not here: retrying chunks whose process died (a
broken pool fails the chunks it held; use `DaskExecutor` for retries on worker loss).
"""

from __future__ import annotations

from concurrent.futures import Executor, Future

from runwire.distributed.executor import RemoteExecutor
from runwire.distributed.wire import ChunkTask, run_chunk


class ProcessExecutor(RemoteExecutor):
    """Run a batch's chunks in worker processes; the driver's handlers hear every nested run."""

    def __init__(
        self,
        max_workers: int | None = None,
        *,
        executor: Executor | None = None,
        mp_context: str = "spawn",
        chunk_size: int = 100,
        max_concurrency: int | None = None,
        max_in_flight: int | None = None,
        progress: bool = False,
    ) -> None:
        super().__init__(
            chunk_size=chunk_size,
            max_concurrency=max_concurrency,
            max_in_flight=max_in_flight,
            progress=progress,
        )
        self._executor = executor
        self._owned = executor is None
        self._max_workers = max_workers
        self._mp_context = mp_context

    def _pool(self) -> Executor:
        if self._executor is None:
            import multiprocessing
            import os
            from concurrent.futures import ProcessPoolExecutor

            self._max_workers = self._max_workers or os.cpu_count() or 1
            self._executor = ProcessPoolExecutor(
                self._max_workers, mp_context=multiprocessing.get_context(self._mp_context)
            )
        return self._executor

    def _submit(self, task: ChunkTask) -> Future[bytes]:
        return self._pool().submit(run_chunk, task)

    def _default_in_flight(self) -> int:
        return 2 * (self._max_workers or 2)

    def close(self) -> None:
        """Shut down the pool this executor created (a pool passed in is left running)."""
        if self._owned and self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ProcessExecutor(max_workers={self._max_workers}, chunk_size={self.chunk_size})"
