"""Real engines for the distributed tests: a Dask LocalCluster (2 worker processes on loopback)
for the session, and a spawned 2-process ProcessPoolExecutor per module that needs one."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from runwire.distributed import ProcessExecutor


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # a free loopback port: never collides with another cluster
        silence_logs=logging.CRITICAL,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def process_pool() -> Iterator[Any]:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    pool = ProcessPoolExecutor(2, mp_context=get_context("spawn"))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture
def processes(process_pool: Any) -> ProcessExecutor:
    """A ProcessExecutor over the module's pool (2 spawned processes), small chunks."""
    return ProcessExecutor(executor=process_pool, chunk_size=25)
