"""DaskExecutor: the remote run protocol on `dask.distributed` (`pip install "runwire[dask]"`).

Each chunk is one task (`client.submit(run_chunk, ...)`, unique key, `retries`), at most
`max_in_flight` at once. A task whose worker dies is rescheduled by Dask; its events travel in
its result, so the driver delivers them once whichever attempt finishes. `distributed` is
imported when the executor first talks to the cluster, never by `import runwire`.
Not here: live event streaming (`log_event`): events arrive per chunk, with its results.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import Future
from typing import Any

from runwire.distributed.executor import RemoteExecutor
from runwire.distributed.wire import ChunkTask, run_chunk


class DaskExecutor(RemoteExecutor):
    """Run a batch's chunks on a Dask cluster; the driver's handlers hear every nested run.

    client_or_address: a (synchronous) `distributed.Client`, a scheduler address to connect to
    (the client made is closed by `close()`), or None for the current default client.
    retries: how often Dask re-runs a chunk whose task failed (worker loss is always rescheduled).
    """

    def __init__(
        self,
        client_or_address: Any = None,
        *,
        chunk_size: int = 100,
        max_concurrency: int | None = None,
        max_in_flight: int | None = None,
        retries: int = 2,
        progress: bool = False,
    ) -> None:
        super().__init__(
            chunk_size=chunk_size,
            max_concurrency=max_concurrency,
            max_in_flight=max_in_flight,
            progress=progress,
        )
        self.retries = retries
        self._target = client_or_address
        self._client: Any = None
        self._owned = False
        self._live: dict[Future[bytes], Any] = {}  # our future -> Dask's, kept alive until done
        self._lock = threading.Lock()
        self._prefix = f"runwire-chunk-{uuid.uuid4().hex[:12]}"
        self._counter = itertools.count()

    @property
    def client(self) -> Any:
        """The `distributed.Client` chunks go to (connected on first use)."""
        if self._client is None:
            try:
                from distributed import Client, get_client
            except ImportError as exc:
                from runwire._optional import missing

                raise missing(exc, "DaskExecutor") from exc
            if self._target is None:
                self._client = get_client()
            elif isinstance(self._target, str):
                self._client = Client(self._target)  # type: ignore[no-untyped-call]
                self._owned = True
            else:
                self._client = self._target
        return self._client

    def _submit(self, task: ChunkTask) -> Future[bytes]:
        key = f"{self._prefix}-{next(self._counter)}"
        remote = self.client.submit(run_chunk, task, key=key, pure=False, retries=self.retries)
        local: Future[bytes] = Future()
        local.set_running_or_notify_cancel()
        with self._lock:
            self._live[local] = remote

        def arrived(remote: Any) -> None:  # on Dask's callback thread
            with self._lock:
                self._live.pop(local, None)
            if local.done():
                return
            try:
                local.set_result(remote.result())
            except BaseException as exc:  # the task failed for good, or was cancelled
                local.set_exception(exc)

        remote.add_done_callback(arrived)
        return local

    def _default_in_flight(self) -> int:
        slots: int = sum(self.client.nthreads().values())
        return max(2, 2 * slots)

    def _cancel(self, futures: Iterable[Future[bytes]]) -> None:
        with self._lock:
            remote = [self._live.pop(future) for future in list(futures) if future in self._live]
        if remote:
            self.client.cancel(remote)

    def close(self) -> None:
        """Close the client this executor connected (a client passed in is left open)."""
        if self._owned and self._client is not None:
            self._client.close()
        self._client = None

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DaskExecutor({self._target!r}, chunk_size={self.chunk_size})"
