"""RunnablePassthrough (identity, optionally calling a side-effect function) and `.assign`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from runwire.runnables import schema
from runwire.runnables.base import Input, Runnable
from runwire.runnables.config import RunnableConfig, child_config, config_for_function
from runwire.runnables.function import accepted_kwargs, fold_chunks
from runwire.runnables.parallel import RunnableParallel
from runwire.runnables.streaming import AddableDict, aclose_upstream


class RunnablePassthrough(Runnable[Input, Input]):
    """Returns its input unchanged; `func(input)` is called for its side effect if given."""

    _run_type: ClassVar[str | None] = ""  # starts carry run_type=None, as in langchain-core

    def __init__(
        self,
        func: Callable[..., Any] | None = None,
        afunc: Callable[..., Any] | None = None,
        *,
        input_type: Any = None,
        name: str | None = None,
    ) -> None:
        import inspect

        if inspect.iscoroutinefunction(func):  # langchain-core: an async `func` is the `afunc`
            func, afunc = None, func
        self.func, self.afunc, self.name = func, afunc, name
        self.input_type = input_type
        # Each gets the config when it takes a `config` parameter (decided here, not per call).
        self._wants = accepted_kwargs(func) if func is not None else frozenset()
        self._awants = accepted_kwargs(afunc) if afunc is not None else frozenset()

    @property
    def InputType(self) -> Any:
        return self.input_type or Any

    @property
    def OutputType(self) -> Any:
        return self.input_type or Any

    @classmethod
    def assign(cls, **kwargs: Any) -> RunnableAssign:  # type: ignore[override]
        """A runnable that adds keys to a dict input: each value is computed from the input."""
        return RunnableAssign(RunnableParallel(kwargs))

    @staticmethod
    def _with_config(
        wants: frozenset[str], config: RunnableConfig | None, run: Any, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        if "config" in wants:
            return {**kwargs, "config": config_for_function(config, run)}
        return kwargs

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if self.func is not None:
            self.func(input, **self._with_config(self._wants, config, run, kwargs))
        return input

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        if self.afunc is not None:
            await self.afunc(input, **self._with_config(self._awants, config, run, kwargs))
        elif self.func is not None:
            self._invoke(input, config, run, **kwargs)
        return input

    def _transform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        # Chunks pass straight through; `func` sees the whole input once the stream is done.
        seen = []
        for chunk in chunks:
            seen.append(chunk)
            yield chunk
        if self.func is not None and seen:
            self._invoke(fold_chunks(seen), config, run, **kwargs)

    async def _atransform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        seen = []
        async for chunk in chunks:
            seen.append(chunk)
            yield chunk
        if (self.func is not None or self.afunc is not None) and seen:
            await self._ainvoke(fold_chunks(seen), config, run, **kwargs)

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

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        mapper_input = self.mapper.get_input_schema(config)
        if not schema.is_root_model(mapper_input):
            return mapper_input
        return super().get_input_schema(config)

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        mapper_input = self.mapper.get_input_schema(config)
        mapper_output = self.mapper.get_output_schema(config)
        if not schema.is_root_model(mapper_output):
            if not schema.is_root_model(mapper_input):
                fields = {**schema.object_fields(mapper_input), **schema.object_fields(mapper_output)}
                return schema.create_model("RunnableAssignOutput", fields=fields)
            return mapper_output
        return super().get_output_schema(config)

    @property
    def config_specs(self) -> list[Any]:
        return self.mapper.config_specs

    def _check(self, input: Any) -> None:
        if not isinstance(input, dict):
            raise ValueError(  # noqa: TRY004 - langchain-core's exception type
                f"The input to RunnablePassthrough.assign() must be a dict: {self.get_name()} got "
                f"{type(input).__name__} {input!r:.200}. Put a step that returns a dict before it, "
                "e.g. {'question': RunnablePassthrough()}."
            )

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        self._check(input)
        return {**input, **self.mapper.invoke(input, child_config(config, run), **kwargs)}

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        self._check(input)
        return {**input, **await self.mapper.ainvoke(input, child_config(config, run), **kwargs)}

    # Streaming (langchain-core's order): the input's own keys first, then the mapper's chunks;
    # a mapper that yields nothing adds nothing.

    def _passthrough(self, chunk: Any) -> AddableDict | None:
        self._check(chunk)
        kept = AddableDict({k: v for k, v in chunk.items() if k not in self.mapper.steps__})
        return kept or None

    def _transform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        seen = []
        for chunk in chunks:
            seen.append(chunk)
            kept = self._passthrough(chunk)
            if kept is not None:
                yield kept
        if seen:
            yield from self.mapper.transform(iter(seen), child_config(config, run), **kwargs)

    async def _atransform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        seen = []
        async for chunk in chunks:
            seen.append(chunk)
            kept = self._passthrough(chunk)
            if kept is not None:
                yield kept
        if seen:
            inner = self.mapper.atransform(_replay(seen), child_config(config, run), **kwargs)
            try:
                async for chunk in inner:
                    yield chunk
            except BaseException as exc:  # reach the inner stream now: async for has no `yield from`
                await aclose_upstream(inner, exc)
                raise

    def __repr__(self) -> str:
        return f"RunnableAssign(mapper={self.mapper!r})"


async def _replay(chunks: list[Any]) -> Any:
    for chunk in chunks:
        yield chunk


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
            raise ValueError(  # noqa: TRY004 - langchain-core's exception type
                f"The input to {self.get_name()} must be a dict, got {type(input).__name__}: {input!r:.200}."
            )
        if isinstance(self.keys, str):
            return input.get(self.keys)
        picked = AddableDict({k: input[k] for k in self.keys if k in input})
        return picked or None

    def __repr__(self) -> str:
        return f"RunnablePick(keys={self.keys!r})"
