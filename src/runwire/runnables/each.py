"""RunnableEach (`runnable.map()`): the bound runnable applied to every item of a list input.

One run for the list; each item is a child run of it (langchain-core's shape), run through the
bound runnable's `batch`/`abatch` so the usual concurrency rules apply.
"""

from __future__ import annotations

from typing import Any, ClassVar

from runwire.runnables.base import Runnable
from runwire.runnables.config import RunnableConfig, child_config


class RunnableEach(Runnable[list[Any], list[Any]]):
    """`bound.map()`: a list in, the list of `bound`'s outputs out."""

    _run_type: ClassVar[str | None] = ""  # starts carry run_type=None, as in langchain-core

    def __init__(self, *, bound: Runnable[Any, Any]) -> None:
        self.bound = bound

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        base = name or self.name or f"RunnableEach<{self.bound.get_name()}>"
        return f"{base}{suffix}" if suffix else base

    @property
    def InputType(self) -> Any:
        return list[self.bound.InputType]  # type: ignore[name-defined]

    @property
    def OutputType(self) -> Any:
        return list[self.bound.OutputType]  # type: ignore[name-defined]

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        from runwire.runnables.schema import create_model

        return create_model(self.get_name("Input"), root=(list[self.bound.get_input_schema(config)], None))  # type: ignore[misc]

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        from runwire.runnables.schema import create_model

        return create_model(self.get_name("Output"), root=list[self.bound.get_output_schema(config)])  # type: ignore[misc]

    @property
    def config_specs(self) -> list[Any]:
        return self.bound.config_specs

    def _check(self, input: Any) -> list[Any]:
        if not isinstance(input, list | tuple):
            raise TypeError(
                f"{self.get_name()} takes a list (one output per item), got {type(input).__name__}: "
                f"{input!r:.200}. Wrap a single value as [value], or drop `.map()`."
            )
        return list(input)

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> list[Any]:
        return self.bound.batch(self._check(input), child_config(config, run), **kwargs)

    async def _ainvoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> list[Any]:
        return await self.bound.abatch(self._check(input), child_config(config, run), **kwargs)

    def __repr__(self) -> str:
        return f"RunnableEach(bound={self.bound!r})"
