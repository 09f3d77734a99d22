"""Input, output and config schemas of runnables, as pydantic models built on first request.

`RunnableSchemas` is a base of `Runnable`: `InputType`/`OutputType` come from the class's
generic parameters (`Runnable[str, int]`), `get_input_schema()` wraps them in a pydantic model
named like langchain-core's (`RunnableLambdaInput`, `PromptInput`, ...), combinators override the
`get_*_schema` methods. pydantic is imported inside the functions here, never at module import,
so `import runwire.runnables` stays free of it; models are cached per runnable.
Not here: configurable fields themselves (`runwire.runnables.configurable`).
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar, get_args

if TYPE_CHECKING:
    from runwire.runnables.config import RunnableConfig
    from runwire.runnables.utils import ConfigurableFieldSpec

_NO_DEFAULT = object()
_CONFIG_FIELDS = ("tags", "metadata", "callbacks", "run_name", "max_concurrency", "recursion_limit", "run_id")


@functools.cache
def json_schema_generator() -> Any:
    """pydantic's JSON-schema generator, except that a class that is not a pydantic model (a
    runwire message, prompt value or document) is described as an object named after it
    instead of failing: runwire's records are plain classes, not pydantic models."""
    from pydantic.json_schema import GenerateJsonSchema

    class RunwireJsonSchema(GenerateJsonSchema):
        def is_instance_schema(self, schema: Any) -> Any:
            return {"title": schema["cls"].__name__, "type": "object"}

    return RunwireJsonSchema


