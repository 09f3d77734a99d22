"""RunnableWithFallbacks: try the runnable, then each fallback, on handled exceptions.

Every attempt is a child of the fallbacks run (langchain-core loses this parent link, #36072).
Streams fall back while no chunk has been yielded; attributes fall through to the primary.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, ClassVar

from runwire.runnables.base import Input, Output, Runnable, coerce_to_runnable, fields_repr
from runwire.runnables.config import RunnableConfig, child_config
from runwire.runnables.streaming import aclose_upstream, add_chunks


class RunnableWithFallbacks(Runnable[Input, Output]):
    """`runnable.with_fallbacks([...])`."""

    _streamed_run_type: ClassVar[bool] = False  # langchain-core's streamed start has no run_type

    def __init__(
        self,
        *,
        runnable: Runnable[Input, Output],
        fallbacks: Sequence[Runnable[Input, Output]],
        exceptions_to_handle: tuple[type[BaseException], ...] = (Exception,),
        exception_key: str | None = None,
    ) -> None:
        self.runnable = runnable
        self.fallbacks = [coerce_to_runnable(f) for f in fallbacks]
        self.exceptions_to_handle = tuple(exceptions_to_handle)
        self.exception_key = exception_key

    @property
    def runnables(self) -> list[Runnable[Input, Output]]:
        return [self.runnable, *self.fallbacks]

    # Schemas are the primary runnable's.
    InputType = property(lambda self: self.runnable.InputType)
    OutputType = property(lambda self: self.runnable.OutputType)

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        return self.runnable.get_input_schema(config)

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        return self.runnable.get_output_schema(config)

    @property
    def config_specs(self) -> list[Any]:
        from runwire.runnables.schema import unique_config_specs

        return unique_config_specs(spec for step in self.runnables for spec in step.config_specs)

    def _inputs(self, input: Any) -> Any:
        if self.exception_key is not None and not isinstance(input, dict):
            raise ValueError(
                "If 'exception_key' is specified then input must be a dictionary."
                f"However found a type of {type(input)} for input (with_fallbacks(exception_key="
                f"{self.exception_key!r}) adds the error under that key for the next fallback)."
            )
        return input

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        input = self._inputs(input)
        first_error: BaseException | None = None
        for runnable in self.runnables:
            try:
                return runnable.invoke(input, child_config(config, run), **kwargs)
            except self.exceptions_to_handle as exc:
                first_error = first_error or exc
                if self.exception_key is not None:
                    input = {**input, self.exception_key: exc}
        assert first_error is not None
        raise first_error

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        input = self._inputs(input)
        first_error: BaseException | None = None
        for runnable in self.runnables:
            try:
                return await runnable.ainvoke(input, child_config(config, run), **kwargs)
            except self.exceptions_to_handle as exc:
                first_error = first_error or exc
                if self.exception_key is not None:
                    input = {**input, self.exception_key: exc}
        assert first_error is not None
        raise first_error

    # Streaming: a runnable that fails before its first chunk hands over to the next one; once a
    # chunk is out, an error is the caller's (as in langchain-core).

    def _transform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        input = self._inputs(add_chunks(list(chunks)))
        first_error: BaseException | None = None
        for runnable in self.runnables:
            stream = runnable.stream(input, child_config(config, run), **kwargs)
            try:
                chunk = next(stream)
            except self.exceptions_to_handle as exc:
                first_error = first_error or exc
                if self.exception_key is not None:
                    input = {**input, self.exception_key: exc}
                continue
            yield chunk
            yield from stream
            return
        assert first_error is not None
        raise first_error

    async def _atransform(self, chunks: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> Any:
        input = self._inputs(add_chunks([chunk async for chunk in chunks]))
        first_error: BaseException | None = None
        for runnable in self.runnables:
            stream = runnable.astream(input, child_config(config, run), **kwargs)
            try:
                chunk = await anext(stream)
            except self.exceptions_to_handle as exc:
                first_error = first_error or exc
                if self.exception_key is not None:
                    input = {**input, self.exception_key: exc}
                continue
            try:
                yield chunk
                async for chunk in stream:
                    yield chunk
            except BaseException as exc:  # reach the inner stream now: async for has no `yield from`
                await aclose_upstream(stream, exc)
                raise
            return
        assert first_error is not None
        raise first_error

    def __getattr__(self, name: str) -> Any:
        # langchain-core: attributes come from the primary runnable; a method that returns a
        # runnable (e.g. `bind_tools`) is applied to every fallback too.
        if name.startswith("__") or name in {"runnable", "fallbacks"}:
            raise AttributeError(name)
        attr = getattr(self.runnable, name)
        if not _returns_runnable(attr):
            return attr

        @functools.wraps(attr)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            return type(self)(
                runnable=attr(*args, **kwargs),
                fallbacks=[getattr(fallback, name)(*args, **kwargs) for fallback in self.fallbacks],
                exceptions_to_handle=self.exceptions_to_handle,
                exception_key=self.exception_key,
            )

        return wrapped

    def __repr__(self) -> str:
        return fields_repr(
            self,
            [
                ("runnable", self.runnable, None),
                ("fallbacks", self.fallbacks, None),
                ("exceptions_to_handle", self.exceptions_to_handle, (Exception,)),
                ("exception_key", self.exception_key, None),
            ],
        )


def _returns_runnable(attr: Any) -> bool:
    """Whether `attr` is a method annotated to return a runnable."""
    if not callable(attr) or isinstance(attr, Runnable):
        return False
    import typing

    try:
        returned = typing.get_type_hints(attr).get("return")
    except Exception:  # an unresolvable annotation: not a runnable factory as far as we can tell
        return False
    return returned is not None and _is_runnable_type(returned)


def _is_runnable_type(kind: Any) -> bool:
    import types
    import typing

    if isinstance(kind, type):
        return issubclass(kind, Runnable)
    origin = typing.get_origin(kind)
    if isinstance(origin, type) and origin is not types.UnionType:
        return issubclass(origin, Runnable)
    if origin in (typing.Union, types.UnionType):
        return all(_is_runnable_type(arg) for arg in typing.get_args(kind))
    return False
