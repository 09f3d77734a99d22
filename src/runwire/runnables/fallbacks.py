"""RunnableWithFallbacks: try the runnable, then each fallback, on handled exceptions.

Every attempt is a child of the fallbacks run (langchain-core loses this parent link, #36072).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from runwire.runnables.base import Input, Output, Runnable, coerce_to_runnable
from runwire.runnables.config import RunnableConfig, child_config


class RunnableWithFallbacks(Runnable[Input, Output]):
    """`runnable.with_fallbacks([...])`."""

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
            raise TypeError(
                f"with_fallbacks(exception_key={self.exception_key!r}) needs a dict input (the error is "
                f"added under that key for the next fallback), got {type(input).__name__}"
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
