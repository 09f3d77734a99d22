"""RunnableLambda and RunnableGenerator: plain functions as runnables.

Whether a function takes `config` (or `run_manager`) is decided once, at construction, from
its code object, never per call. A function that returns a runnable has it invoked as a child.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar

from runwire.runnables.base import Input, Output, Runnable
from runwire.runnables.config import RunnableConfig, child_config, ensure_config, run_in_executor
from runwire.runnables.streaming import aclose_upstream, add_chunks, aiter_of, astream_run, stream_run

_accepts: dict[Any, frozenset[str]] = {}


def accepted_kwargs(func: Callable[..., Any]) -> frozenset[str]:
    """Which of `config`, `run_manager`, `callbacks` `func` accepts (cached per function)."""
    key = getattr(func, "__func__", func)
    try:
        found = _accepts.get(key)
    except TypeError:  # unhashable callable
        found, key = None, None
    if found is not None:
        return found
    code = getattr(key, "__code__", None)
    if code is not None and not isinstance(func, functools.partial):
        names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    else:
        import inspect

        try:
            names = tuple(inspect.signature(func).parameters)
        except (TypeError, ValueError):
            names = ()
    found = frozenset(n for n in ("config", "run_manager", "callbacks") if n in names)
    if key is not None:
        _accepts[key] = found
    return found


def is_generator_function(func: Any) -> bool:
    import inspect

    return inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func)


def _is_async(func: Any) -> bool:
    import inspect

    call = type(func).__dict__.get("__call__")  # a callable object with an `async def __call__`
    return inspect.iscoroutinefunction(func) or (call is not None and inspect.iscoroutinefunction(call))


def _func_name(func: Any) -> str | None:
    name = getattr(func, "__name__", None)
    return None if name in (None, "<lambda>") else name


class RunnableLambda(Runnable[Input, Output]):
    """A function as a runnable. `afunc` (or an async `func`) is used by `ainvoke`."""

    _run_type: ClassVar[str | None] = ""  # starts carry run_type=None, as in langchain-core

    def __init__(
        self,
        func: Callable[..., Any],
        afunc: Callable[..., Any] | None = None,
        name: str | None = None,
    ) -> None:
        if not callable(func):
            raise TypeError(f"RunnableLambda needs a callable, got {type(func).__name__}: {func!r}")
        if afunc is None and _is_async(func):
            self.func: Callable[..., Any] | None = None
            self.afunc: Callable[..., Any] | None = func
        else:
            self.func, self.afunc = func, afunc
        self.name = name or _func_name(func) or (afunc and _func_name(afunc)) or None
        self._wants = accepted_kwargs(func)
        self._awants = accepted_kwargs(afunc) if afunc is not None else self._wants

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        return super().get_name(suffix, name=name or self.name or "RunnableLambda")

    def _extra(self, wants: frozenset[str], config: RunnableConfig | None, run: Any) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if "config" in wants:
            extra["config"] = ensure_config(child_config(config, run))
        if "run_manager" in wants:
            extra["run_manager"] = run
        if "callbacks" in wants:
            extra["callbacks"] = run.get_child() if run is not None else None
        return extra

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if self.func is None:
            raise TypeError(
                f"{self.get_name()} wraps an async function, which cannot run in sync `invoke`. "
                "Use `await runnable.ainvoke(...)`, or pass a sync function too: "
                "RunnableLambda(func, afunc)."
            )
        output = (
            self.func(input, **self._extra(self._wants, config, run)) if self._wants else self.func(input)
        )
        if isinstance(output, Runnable):
            return output.invoke(input, child_config(config, run))
        return output

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if self.afunc is not None:
            output = await self.afunc(input, **self._extra(self._awants, config, run))
        else:
            # A sync function may block: run it in a thread (with this context) off the loop.
            output = await run_in_executor(None, self._invoke_plain, input, config, run)
        if isinstance(output, Runnable):
            return await output.ainvoke(input, child_config(config, run))
        return output

    def _invoke_plain(self, input: Any, config: RunnableConfig | None, run: Any) -> Any:
        assert self.func is not None
        return self.func(input, **self._extra(self._wants, config, run))

    # Streaming: the input is added up first (so the run starts with the real input); a function
    # that returns a runnable has it streamed, one that returns an iterator has it drained.

    def transform(
        self, input: Iterator[Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        return stream_run(self, input, config, None, kwargs, gather=True)

    def atransform(
        self, input: AsyncIterator[Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        return astream_run(self, input, config, None, kwargs, gather=True)

    def _transform(
        self, chunks: Iterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        input = add_chunks(list(chunks))
        if self.func is None:
            raise TypeError(
                f"{self.get_name()} wraps an async function, which cannot run in sync `stream`. "
                "Use `astream`, or pass a sync function too: RunnableLambda(func, afunc)."
            )
        output = self.func(input, **self._extra(self._wants, config, run))
        if isinstance(output, Runnable):
            yield from output.stream(input, child_config(config, run))
        elif isinstance(output, Iterator):
            yield from output
        else:
            yield output

    async def _atransform(
        self, chunks: AsyncIterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        input = add_chunks([chunk async for chunk in chunks])
        if self.afunc is not None:
            output = await self.afunc(input, **self._extra(self._awants, config, run))
        else:
            output = await run_in_executor(None, self._invoke_plain, input, config, run)
        if isinstance(output, Runnable):
            inner = output.astream(input, child_config(config, run))
            try:
                async for chunk in inner:
                    yield chunk
            except BaseException as exc:  # reach the inner stream now: async for has no `yield from`
                await aclose_upstream(inner, exc)
                raise
        elif isinstance(output, AsyncIterator):
            inner = output
            try:
                async for chunk in inner:
                    yield chunk
            except BaseException as exc:  # reach the inner stream now: async for has no `yield from`
                await aclose_upstream(inner, exc)
                raise
        elif isinstance(output, Iterator):
            for chunk in output:
                yield chunk
        else:
            yield output

    def __repr__(self) -> str:
        return f"RunnableLambda({self.get_name()})"


class RunnableGenerator(Runnable[Input, Output]):
    """A generator function over input chunks (`transform`) as a runnable; invoke adds up its output."""

    _run_type: ClassVar[str | None] = ""  # starts carry run_type=None, as in langchain-core

    def __init__(
        self,
        transform: Callable[[Iterator[Any]], Iterator[Any]]
        | Callable[[AsyncIterator[Any]], AsyncIterator[Any]],
        atransform: Callable[[AsyncIterator[Any]], AsyncIterator[Any]] | None = None,
        *,
        name: str | None = None,
    ) -> None:
        import inspect

        if inspect.isasyncgenfunction(transform):
            self._gen: Any = None
            self._agen: Any = transform
        else:
            self._gen, self._agen = transform, atransform
        self.name = name or _func_name(transform) or "RunnableGenerator"
        self._wants = accepted_kwargs(transform)

    def _extra(self, config: RunnableConfig | None, run: Any) -> dict[str, Any]:
        return {"config": ensure_config(child_config(config, run))} if "config" in self._wants else {}

    def _transform(
        self, chunks: Iterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        if self._gen is None:
            raise TypeError(f"{self.get_name()} is an async generator; use `ainvoke`/`astream`.")
        yield from self._gen(chunks, **self._extra(config, run))

    async def _atransform(
        self, chunks: AsyncIterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        if self._agen is None:
            # A sync generator over an async stream: feed it the gathered input.
            gathered = [chunk async for chunk in chunks]
            for chunk in self._transform(iter(gathered), config, run):
                yield chunk
            return
        inner = self._agen(chunks, **self._extra(config, run))
        try:
            async for chunk in inner:
                yield chunk
        except BaseException as exc:  # reach the inner stream now: async for has no `yield from`
            await aclose_upstream(inner, exc)
            raise

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        return add_chunks(list(self._transform(iter((input,)), config, run)))

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        return add_chunks([chunk async for chunk in self._atransform(aiter_of(input), config, run)])


def chain(func: Callable[..., Any]) -> RunnableLambda[Any, Any]:
    """Decorator: make `func` a runnable (its name becomes the run name)."""
    return RunnableLambda(func)
