"""Pydantic argument models for tools, built from a function's signature, type hints and docstring.

The only tools module that imports pydantic: it is imported when a tool is built from a function
(or a schema asked for), never by `import runwire.tools`, `runwire.runnables` or `runwire.prompts`.
Not here: JSON schemas in a provider's format (`runwire.utils.function_calling`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, cast

try:
    from pydantic import BaseModel, ConfigDict, Field, create_model
    from pydantic.fields import FieldInfo
except ImportError as _exc:
    from runwire._optional import missing

    raise missing(_exc, "Building a tool's argument schema (@tool, StructuredTool)") from _exc

from runwire.tools._signature import (
    FILTERED_ARGS,
    annotated_extras,
    injected_kind,
    is_runnable_config,
    parse_google_docstring,
    type_hints,
)

_CONFIG = ConfigDict(arbitrary_types_allowed=True)


def _description_of(annotation: Any) -> str | None:
    """`Annotated[T, "text"]` or `Annotated[T, Field(description="text")]` -> "text"."""
    for item in annotated_extras(annotation):
        if isinstance(item, str):
            return item
        if isinstance(item, FieldInfo) and item.description:
            return item.description
    return None


def create_schema_from_function(
    model_name: str,
    func: Callable[..., Any],
    *,
    filter_args: Sequence[str] | None = None,
    parse_docstring: bool = False,
    error_on_invalid_docstring: bool = False,
    include_injected: bool = True,
) -> type[BaseModel]:
    """A pydantic model of `func`'s arguments, named `model_name`, documented by its docstring.

    Runtime-supplied parameters (`run_manager`, `callbacks`, a `RunnableConfig`, `self`/`cls`)
    are left out; `*args`/`**kwargs` are optional fields of their names, as in langchain-core;
    injected ones (`Annotated[T, InjectedToolArg]`) are kept
    unless `include_injected=False`: validation needs them, the model must not see them.
    """
    signature = inspect.signature(func)
    hints = type_hints(func)
    params = list(signature.parameters.values())
    v1 = _annotations_are_v1(func, [hints.get(p.name, p.annotation) for p in params])
    skip = set(FILTERED_ARGS if filter_args is None else filter_args)
    if params and params[0].name in {"self", "cls"} and "." in getattr(func, "__qualname__", ""):
        skip.add(params[0].name)
    if parse_docstring:
        description, described = parse_google_docstring(
            inspect.getdoc(func), list(hints), error_on_invalid_docstring=error_on_invalid_docstring
        )
        unknown = [name for name in described if name not in hints]
        if unknown:
            raise ValueError(
                f"Arg {unknown[0]} in docstring not found in function signature of {model_name!r}: "
                f"the function takes {[p.name for p in params]}. Fix the docstring's 'Args:' block."
            )
    else:
        description, described = inspect.getdoc(func) or "", {}
    fields: dict[str, Any] = {}
    for param in params:
        name = param.name
        if name in skip:
            continue
        annotation = hints.get(name, Any)
        # `*args: T` / `**kwargs: T` are optional fields of their name, as langchain-core's
        # (pydantic's `validate_arguments`) schema has them: a tuple / a dict of T.
        if param.kind is param.VAR_POSITIONAL:
            fields[name] = (tuple[annotation, ...], None)  # type: ignore[valid-type]
            continue
        if param.kind is param.VAR_KEYWORD:
            fields[name] = (dict[str, annotation], None)  # type: ignore[valid-type]
            continue
        if is_runnable_config(annotation):
            continue
        if not include_injected and injected_kind(annotation) is not None:
            continue
        text = described.get(name) or _description_of(annotation)
        if isinstance(param.default, FieldInfo):
            info = param.default
            if text and not info.description:
                info = FieldInfo.merge_field_infos(info, description=text)
        else:
            default = ... if param.default is param.empty else param.default
            info = Field(default, description=text) if text else Field(default)
        fields[name] = (annotation, info)
    if v1:
        return cast("type[BaseModel]", _model_v1(model_name, fields, description))
    return _model(model_name, fields, description)


def _annotations_are_v1(func: Callable[..., Any], annotations: list[Any]) -> bool:
    """Whether `func`'s pydantic-model annotations are pydantic v1 models (langchain-core builds
    a v1 schema then); a mix of v1 and v2 models raises its NotImplementedError."""
    from pydantic import v1

    def is_subclass(annotation: Any, base: type) -> bool:
        return isinstance(annotation, type) and issubclass(annotation, base)

    any_v1 = any(is_subclass(a, v1.BaseModel) for a in annotations)
    if any_v1 and any(is_subclass(a, BaseModel) for a in annotations):
        raise NotImplementedError(
            f"Function {func} contains a mix of Pydantic v1 and v2 annotations. "
            "Only one version of Pydantic annotations per function is supported."
        )
    return any_v1


def _model_v1(name: str, fields: dict[str, Any], description: str | None) -> Any:
    """A pydantic v1 model of `fields` (given as v2 `(annotation, FieldInfo)` pairs)."""
    from pydantic import v1

    converted: dict[str, Any] = {}
    for field_name, (annotation, info) in fields.items():
        default = ... if info.is_required() else info.default
        converted[field_name] = (annotation, v1.Field(default, description=info.description))
    config = type("Config", (v1.BaseConfig,), {"arbitrary_types_allowed": True})
    model = v1.create_model(name, __config__=config, **converted)
    model.__doc__ = description or ""
    return model


def _model(name: str, fields: dict[str, Any], description: str | None) -> type[BaseModel]:
    model: type[BaseModel] = create_model(name, __config__=_CONFIG, **fields)
    model.__doc__ = description or ""
    return model


def subset_model(
    name: str, model: type[BaseModel], keep: Sequence[str], *, description: str | None = None
) -> type[BaseModel]:
    """A model named `name` with only the `keep` fields of `model` (descriptions and defaults kept)."""
    if not hasattr(model, "model_fields"):  # a pydantic v1 model
        return cast("type[BaseModel]", _subset_model_v1(name, model, keep, description))
    fields: dict[str, Any] = {}
    for field_name in keep:
        info = model.model_fields[field_name]
        kwargs: dict[str, Any] = {"description": info.description}
        if info.default_factory is not None:
            kwargs["default_factory"] = info.default_factory
        else:
            kwargs["default"] = info.default
        new = Field(**kwargs)
        if info.metadata:
            new.metadata = info.metadata
        fields[field_name] = (info.annotation, new)
    return _model(name, fields, description if description is not None else model.__doc__)


def _subset_model_v1(name: str, model: Any, keep: Sequence[str], description: str | None) -> Any:
    from pydantic import v1

    fields: dict[str, Any] = {}
    for field_name in keep:
        field = model.__fields__[field_name]
        kind = field.outer_type_ if field.required and not field.allow_none else field.outer_type_ | None
        fields[field_name] = (kind, field.field_info)
    subset = v1.create_model(name, **fields)
    subset.__doc__ = description if description is not None else (model.__doc__ or "")
    return subset


def model_fields(model: Any) -> list[str]:
    """Field names of a pydantic class (v2 or v1)."""
    fields = getattr(model, "model_fields", None)
    if fields is None:
        fields = getattr(model, "__fields__", {})
    return list(fields)


def field_annotations(model: Any) -> dict[str, Any]:
    """Each field's annotation with its `Annotated` extras (pydantic strips them from `annotation`)."""
    import typing

    found: dict[str, Any] = {}
    for klass in reversed(getattr(model, "__mro__", ())):
        if klass is BaseModel or not hasattr(klass, "__annotations__") or klass is object:
            continue
        try:
            found.update(typing.get_type_hints(klass, include_extras=True))
        except Exception:
            found.update(inspect.get_annotations(klass))
    names = set(model_fields(model))
    return {name: annotation for name, annotation in found.items() if name in names}


def is_pydantic_class(obj: Any) -> bool:
    """A pydantic model class (v2, or v1 from `pydantic.v1`)."""
    return isinstance(obj, type) and (issubclass(obj, BaseModel) or hasattr(obj, "__fields__"))


def json_schema(schema: Any) -> dict[str, Any]:
    """The JSON schema of a pydantic class (v2 or v1)."""
    if hasattr(schema, "model_json_schema"):
        return dict(schema.model_json_schema())
    return dict(schema.schema())
