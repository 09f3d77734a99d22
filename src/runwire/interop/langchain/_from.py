"""`from_langchain`: a langchain-core runnable as a runwire step.

The step opens no run of its own: the langchain runnable's runs attach directly under the
runwire run that called it (through a real langchain `CallbackManager`, see `_bridge`), so each
node appears once in the tree. Inputs go in as langchain-core objects and outputs come back as
runwire's; errors pass through unchanged. Attributes the wrapper lacks are read from the wrapped
object, and langchain runnables they return are wrapped too (`.with_structured_output(...)`).
Not here: the other direction (see `_to`).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from runwire.callbacks.context import current_run
from runwire.interop.langchain._bridge import lc_config
from runwire.interop.langchain._convert import from_lc, to_lc
from runwire.runnables.base import Runnable
from runwire.runnables.config import RunnableConfig


class LangChainRunnable(Runnable[Any, Any]):
    """A langchain-core `Runnable` (partner chat model, retriever, chain, LangGraph graph) as a
    runwire step. Make one with `from_langchain(x)`, or just put `x` in a chain."""

    def __init__(self, runnable: Any) -> None:
        self.runnable = runnable
        self.name = runnable.get_name()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.__dict__.get("runnable"), name)
        if not callable(value) or _is_lc_runnable(value):
            return _wrap(value)

        def call(*args: Any, **kwargs: Any) -> Any:
            return _wrap(value(*args, **kwargs))

        return call

    def __repr__(self) -> str:
        return f"from_langchain({self.runnable!r})"

    # -- calls ----------------------------------------------------------------------------------
    # runwire's current run is cleared while langchain runs, so a runwire call made with no
    # config inside a langchain lambda finds langchain's (inner) context instead.

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        cfg = lc_config(config, is_async=False)
        tokens = _into_lc(cfg)
        try:
            return from_lc(self.runnable.invoke(to_lc(input), cfg, **kwargs))
        finally:
            _back(tokens)

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        cfg = lc_config(config, is_async=True)
        tokens = _into_lc(cfg)
        try:
            return from_lc(await self.runnable.ainvoke(to_lc(input), cfg, **kwargs))
        finally:
            _back(tokens)

    def batch(
        self,
        inputs: Sequence[Any],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        executor: Any = None,
        **kwargs: Any,
    ) -> list[Any]:
        if executor is not None:
            return super().batch(inputs, config, return_exceptions=return_exceptions, executor=executor)
        configs = [lc_config(c, is_async=False) for c in _config_list(config, len(inputs))]
        tokens = _into_lc(None)
        try:
            out = self.runnable.batch(
                [to_lc(x) for x in inputs], configs, return_exceptions=return_exceptions, **kwargs
            )
        finally:
            _back(tokens)
        return [from_lc(x) for x in out]

    async def abatch(
        self,
        inputs: Sequence[Any],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        executor: Any = None,
        **kwargs: Any,
    ) -> list[Any]:
        if executor is not None:
            return await super().abatch(
                inputs, config, return_exceptions=return_exceptions, executor=executor
            )
        configs = [lc_config(c, is_async=True) for c in _config_list(config, len(inputs))]
        tokens = _into_lc(None)
        try:
            out = await self.runnable.abatch(
                [to_lc(x) for x in inputs], configs, return_exceptions=return_exceptions, **kwargs
            )
        finally:
            _back(tokens)
        return [from_lc(x) for x in out]

    def stream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        cfg = lc_config(config, is_async=False)
        return _chunks(self.runnable.stream(to_lc(input), cfg, **kwargs), cfg)

    def astream(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> AsyncIterator[Any]:
        cfg = lc_config(config, is_async=True)
        return _achunks(self.runnable.astream(to_lc(input), cfg, **kwargs), cfg)

    def transform(
        self, input: Iterator[Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        cfg = lc_config(config, is_async=False)
        return _chunks(self.runnable.transform(map(to_lc, input), cfg, **kwargs), cfg)

    def atransform(
        self, input: AsyncIterator[Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        cfg = lc_config(config, is_async=True)
        return _achunks(self.runnable.atransform(_ato_lc(input), cfg, **kwargs), cfg)


def _into_lc(cfg: Any) -> tuple[Any, Any, Any]:
    """Make langchain's context the current one: runwire's current run cleared (a runwire call
    with no config inside finds langchain's run instead) and langchain's config variable set to
    what langchain is given (so it does not build a manager from runwire's run again)."""
    var = sys.modules["langchain_core.runnables.config"].var_child_runnable_config
    return current_run.set(None), var, var.set(cfg)


def _back(tokens: tuple[Any, Any, Any]) -> None:
    run_token, var, lc_token = tokens
    var.reset(lc_token)
    current_run.reset(run_token)


def _chunks(inner: Iterator[Any], cfg: Any) -> Iterator[Any]:
    try:
        while True:
            tokens = _into_lc(cfg)
            try:
                chunk = next(inner)
            except StopIteration:
                return
            finally:
                _back(tokens)
            yield from_lc(chunk)
    finally:
        close = getattr(inner, "close", None)
        if close is not None:
            close()


async def _achunks(inner: AsyncIterator[Any], cfg: Any) -> AsyncIterator[Any]:
    try:
        while True:
            tokens = _into_lc(cfg)
            try:
                chunk = await anext(inner)
            except StopAsyncIteration:
                return
            finally:
                _back(tokens)
            yield from_lc(chunk)
    finally:
        aclose = getattr(inner, "aclose", None)
        if aclose is not None:
            await aclose()


async def _ato_lc(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for chunk in chunks:
        yield to_lc(chunk)


def _config_list(config: Any, count: int) -> list[Any]:
    if isinstance(config, Sequence) and not isinstance(config, dict):
        if len(config) != count:
            raise ValueError(f"batch got {count} inputs but {len(config)} configs; pass one per input.")
        return list(config)
    return [config] * count


def _is_lc_runnable(value: Any) -> bool:
    module = sys.modules.get("langchain_core.runnables.base")
    return module is not None and isinstance(value, module.Runnable)


def _wrap(value: Any) -> Any:
    return LangChainRunnable(value) if _is_lc_runnable(value) else value


def from_langchain(runnable: Any) -> LangChainRunnable:
    """`runnable` (any langchain-core `Runnable`) as a runwire step whose langchain runs nest
    under the runwire run that calls it. `|`, dicts in chains and `coerce_to_runnable` call this."""
    if isinstance(runnable, LangChainRunnable):
        return runnable
    if not _is_lc_runnable(runnable):
        raise TypeError(
            f"from_langchain expects a langchain-core Runnable, got {type(runnable).__module__}."
            f"{type(runnable).__qualname__}. For a function use runwire's RunnableLambda."
        )
    return LangChainRunnable(runnable)
