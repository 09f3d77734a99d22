"""RunnablePassthrough (identity, optionally calling a side-effect function) and `.assign`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from runwire.runnables.base import Input, Runnable
from runwire.runnables.config import RunnableConfig, child_config, ensure_config
from runwire.runnables.function import accepted_kwargs
from runwire.runnables.parallel import RunnableParallel


class RunnablePassthrough(Runnable[Input, Input]):
    """Returns its input unchanged; `func(input)` is called for its side effect if given."""

    _run_type: ClassVar[str | None] = ""  # starts carry run_type=None, as in langchain-core

    def __init__(
        self,
        func: Callable[..., Any] | None = None,
        afunc: Callable[..., Any] | None = None,
        *,
        name: str | None = None,
    ) -> None:
        self.func, self.afunc, self.name = func, afunc, name
        self._wants = accepted_kwargs(func) if func is not None else frozenset()

    @classmethod
    def assign(cls, **kwargs: Any) -> RunnableAssign:  # type: ignore[override]
        """A runnable that adds keys to a dict input: each value is computed from the input."""
        return RunnableAssign(RunnableParallel(kwargs))

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if self.func is not None:
            if "config" in self._wants:
                self.func(input, config=ensure_config(child_config(config, run)))
            else:
                self.func(input)
        return input

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if self.afunc is not None:
            await self.afunc(input)
        elif self.func is not None:
            self._invoke(input, config, run)
        return input

    def _transform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        # Chunks pass straight through; `func` sees the whole input once the stream is done.
        seen = []
        for chunk in chunks:
            seen.append(chunk)
            yield chunk
        if self.func is not None:
            from runwire.runnables.streaming import add_chunks

            self._invoke(add_chunks(seen), config, run)

    async def _atransform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        seen = []
        async for chunk in chunks:
            seen.append(chunk)
            yield chunk
        if self.func is not None or self.afunc is not None:
            from runwire.runnables.streaming import add_chunks

            await self._ainvoke(add_chunks(seen), config, run)

    def __repr__(self) -> str:
        return "RunnablePassthrough()"


class RunnableAssign(Runnable[dict[str, Any], dict[str, Any]]):
    """`{**input, **mapper(input)}` where `mapper` is a RunnableParallel (a child run)."""

    _run_type: ClassVar[str | None] = ""  # starts carry run_type=None, as in langchain-core

    def __init__(self, mapper: RunnableParallel[dict[str, Any]] | Mapping[str, Any]) -> None:
        self.mapper = mapper if isinstance(mapper, RunnableParallel) else RunnableParallel(mapper)

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        base = name or self.name or f"RunnableAssign<{','.join(self.mapper.steps__)}>"
        return f"{base}{suffix}" if suffix else base

    def _check(self, input: Any) -> None:
        if not isinstance(input, dict):
            raise TypeError(
                f"{self.get_name()} expects a dict input (it adds keys to it), got {type(input).__name__}: "
                f"{input!r:.200}. Put a step that returns a dict before it, "
                "e.g. {'question': RunnablePassthrough()}."
            )

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        self._check(input)
        return {**input, **self.mapper.invoke(input, child_config(config, run))}

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        self._check(input)
        return {**input, **await self.mapper.ainvoke(input, child_config(config, run))}


class RunnablePick(Runnable[dict[str, Any], Any]):
    """Pick one key (a value) or several keys (a dict) from a dict input."""

    _run_type: ClassVar[str | None] = ""  # starts carry run_type=None, as in langchain-core

    def __init__(self, keys: str | list[str]) -> None:
        self.keys = keys

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        keys = self.keys if isinstance(self.keys, str) else ",".join(self.keys)
        base = name or self.name or f"RunnablePick<{keys}>"
        return f"{base}{suffix}" if suffix else base

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if not isinstance(input, dict):
            raise TypeError(f"{self.get_name()} expects a dict input, got {type(input).__name__}")
        if isinstance(self.keys, str):
            return input.get(self.keys)
        picked = {k: input[k] for k in self.keys if k in input}
        return picked or None
