"""Streamed runs: a component's `_transform` body wrapped in one run, sync and async twins.

The run opens when the first input chunk arrives (so upstream runs start first, as in
langchain-core); its start carries the real input when the caller gave one (`stream(input)`),
else a placeholder, and its end then carries `inputs=` (the input chunks added up). Output chunks
are added up only if a handler listens to the end event. The run is current only while its body
computes a chunk, never while the consumer holds one. A consumer that stops early (`break`,
`aclose()`, garbage collection) closes the body first, so children end before their parent, and
the run ends with an error event carrying `GeneratorExit`.
Not here: what a component does with its chunks (see each component's `_transform`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from runwire.callbacks.context import enter_run, exit_run
from runwire.callbacks.manager import (
    AsyncCallbackManagerForChainRun,
    CallbackManagerForChainRun,
    open_run,
)

_DONE: Any = object()
PLACEHOLDER_INPUT: dict[str, Any] = {"input": ""}  # langchain-core's start input for streamed chunks


def add_chunks(chunks: list[Any]) -> Any:
    """Chunks added together with `+` (one bulk add where the type supports it), or the last
    chunk for types without `+`; None for no chunks."""
    if not chunks:
        return None
    if len(chunks) == 1:
        return chunks[0]
    first = chunks[0]
    if isinstance(first, dict):
        return _add_dicts(chunks)
    if isinstance(first, list):  # `first + chunks[1:]` would nest the other lists
        return [item for chunk in chunks for item in chunk]
    if isinstance(first, str):
        try:
            return "".join(chunks)
        except TypeError:
            pass
    try:
        return first + chunks[1:]  # messages and generation chunks merge a list in one pass
    except TypeError:
        pass
    total = first
    for chunk in chunks[1:]:
        try:
            total = total + chunk
        except TypeError:
            total = chunk
    return total


def _add_dicts(chunks: list[Any]) -> Any:
    """Dict chunks (a parallel step's `{key: chunk}`) merged key by key, values added up."""
    parts: dict[Any, list[Any]] = {}
    for chunk in chunks:
        if not isinstance(chunk, dict):
            return chunks[-1]
        for key, value in chunk.items():
            parts.setdefault(key, []).append(value)
    return {key: add_chunks(values) for key, values in parts.items()}


class AddableDict(dict[str, Any]):
    """A dict chunk that adds up key by key with `+` (what parallel and assign steps stream)."""

    def __add__(self, other: dict[str, Any]) -> AddableDict:
        return _add_into(AddableDict(self), other)

    def __radd__(self, other: dict[str, Any]) -> AddableDict:
        return _add_into(AddableDict(other), self)


def _add_into(total: AddableDict, more: dict[str, Any]) -> AddableDict:
    for key, value in more.items():
        if total.get(key) is None:
            total[key] = value
        elif value is not None:
            try:
                total[key] = total[key] + value
            except TypeError:
                total[key] = value
    return total


def _stream_tap(run: Any) -> Any:
    """The `on_chain_stream` entries (astream_events listens to these), or None."""
    return run._dispatch.table.get("on_chain_stream")


def stream_run(
    runnable: Any,
    chunks: Iterator[Any],
    config: Any,
    known: Any,
    kwargs: dict[str, Any],
    *,
    gather: bool = False,
) -> Iterator[Any]:
    """Run `runnable._transform` over `chunks` as one chain run (see module docstring). With
    `gather`, the input is added up before the run opens, so its start carries the real input."""
    chunks = iter(chunks)
    if gather:
        known = add_chunks(list(chunks))
        chunks = iter((known,))
    first = next(chunks, _DONE)
    run = open_run(CallbackManagerForChainRun, config, None, runnable.tags, runnable.metadata)
    if run is None:
        if first is not _DONE:
            yield from runnable._transform(_prepend(first, chunks), config, None, **kwargs)
        return
    deferred = known is _DONE
    run.start_chain(runnable, PLACEHOLDER_INPUT if deferred else known, config, streamed=True)
    wants_end = run._dispatch.table.get("on_chain_end") or run._dispatch.table.get("on_chain_error")
    seen: list[Any] | None = [] if deferred and wants_end else None
    source = _prepend(first, chunks) if first is not _DONE else iter(())
    if seen is not None:
        source = _record(source, seen)
    out: list[Any] | None = [] if run._dispatch.table.get("on_chain_end") else None
    tap = _stream_tap(run)
    body = runnable._transform(source, config, run, **kwargs)
    scoped = runnable._body_calls_out
    try:
        while True:
            if scoped:
                token = enter_run(run)
                try:
                    chunk = next(body, _DONE)
                finally:
                    exit_run(token)
            else:
                chunk = next(body, _DONE)
            if chunk is _DONE:
                break
            if out is not None:
                out.append(chunk)
            if tap:
                run._fire("on_chain_stream", (chunk,))
            yield chunk
    except BaseException as exc:
        body.close()  # children end (with their own error events) before this run does
        _close(chunks)  # so does the upstream step that was feeding it
        run.finish_error(exc, **({"inputs": add_chunks(seen)} if seen is not None else {}))
        raise
    run.finish(
        add_chunks(out) if out is not None else None,
        **({"inputs": add_chunks(seen)} if seen is not None else {}),
    )


async def astream_run(
    runnable: Any,
    chunks: AsyncIterator[Any],
    config: Any,
    known: Any,
    kwargs: dict[str, Any],
    *,
    gather: bool = False,
) -> AsyncIterator[Any]:
    """Async `stream_run`."""
    chunks = aiter(chunks)
    if gather:
        known = add_chunks([chunk async for chunk in chunks])
        chunks = aiter_of(known)
    first = await anext(chunks, _DONE)
    run = open_run(AsyncCallbackManagerForChainRun, config, None, runnable.tags, runnable.metadata)
    if run is None:
        if first is not _DONE:
            async for chunk in runnable._atransform(_aprepend(first, chunks), config, None, **kwargs):
                yield chunk
        return
    deferred = known is _DONE
    await run.astart_chain(runnable, PLACEHOLDER_INPUT if deferred else known, config, streamed=True)
    wants_end = run._dispatch.table.get("on_chain_end") or run._dispatch.table.get("on_chain_error")
    seen: list[Any] | None = [] if deferred and wants_end else None
    source = _aprepend(first, chunks) if first is not _DONE else _aempty()
    if seen is not None:
        source = _arecord(source, seen)
    out: list[Any] | None = [] if run._dispatch.table.get("on_chain_end") else None
    tap = _stream_tap(run)
    body = runnable._atransform(source, config, run, **kwargs)
    scoped = runnable._body_calls_out
    try:
        while True:
            if scoped:
                token = enter_run(run)
                try:
                    chunk = await anext(body, _DONE)
                finally:
                    exit_run(token)
            else:
                chunk = await anext(body, _DONE)
            if chunk is _DONE:
                break
            if out is not None:
                out.append(chunk)
            if tap:
                await run._afire("on_chain_stream", (chunk,))
            yield chunk
    except BaseException as exc:
        await body.aclose()
        await aclose_upstream(chunks, exc)
        await run.afinish_error(exc, **({"inputs": add_chunks(seen)} if seen is not None else {}))
        raise
    await run.afinish(
        add_chunks(out) if out is not None else None,
        **({"inputs": add_chunks(seen)} if seen is not None else {}),
    )


def _close(upstream: Any) -> None:
    """Close the stream a failed or abandoned run was reading (its runs end now, not at GC)."""
    close = getattr(upstream, "close", None)
    if close is not None:
        close()


async def aclose_upstream(upstream: Any, exc: BaseException) -> None:
    """Async `_close`; on cancellation the upstream runs get the CancelledError itself."""
    import asyncio

    if isinstance(exc, asyncio.CancelledError) and hasattr(upstream, "athrow"):
        try:
            await upstream.athrow(exc)
        except BaseException:  # noqa: S110 - it re-raises what we threw; its runs have ended
            pass
        return
    aclose = getattr(upstream, "aclose", None)
    if aclose is not None:
        await aclose()


def _prepend(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def _record(source: Iterator[Any], seen: list[Any]) -> Iterator[Any]:
    for chunk in source:
        seen.append(chunk)
        yield chunk


async def _aprepend(first: Any, rest: AsyncIterator[Any]) -> AsyncIterator[Any]:
    yield first
    async for chunk in rest:
        yield chunk


async def _arecord(source: AsyncIterator[Any], seen: list[Any]) -> AsyncIterator[Any]:
    async for chunk in source:
        seen.append(chunk)
        yield chunk


async def _aempty() -> AsyncIterator[Any]:
    return
    yield  # pragma: no cover - makes this an async generator


async def aiter_of(value: Any) -> AsyncIterator[Any]:
    """A one-chunk async stream."""
    yield value


# -- components that cannot stream, seen through the streaming API ------------------------


def _whole(runnable: Any, input: Any, config: Any, kwargs: dict[str, Any]) -> Iterator[Any]:
    yield runnable.invoke(input, config, **kwargs)  # lazily, on first `next()`, as a stream should


async def _awhole(runnable: Any, input: Any, config: Any, kwargs: dict[str, Any]) -> AsyncIterator[Any]:
    yield await runnable.ainvoke(input, config, **kwargs)


def _gathered(runnable: Any, chunks: Iterator[Any], config: Any, kwargs: dict[str, Any]) -> Iterator[Any]:
    yield from runnable.stream(_gather(chunks), config, **kwargs)


async def _agathered(
    runnable: Any, chunks: AsyncIterator[Any], config: Any, kwargs: dict[str, Any]
) -> AsyncIterator[Any]:
    gathered = _gather([chunk async for chunk in chunks])
    inner = runnable.astream(gathered, config, **kwargs)
    try:
        async for out in inner:
            yield out
    except BaseException as exc:  # reach the inner stream now: async for has no `yield from`
        await aclose_upstream(inner, exc)
        raise


def _gather(chunks: Iterable[Any]) -> Any:
    """Input chunks added up into one value (see `streaming.add_chunks`)."""
    return add_chunks(list(chunks))
