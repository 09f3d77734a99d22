"""Configurable runnables: fields and alternatives chosen at run time from `config["configurable"]`.

`configurable_fields(...)` and `configurable_alternatives(...)` return a `DynamicRunnable`, which
opens no run of its own: each call reads `configurable`, picks (or rebuilds) the runnable to use
and hands the call to it, so traces show the chosen runnable. Nothing here runs unless a program
asks for configurability. Not here: the field records (`runwire.runnables.utils`).
"""

from __future__ import annotations

import copy
import enum
import inspect
import threading
import typing
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, cast

from runwire.runnables.base import Input, Output, Runnable
from runwire.runnables.config import RunnableConfig, ensure_config, merge_configs
from runwire.runnables.schema import unique_config_specs
from runwire.runnables.utils import (
    AnyConfigurableField,
    ConfigurableField,
    ConfigurableFieldMultiOption,
    ConfigurableFieldSingleOption,
    ConfigurableFieldSpec,
)


class DynamicRunnable(Runnable[Input, Output]):
    """A runnable that decides, per call, which runnable does the work (see `prepare`)."""

    def __init__(self, *, default: Runnable[Input, Output], config: RunnableConfig | None = None) -> None:
        self.default = default
        self.config = config

    def _prepare(self, config: RunnableConfig) -> tuple[Runnable[Input, Output], RunnableConfig]:
        raise NotImplementedError

    def prepare(self, config: RunnableConfig | None = None) -> tuple[Runnable[Input, Output], RunnableConfig]:
        """The runnable this config selects, and the config to call it with."""
        runnable: Runnable[Input, Output] = self
        while isinstance(runnable, DynamicRunnable):
            runnable, config = runnable._prepare(merge_configs(runnable.config, config))
        return runnable, cast(RunnableConfig, config)

    @property
    def InputType(self) -> Any:
        return self.default.InputType

    @property
    def OutputType(self) -> Any:
        return self.default.OutputType

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        runnable, config = self.prepare(config)
        return runnable.get_input_schema(config)

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        runnable, config = self.prepare(config)
        return runnable.get_output_schema(config)

    def get_graph(self, config: RunnableConfig | None = None) -> Any:
        runnable, config = self.prepare(config)
        return runnable.get_graph(config)

    def with_config(self, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        merged = ensure_config(merge_configs(config, cast(RunnableConfig, kwargs)))
        clone = copy.copy(self)
        clone.config = merged
        return clone

    def invoke(self, input: Input, config: RunnableConfig | None = None, **kwargs: Any) -> Output:
        runnable, config = self.prepare(config)
        return runnable.invoke(input, config, **kwargs)

    async def ainvoke(self, input: Input, config: RunnableConfig | None = None, **kwargs: Any) -> Output:
        runnable, config = self.prepare(config)
        return await runnable.ainvoke(input, config, **kwargs)

    def stream(self, input: Input, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Output]:
        runnable, config = self.prepare(config)
        return runnable.stream(input, config, **kwargs)

    def astream(
        self, input: Input, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Output]:
        runnable, config = self.prepare(config)
        return runnable.astream(input, config, **kwargs)

    def transform(self, input: Iterator[Input], config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        runnable, config = self.prepare(config)
        return runnable.transform(input, config, **kwargs)

    def atransform(
        self, input: AsyncIterator[Input], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Any:
        runnable, config = self.prepare(config)
        return runnable.atransform(input, config, **kwargs)

    def __getattr__(self, name: str) -> Any:
        # Attributes of the default runnable (e.g. a model's `model_name`) stay reachable.
        if name.startswith("__") or name in {"default", "config"}:
            raise AttributeError(name)
        return getattr(self.default, name)


def _field_names(runnable: Runnable[Any, Any]) -> list[str]:
    """The fields a runnable is built from: its keyword fields and its constructor's keyword
    parameters that it keeps as attributes (or, failing both, its public attributes)."""
    names = list(getattr(type(runnable), "model_fields", None) or ())
    try:
        params = inspect.signature(type(runnable).__init__).parameters.values()
    except (TypeError, ValueError):
        params = []  # type: ignore[assignment]
    for param in params:
        keyword = param.kind in {param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY}
        if keyword and param.name != "self" and param.name not in names and hasattr(runnable, param.name):
            names.append(param.name)
    return names or [k for k in vars(runnable) if not k.startswith("_")]


def _field_annotation(runnable: Runnable[Any, Any], name: str) -> Any:
    for klass in type(runnable).__mro__:
        if name in klass.__dict__.get("__annotations__", {}):  # noqa: RUF063 - as runwire._fields
            try:
                return typing.get_type_hints(klass).get(name)
            except Exception:
                return klass.__dict__["__annotations__"][name]  # noqa: RUF063
    return None


def configurable_fields(
    runnable: Runnable[Any, Any], fields: dict[str, AnyConfigurableField]
) -> RunnableConfigurableFields[Any, Any]:
    """`runnable.configurable_fields(**fields)`, checking that each field exists."""
    known = _field_names(runnable)
    for key in fields:
        if key not in known:
            raise ValueError(f"Configuration key {key} not found in {runnable}: available keys are {known}")
    return RunnableConfigurableFields(default=runnable, fields=fields)


class RunnableConfigurableFields(DynamicRunnable[Input, Output]):
    """The default runnable, rebuilt with the field values found in `configurable`."""

    def __init__(
        self,
        *,
        default: Runnable[Input, Output],
        fields: dict[str, AnyConfigurableField],
        config: RunnableConfig | None = None,
    ) -> None:
        super().__init__(default=default, config=config)
        self.fields = fields

    @property
    def config_specs(self) -> list[ConfigurableFieldSpec]:
        specs = []
        for name, spec in self.fields.items():
            if isinstance(spec, ConfigurableField):
                specs.append(
                    ConfigurableFieldSpec(
                        id=spec.id,
                        name=spec.name,
                        description=spec.description,
                        annotation=spec.annotation or _field_annotation(self.default, name),
                        default=getattr(self.default, name),
                        is_shared=spec.is_shared,
                    )
                )
            else:
                specs.append(options_spec(spec, None))
        specs.extend(self.default.config_specs)
        return unique_config_specs(specs)

    def configurable_fields(self, **kwargs: AnyConfigurableField) -> RunnableConfigurableFields[Any, Any]:
        return configurable_fields(self.default, {**self.fields, **kwargs})

    def _prepare(self, config: RunnableConfig) -> tuple[Runnable[Input, Output], RunnableConfig]:
        config = ensure_config(config)
        given = config.get("configurable", {})
        by_id = {spec.id: (name, spec) for name, spec in self.fields.items()}
        values: dict[str, Any] = {
            by_id[key][0]: value
            for key, value in given.items()
            if key in by_id and isinstance(by_id[key][1], ConfigurableField)
        }
        for name, spec in self.fields.items():
            if isinstance(spec, ConfigurableFieldSingleOption):
                values[name] = spec.options[given.get(spec.id) or spec.default]
            elif isinstance(spec, ConfigurableFieldMultiOption):
                values[name] = [spec.options[o] for o in given.get(spec.id, spec.default)]
        if not values:
            return self.default, config
        return _rebuilt(self.default, values), config


def _rebuilt(runnable: Runnable[Input, Output], values: dict[str, Any]) -> Runnable[Input, Output]:
    """A new runnable like `runnable` with some fields changed (constructed again when the class
    is keyword-constructed, so decisions made at construction see the new values)."""
    current = {name: getattr(runnable, name) for name in _field_names(runnable) if hasattr(runnable, name)}
    try:
        return type(runnable)(**{**current, **values})
    except TypeError:  # not keyword-constructible: change a copy
        pass
    clone = copy.copy(runnable)
    clone.__dict__.pop("_serialized_cache", None)
    for name, value in values.items():
        setattr(clone, name, value)
    return clone


_enums: dict[Any, Any] = {}
_enums_lock = threading.Lock()


def _enum_for(key: Any, name: str, values: Sequence[str]) -> Any:
    # One enum class per spec, so two schemas built from one spec compare equal.
    with _enums_lock:
        found = _enums.get(key)
        if found is None:
            found = _enums[key] = enum.StrEnum(name, [(v, v) for v in values])
        return found


def options_spec(
    spec: ConfigurableFieldSingleOption | ConfigurableFieldMultiOption, description: str | None
) -> ConfigurableFieldSpec:
    """The spec of an options field: its annotation is an enum of the option keys."""
    options = _enum_for(spec, spec.name or spec.id, list(spec.options))
    annotation: Any = options if isinstance(spec, ConfigurableFieldSingleOption) else Sequence[options]  # type: ignore[valid-type]
    return ConfigurableFieldSpec(
        id=spec.id,
        name=spec.name,
        description=spec.description or description,
        annotation=annotation,
        default=spec.default,
        is_shared=spec.is_shared,
    )


def prefix_config_spec(spec: ConfigurableFieldSpec, prefix: str) -> ConfigurableFieldSpec:
    """`spec` with its id under `prefix/` (shared specs keep their id)."""
    if spec.is_shared:
        return spec
    return spec._replace(id=f"{prefix}/{spec.id}")


class RunnableConfigurableAlternatives(DynamicRunnable[Input, Output]):
    """The default runnable or one of `alternatives`, chosen by `configurable[which.id]`."""

    def __init__(
        self,
        *,
        which: ConfigurableField,
        default: Runnable[Input, Output],
        alternatives: Mapping[str, Runnable[Input, Output] | Callable[[], Runnable[Input, Output]]],
        default_key: str = "default",
        prefix_keys: bool = False,
        config: RunnableConfig | None = None,
    ) -> None:
        if not isinstance(which, ConfigurableField):
            raise TypeError(
                f"configurable_alternatives needs a ConfigurableField as `which`, got {which!r}; "
                'e.g. configurable_alternatives(ConfigurableField(id="llm"), other=...)'
            )
        super().__init__(default=default, config=config)
        self.which = which
        self.alternatives = dict(alternatives)
        self.default_key = default_key
        self.prefix_keys = prefix_keys

    @property
    def config_specs(self) -> list[ConfigurableFieldSpec]:
        which = self.which
        choices = _enum_for(which, which.name or which.id, [*self.alternatives, self.default_key])
        specs = [
            ConfigurableFieldSpec(
                id=which.id,
                name=which.name,
                description=which.description,
                annotation=choices,
                default=self.default_key,
                is_shared=which.is_shared,
            )
        ]
        prefix = f"{which.id}=={self.default_key}"
        specs.extend(
            prefix_config_spec(s, prefix) if self.prefix_keys else s for s in self.default.config_specs
        )
        for key, alternative in self.alternatives.items():
            if isinstance(alternative, Runnable):
                specs.extend(
                    prefix_config_spec(s, f"{which.id}=={key}") if self.prefix_keys else s
                    for s in alternative.config_specs
                )
        return unique_config_specs(specs)

    def _prepare(self, config: RunnableConfig) -> tuple[Runnable[Input, Output], RunnableConfig]:
        config = ensure_config(config)
        which = config.get("configurable", {}).get(self.which.id, self.default_key)
        if self.prefix_keys:
            prefix = f"{self.which.id}=={which}/"
            configurable = {k.removeprefix(prefix): v for k, v in config.get("configurable", {}).items()}
            config = cast(RunnableConfig, {**config, "configurable": configurable})
        if which == self.default_key:
            return self.default, config
        if which in self.alternatives:
            alternative = self.alternatives[which]
            return (alternative if isinstance(alternative, Runnable) else alternative()), config
        raise ValueError(f"Unknown alternative: {which}")
