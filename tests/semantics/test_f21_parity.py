"""Differences left after issues 15 and 21, closed: the same program on both libraries.

Lambda and generator equality, `ensure_config()` inside a generator nobody listens to, tools'
model-facing schemas (`**kwargs`, a `BaseTool` subclass's `_run` docstring, a runnable turned into
a tool), tool calls without an id, the chat prompt's missing-variable message, the serializable
surface on runnables and messages, and the starts `stream()` reports for retries and sequences.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest


def _collect(stream: AsyncIterator[Any]) -> list[Any]:
    async def go() -> list[Any]:
        return [chunk async for chunk in stream]

    return asyncio.run(go())


def double(x: int) -> int:
    return 2 * x


# -- 1. equality --------------------------------------------------------------------------------


def test_lambdas_are_equal_when_they_wrap_the_same_function(lib: Any) -> None:
    """Two `RunnableLambda`s of one function are equal, of different functions are not, and a
    lambda is unhashable (it defines `__eq__`), as in langchain-core."""
    assert lib.RunnableLambda(double) == lib.RunnableLambda(double)
    assert lib.RunnableLambda(double) != lib.RunnableLambda(lambda x: 2 * x)
    assert lib.RunnableLambda(double) != double
    with pytest.raises(TypeError, match="unhashable"):
        hash(lib.RunnableLambda(double))


def test_generators_are_equal_when_they_wrap_the_same_function(lib: Any) -> None:
    def gen(chunks: Iterator[int]) -> Iterator[int]:
        yield from chunks

    def other(chunks: Iterator[int]) -> Iterator[int]:
        yield from chunks

    assert lib.RunnableGenerator(gen) == lib.RunnableGenerator(gen)
    assert lib.RunnableGenerator(gen) != lib.RunnableGenerator(other)
    with pytest.raises(TypeError, match="unhashable"):
        hash(lib.RunnableGenerator(gen))


# -- 7. ensure_config() inside a generator ----------------------------------------------------


def test_ensure_config_inside_a_generator_sees_the_call_config(lib: Any) -> None:
    """With no handler, a sync generator's `ensure_config()` reads the call's tags and metadata
    under invoke and stream; an async one under ainvoke and astream."""

    def seen(_: Any) -> tuple[Any, Any]:
        config = lib.ensure_config()
        return config.get("tags"), config.get("metadata", {}).get("k")

    def gen(chunks: Iterator[Any]) -> Iterator[Any]:
        for chunk in chunks:
            yield seen(chunk)

    async def agen(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for chunk in chunks:
            yield seen(chunk)

    config = {"tags": ["t"], "metadata": {"k": 1}}
    expected = (["t"], 1)
    assert lib.RunnableGenerator(gen).invoke(0, config) == expected
    assert list(lib.RunnableGenerator(gen).stream(0, config)) == [expected]
    assert asyncio.run(lib.RunnableGenerator(agen).ainvoke(0, config)) == expected
    assert _collect(lib.RunnableGenerator(agen).astream(0, config)) == [expected]
