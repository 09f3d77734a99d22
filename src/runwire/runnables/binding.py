"""RunnableBinding: another runnable with fixed call kwargs and/or config (`bind`, `with_config`).

A binding opens no run of its own: it merges its config into the caller's (callbacks given
here become inheritable for the bound sub-tree) and calls the bound runnable.
"""

from __future__ import annotations

from typing import Any, cast

from runwire.runnables.base import Input, Output, Runnable
from runwire.runnables.config import RunnableConfig, merge_configs


class RunnableBinding(Runnable[Input, Output]):
    """`bound` called with `kwargs` added and `config` merged into every call."""

    def __init__(
        self,
        *,
        bound: Runnable[Input, Output],
        kwargs: dict[str, Any] | None = None,
        config: RunnableConfig | None = None,
    ) -> None:
        self.bound = bound
        self.kwargs: dict[str, Any] = dict(kwargs or {})
        self.config: RunnableConfig = config or {}

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        return self.bound.get_name(suffix, name=name or self.config.get("run_name"))

    def _merge(self, config: RunnableConfig | None) -> RunnableConfig | None:
        if not self.config:
            return config
        return merge_configs(self.config, config)

    def invoke(self, input: Input, config: RunnableConfig | None = None, **kwargs: Any) -> Output:
        return self.bound.invoke(input, self._merge(config), **{**self.kwargs, **kwargs})

    async def ainvoke(self, input: Input, config: RunnableConfig | None = None, **kwargs: Any) -> Output:
        return await self.bound.ainvoke(input, self._merge(config), **{**self.kwargs, **kwargs})

    def stream(self, input: Input, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return self.bound.stream(input, self._merge(config), **{**self.kwargs, **kwargs})

    def astream(self, input: Input, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return self.bound.astream(input, self._merge(config), **{**self.kwargs, **kwargs})

    def transform(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return self.bound.transform(input, self._merge(config), **{**self.kwargs, **kwargs})

    def atransform(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        return self.bound.atransform(input, self._merge(config), **{**self.kwargs, **kwargs})

    def batch(self, inputs: Any, config: Any = None, **kwargs: Any) -> Any:
        config = [self._merge(c) for c in config] if isinstance(config, list) else self._merge(config)
        return self.bound.batch(inputs, config, **{**self.kwargs, **kwargs})

    async def abatch(self, inputs: Any, config: Any = None, **kwargs: Any) -> Any:
        config = [self._merge(c) for c in config] if isinstance(config, list) else self._merge(config)
        return await self.bound.abatch(inputs, config, **{**self.kwargs, **kwargs})

    def bind(self, **kwargs: Any) -> RunnableBinding[Input, Output]:
        return type(self)(bound=self.bound, kwargs={**self.kwargs, **kwargs}, config=self.config)

    def with_config(
        self, config: RunnableConfig | None = None, **kwargs: Any
    ) -> RunnableBinding[Input, Output]:
        merged = merge_configs(self.config, cast(RunnableConfig, {**(config or {}), **kwargs}))
        return type(self)(bound=self.bound, kwargs=self.kwargs, config=merged)

    def __getattr__(self, name: str) -> Any:
        # Attributes of the bound runnable (e.g. a model's `model_name`) stay reachable.
        if name.startswith("__") or name == "bound":
            raise AttributeError(name)
        return getattr(self.bound, name)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(bound={self.bound!r}, kwargs={self.kwargs!r}, config={self.config!r}, "
            "config_factories=[])"
        )
