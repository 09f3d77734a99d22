"""RunnableBinding: another runnable with fixed call kwargs and/or config (`bind`, `with_config`).

A binding opens no run of its own: it merges its config into the caller's (callbacks given
here become inheritable for the bound sub-tree) and calls the bound runnable. `config_factories`
(used by listeners) add config computed from each call's config; `with_types` sets the types
its schemas report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from runwire.runnables.base import Input, Output, Runnable
from runwire.runnables.config import RunnableConfig, config_list, merge_config_dicts, merge_configs


class RunnableBindingBase(Runnable[Input, Output]):
    """`bound` called with `kwargs` added and `config` merged into every call."""

    def __init__(
        self,
        *,
        bound: Runnable[Input, Output],
        kwargs: dict[str, Any] | None = None,
        config: RunnableConfig | None = None,
        config_factories: list[Callable[[RunnableConfig], RunnableConfig]] | None = None,
        custom_input_type: Any = None,
        custom_output_type: Any = None,
    ) -> None:
        self.bound = bound
        self.kwargs: dict[str, Any] = dict(kwargs or {})
        self.config: RunnableConfig = config or {}
        self.config_factories = list(config_factories or ())
        self.custom_input_type = custom_input_type
        self.custom_output_type = custom_output_type
        # Decided once: only factories or an overriding subclass need the full merge per call.
        self._plain = not self.config_factories and (
            type(self)._merge_configs is RunnableBindingBase._merge_configs
        )

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        return self.bound.get_name(suffix, name=name)

    @property
    def InputType(self) -> Any:
        return self.custom_input_type if self.custom_input_type is not None else self.bound.InputType

    @property
    def OutputType(self) -> Any:
        return self.custom_output_type if self.custom_output_type is not None else self.bound.OutputType

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        if self.custom_input_type is not None:
            return super().get_input_schema(config)
        return self.bound.get_input_schema(merge_config_dicts(self.config, config))

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        if self.custom_output_type is not None:
            return super().get_output_schema(config)
        return self.bound.get_output_schema(merge_config_dicts(self.config, config))

    @property
    def config_specs(self) -> list[Any]:
        return self.bound.config_specs

    def _merge_configs(self, *configs: RunnableConfig | None) -> RunnableConfig:
        config = merge_configs(self.config, *configs)
        return merge_configs(config, *(factory(config) for factory in self.config_factories))

    def _merge(self, config: RunnableConfig | None) -> RunnableConfig | None:
        if self._plain:
            if not self.config:
                return config
            return merge_config_dicts(self.config, config)
        return self._merge_configs(config)

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

    def _batch_configs(self, inputs: Any, config: Any) -> Any:
        if isinstance(config, list) or not self._plain:  # factories make a fresh config per input
            return [self._merge(c) for c in config_list(config, len(inputs))]
        return self._merge(config)

    def batch(self, inputs: Any, config: Any = None, **kwargs: Any) -> Any:
        return self.bound.batch(inputs, self._batch_configs(inputs, config), **{**self.kwargs, **kwargs})

    async def abatch(self, inputs: Any, config: Any = None, **kwargs: Any) -> Any:
        configs = self._batch_configs(inputs, config)
        return await self.bound.abatch(inputs, configs, **{**self.kwargs, **kwargs})

    def __repr__(self) -> str:
        return f"RunnableBinding(bound={self.bound!r}, kwargs={self.kwargs!r}, config={self.config!r})"


class RunnableBinding(RunnableBindingBase[Input, Output]):
    """A binding made by `bind`, `with_config`, `with_types` or `with_listeners`."""

    def _copy(self, **changes: Any) -> Any:
        fields = {
            "bound": self.bound,
            "kwargs": self.kwargs,
            "config": self.config,
            "config_factories": self.config_factories,
            "custom_input_type": self.custom_input_type,
            "custom_output_type": self.custom_output_type,
        }
        return type(self)(**{**fields, **changes})

    def bind(self, **kwargs: Any) -> RunnableBinding[Input, Output]:
        return cast(RunnableBinding[Input, Output], self._copy(kwargs={**self.kwargs, **kwargs}))

    def with_config(
        self, config: RunnableConfig | None = None, **kwargs: Any
    ) -> RunnableBinding[Input, Output]:
        merged = merge_config_dicts(self.config, cast(RunnableConfig, {**(config or {}), **kwargs}))
        return cast(RunnableBinding[Input, Output], self._copy(config=merged))

    def with_types(
        self, *, input_type: Any = None, output_type: Any = None
    ) -> RunnableBinding[Input, Output]:
        return cast(
            RunnableBinding[Input, Output],
            self._copy(
                custom_input_type=input_type if input_type is not None else self.custom_input_type,
                custom_output_type=output_type if output_type is not None else self.custom_output_type,
            ),
        )

    def __getattr__(self, name: str) -> Any:
        # Attributes of the bound runnable (e.g. a model's `model_name`) stay reachable.
        if name.startswith("__") or name == "bound":
            raise AttributeError(name)
        return getattr(self.bound, name)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(bound={self.bound!r}, kwargs={self.kwargs!r}, config={self.config!r}, "
            f"config_factories={self.config_factories!r})"
        )
