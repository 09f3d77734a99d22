"""batch / abatch / as-completed on the local machine: the bodies behind `Runnable.batch` & co.

Sync batches run through `config.run_all` (the caller works; pool helpers join only when a task
blocks), async ones through `gather_or_cancel` with an optional semaphore. Not here: remote
executors (see `runwire.distributed`), which `Runnable.batch(..., executor=)` hands the call to.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from runwire.callbacks.handler_loop import drain_posted
from runwire.callbacks.runs import deferred_barrier
from runwire.runnables.config import RunnableConfig, config_list, gather_or_cancel, run_all


def batch(
    runnable: Any, inputs: Sequence[Any], config: Any, return_exceptions: bool, kwargs: dict[str, Any]
) -> list[Any]:
    if not inputs:
        return []
    configs = config_list(config, len(inputs))
    invoke = runnable.invoke
    tasks = [(lambda x=x, c=c: invoke(x, c, **kwargs)) for x, c in zip(inputs, configs, strict=True)]
    # Async handlers' events are delivered in the background while the batch runs; it waits for
    # them once, at its end, rather than once per input (see callbacks.handler_loop).
    token = deferred_barrier.set(True)
    try:
        results = run_all(tasks, configs[0].get("max_concurrency"))
    finally:
        deferred_barrier.reset(token)
        drain_posted()
    if not return_exceptions:
        for result in results:
            if isinstance(result, BaseException):
                raise result
    return results


async def abatch(
    runnable: Any, inputs: Sequence[Any], config: Any, return_exceptions: bool, kwargs: dict[str, Any]
) -> list[Any]:
    import asyncio

    if not inputs:
        return []
    configs = config_list(config, len(inputs))
    limit = configs[0].get("max_concurrency")
    semaphore = asyncio.Semaphore(limit) if limit else None

    async def one(x: Any, c: RunnableConfig) -> Any:
        if semaphore is None:
            return await runnable.ainvoke(x, c, **kwargs)
        async with semaphore:
            return await runnable.ainvoke(x, c, **kwargs)

    return await gather_or_cancel(
        *(one(x, c) for x, c in zip(inputs, configs, strict=True)), return_exceptions=return_exceptions
    )


def batch_as_completed(
    runnable: Any, inputs: Sequence[Any], config: Any, return_exceptions: bool, kwargs: dict[str, Any]
) -> Iterator[tuple[int, Any]]:
    from concurrent.futures import FIRST_COMPLETED, Future, wait

    from runwire.runnables.config import shared_executor

    if not inputs:
        return
    configs = config_list(config, len(inputs))
    limit = configs[0].get("max_concurrency") or len(inputs)
    pool = shared_executor()
    pending: dict[Future[Any], int] = {}
    queued = iter(enumerate(zip(inputs, configs, strict=True)))

    def submit_next() -> None:
        for index, (x, c) in queued:
            pending[pool.submit(runnable.invoke, x, c, **kwargs)] = index
            return

    try:
        for _ in range(limit):  # no more than `max_concurrency` inputs in flight
            submit_next()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                exc = future.exception()
                if exc is not None and not return_exceptions:
                    raise exc
                submit_next()
                yield index, exc if exc is not None else future.result()
    finally:
        for future in pending:
            future.cancel()


async def abatch_as_completed(
    runnable: Any, inputs: Sequence[Any], config: Any, return_exceptions: bool, kwargs: dict[str, Any]
) -> AsyncIterator[tuple[int, Any]]:
    import asyncio

    configs = config_list(config, len(inputs))
    limit = configs[0].get("max_concurrency") if configs else None
    semaphore = asyncio.Semaphore(limit) if limit else None

    async def one(i: int, x: Any, c: RunnableConfig) -> tuple[int, Any]:
        try:
            if semaphore is None:
                return i, await runnable.ainvoke(x, c, **kwargs)
            async with semaphore:
                return i, await runnable.ainvoke(x, c, **kwargs)
        except Exception as exc:
            if not return_exceptions:
                raise
            return i, exc

    for next_done in asyncio.as_completed(
        [one(i, x, c) for i, (x, c) in enumerate(zip(inputs, configs, strict=True))]
    ):
        yield await next_done