def _json_schema(cls: Any, parent: Any, args: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    if len(args) < 4 and "schema_generator" not in kwargs:
        kwargs["schema_generator"] = json_schema_generator()
    schema: dict[str, Any] = super(parent, cls).model_json_schema(*args, **kwargs)
    return schema


@functools.lru_cache(maxsize=256)
def _root_model_cached(name: str, type_: Any, module: str | None) -> Any:
    return _root_model(name, type_, module=module)


def _root_model(name: str, type_: Any, default: Any = _NO_DEFAULT, module: str | None = None) -> Any:
    from pydantic import ConfigDict, RootModel

    def model_json_schema(cls: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        schema = _json_schema(cls, cls, args, kwargs)
        if "title" in schema:
            schema["title"] = name  # not the root type's own title
        return schema

    namespace: dict[str, Any] = {
        "__annotations__": {"root": type_},
        "model_config": ConfigDict(arbitrary_types_allowed=True),
        "model_json_schema": classmethod(model_json_schema),
        "__module__": module or "runwire.runnables.schema",  # where string annotations resolve
    }
    if default is not _NO_DEFAULT:
        namespace["root"] = default
    return type(name, (RootModel,), namespace)


def create_model(
    name: str, *, root: Any = _NO_DEFAULT, fields: dict[str, Any] | None = None, module: str | None = None
) -> Any:
    """A pydantic model named `name`: a root model of type `root`, or an object whose fields are
    `{name: (annotation, default)}` (`...` for required), as langchain-core's `create_model_v2`.
    `module` is where string annotations of `root` are resolved (a function's module)."""
    if root is not _NO_DEFAULT:
        if fields:
            raise NotImplementedError("a schema has either a root type or fields, not both")
        if isinstance(root, tuple):
            return _root_model(name, root[0], root[1], module=module)
        try:
            return _root_model_cached(name, root, module)
        except TypeError:  # an unhashable annotation
            return _root_model(name, root, module=module)
    try:
        return _object_model_cached(name, tuple((fields or {}).items()))
    except TypeError:  # an unhashable annotation or default
        return _object_model(name, fields or {})


@functools.lru_cache(maxsize=256)
def _object_model_cached(name: str, fields: tuple[tuple[str, Any], ...]) -> Any:
    return _object_model(name, dict(fields))


def _object_model(name: str, fields: dict[str, Any]) -> Any:
    import warnings

    import pydantic

    definitions: dict[str, Any] = {}
    for key, (annotation, default) in fields.items():
        if key.startswith("_"):  # pydantic refuses leading underscores: keep the name as the alias
            definitions[f"private_{key}"] = (annotation, pydantic.Field(default, alias=key))
        else:
            definitions[key] = (annotation, default)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. a field named `model_id` shadowing pydantic's namespace
        model: Any = pydantic.create_model(name, __base__=_object_base(), **definitions)
    return model


@functools.cache
def _object_base() -> Any:
    import pydantic

    class ObjectSchema(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(arbitrary_types_allowed=True, frozen=True)

        @classmethod
        def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return _json_schema(cls, ObjectSchema, args, kwargs)

    return ObjectSchema


def is_root_model(model: Any) -> bool:
    """True for a schema that wraps one type (`RootModel`), False for an object schema."""
    from pydantic import RootModel

    return isinstance(model, type) and issubclass(model, RootModel)


def object_fields(model: Any) -> dict[str, Any]:
    """`{name: (annotation, default)}` of an object schema's fields."""
    return {key: (field.annotation, field.default) for key, field in model.model_fields.items()}


def is_pydantic_model(type_: Any) -> bool:
    if isinstance(type_, types.GenericAlias) or not isinstance(type_, type):  # list[int] is no model
        return False
    from pydantic import BaseModel

    try:
        return issubclass(type_, BaseModel)
    except TypeError:
        return False


def generic_args(cls: type) -> tuple[Any, Any] | None:
    """`(In, Out)` from the nearest base parametrised as `Runnable[In, Out]`."""
    from runwire.runnables.base import Runnable

    for klass in cls.__mro__:
        for base in klass.__dict__.get("__orig_bases__", ()):
            args = get_args(base)
            origin = typing.get_origin(base)
            if len(args) == 2 and isinstance(origin, type) and issubclass(origin, Runnable):
                return args[0], args[1]
    return None


def first_generic_arg(cls: type, family: type) -> Any:
    """The first concrete type argument of the nearest base of `cls` in `family`
    (`str` for `class StrOutputParser(BaseTransformOutputParser[str])`)."""
    for klass in cls.__mro__:
        for base in klass.__dict__.get("__orig_bases__", ()):
            origin = typing.get_origin(base)
            args = get_args(base)
            if (
                isinstance(origin, type)
                and issubclass(origin, family)
                and args
                and not isinstance(args[0], TypeVar)
            ):
                return args[0]
    return None


def concrete(type_: Any) -> Any:
    """A TypeVar left unparametrised means any type."""
    return Any if isinstance(type_, TypeVar) else type_


def unique_config_specs(specs: Any) -> list[ConfigurableFieldSpec]:
    """Specs de-duplicated by id, sorted by id; two different specs with one id are an error."""
    by_id: dict[str, ConfigurableFieldSpec] = {}
    for spec in sorted(specs, key=lambda s: (s.id, *(s.dependencies or []))):
        seen = by_id.get(spec.id)
        if seen is None:
            by_id[spec.id] = spec
        elif seen != spec:
            raise ValueError(
                f"RunnableSequence contains conflicting config specs for {spec.id}: {[seen, spec]}"
            )
    return list(by_id.values())


class RunnableSchemas:
    """The schema half of the Runnable interface (a base class of `Runnable`)."""

    if TYPE_CHECKING:

        def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str: ...

    @property
    def InputType(self) -> Any:
        """The input type, from the class's generic parameters (`Runnable[In, Out]`)."""
        args = generic_args(type(self))
        if args is None:
            raise TypeError(
                f"Runnable {self.get_name()} doesn't have an inferable InputType. "
                "Override the InputType property to specify the input type."
            )
        return args[0]

    @property
    def OutputType(self) -> Any:
        """The output type, from the class's generic parameters (`Runnable[In, Out]`)."""
        args = generic_args(type(self))
        if args is None:
            raise TypeError(
                f"Runnable {self.get_name()} doesn't have an inferable OutputType. "
                "Override the OutputType property to specify the output type."
            )
        return args[1]

    @property
    def input_schema(self) -> Any:
        """The pydantic model of this runnable's input."""
        return self.get_input_schema()

    @property
    def output_schema(self) -> Any:
        """The pydantic model of this runnable's output."""
        return self.get_output_schema()

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        """A pydantic model of the input (`InputType` itself when that is a pydantic model)."""
        root = concrete(self.InputType)
        if is_pydantic_model(root):
            return root
        return create_model(self.get_name("Input"), root=root)

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        """A pydantic model of the output (`OutputType` itself when that is a pydantic model)."""
        root = concrete(self.OutputType)
        if is_pydantic_model(root):
            return root
        return create_model(self.get_name("Output"), root=root)

    def get_input_jsonschema(self, config: RunnableConfig | None = None) -> dict[str, Any]:
        """The input schema as a JSON-schema dict."""
        schema: dict[str, Any] = self.get_input_schema(config).model_json_schema()
        return schema

    def get_output_jsonschema(self, config: RunnableConfig | None = None) -> dict[str, Any]:
        """The output schema as a JSON-schema dict."""
        schema: dict[str, Any] = self.get_output_schema(config).model_json_schema()
        return schema

    @property
    def config_specs(self) -> list[ConfigurableFieldSpec]:
        """The configurable fields this runnable (and its children) read from `configurable`."""
        return []

    def config_schema(self, *, include: Sequence[str] | None = None) -> Any:
        """A pydantic model of the config this runnable accepts: `configurable` from
        `config_specs`, plus the RunnableConfig keys named in `include`."""
        import pydantic

        from runwire.runnables.config import RunnableConfig

        fields: dict[str, Any] = {}
        specs = self.config_specs
        if specs:
            configurable = create_model(
                "Configurable",
                fields={
                    spec.id: (
                        spec.annotation,
                        pydantic.Field(spec.default, title=spec.name, description=spec.description),
                    )
                    for spec in specs
                },
            )
            fields["configurable"] = (configurable, None)
        hints = typing.get_type_hints(RunnableConfig)
        for key in include or ():
            if key != "configurable" and key in hints:
                fields[key] = (hints[key], None)
        return create_model(self.get_name("Config"), fields=fields)

    def get_config_jsonschema(self, *, include: Sequence[str] | None = None) -> dict[str, Any]:
        """The config schema as a JSON-schema dict."""
        schema: dict[str, Any] = self.config_schema(include=include).model_json_schema()
        return schema


# -- sequences: a leading assign/pick changes what the sequence needs -------------------------------


def sequence_input_schema(steps: Sequence[Any], config: RunnableConfig | None) -> Any:
    from runwire.runnables.passthrough import RunnableAssign, RunnablePick

    first = steps[0]
    if len(steps) == 1:
        return first.get_input_schema(config)
    if isinstance(first, RunnableAssign):
        after = sequence_input_schema(steps[1:], config)
        if not is_root_model(after):
            fields = {k: v for k, v in object_fields(after).items() if k not in first.mapper.steps__}
            return create_model("RunnableSequenceInput", fields=fields)
    elif isinstance(first, RunnablePick):
        return sequence_input_schema(steps[1:], config)
    return first.get_input_schema(config)


def sequence_output_schema(steps: Sequence[Any], config: RunnableConfig | None) -> Any:
    from runwire.runnables.passthrough import RunnableAssign, RunnablePick

    last = steps[-1]
    if len(steps) == 1:
        return last.get_input_schema(config)
    if isinstance(last, RunnableAssign):
        mapper_output = last.mapper.get_output_schema(config)
        before = sequence_output_schema(steps[:-1], config)
        if not is_root_model(before):
            return create_model(
                "RunnableSequenceOutput", fields={**object_fields(before), **object_fields(mapper_output)}
            )
    elif isinstance(last, RunnablePick):
        before = sequence_output_schema(steps[:-1], config)
        if not is_root_model(before):
            kept = object_fields(before)
            if isinstance(last.keys, list):
                return create_model(
                    "RunnableSequenceOutput", fields={k: v for k, v in kept.items() if k in last.keys}
                )
            return create_model("RunnableSequenceOutput", root=kept[last.keys])
    return last.get_output_schema(config)
