"""Tool definitions in OpenAI's format, from tools, pydantic models, TypedDicts, functions or dicts.

`convert_to_openai_tool(x)` gives `{"type": "function", "function": {"name", "description",
"parameters"}}`, `convert_to_openai_function(x)` the inner dict, with the same results as
langchain-core's functions of the same names (titles removed, `$ref`s inlined, `strict` adding
`additionalProperties: false`). Pydantic is imported only for the inputs that need it (a
function's or a TypedDict's argument model). TypedDicts are converted through pydantic v2 where
langchain-core uses pydantic v1, so an `Optional` field's schema has an explicit `null` branch.
"""

from __future__ import annotations

import copy
import sys
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, get_args, get_origin

from runwire.utils.json_schema import dereference_refs

_WELL_KNOWN_OPENAI_TOOLS = (
    "function",
    "file_search",
    "computer",
    "computer_use_preview",
    "code_interpreter",
    "mcp",
    "image_generation",
    "web_search_preview",
    "web_search",
    "tool_search",
    "apply_patch",
    "namespace",
)


def _rm_titles(kv: dict[str, Any], prev_key: str = "") -> dict[str, Any]:
    """Every `title` key removed, except properties that are themselves named "title"."""
    out: dict[str, Any] = {}
    for key, value in kv.items():
        if key == "title":
            if isinstance(value, dict) and prev_key == "properties":
                out[key] = _rm_titles(value, key)
        elif isinstance(value, dict):
            out[key] = _rm_titles(value, key)
        else:
            out[key] = value
    return out


def _from_json_schema(
    schema: dict[str, Any], *, name: str | None = None, description: str | None = None, rm_titles: bool = True
) -> dict[str, Any]:
    schema = dereference_refs(schema)
    schema.pop("definitions", None)
    schema.pop("$defs", None)
    title = schema.pop("title", "")
    default_description = schema.pop("description", "")
    return {
        "name": name or title,
        "description": description or default_description,
        "parameters": _rm_titles(schema) if rm_titles else schema,
    }


def _from_pydantic(
    model: Any, *, name: str | None = None, description: str | None = None, rm_titles: bool = True
) -> dict[str, Any]:
    from runwire.tools.schema import json_schema

    return _from_json_schema(json_schema(model), name=name, description=description, rm_titles=rm_titles)


def _from_function(function: Callable[..., Any]) -> dict[str, Any]:
    from runwire.tools.schema import create_schema_from_function

    model = create_schema_from_function(
        function.__name__,
        function,
        filter_args=(),
        parse_docstring=True,
        error_on_invalid_docstring=False,
        include_injected=False,
    )
    return _from_pydantic(model, name=function.__name__, description=model.__doc__)


def is_typeddict(obj: Any) -> bool:
    """A TypedDict class (from `typing` or `typing_extensions`)."""
    if typing.is_typeddict(obj):
        return True
    extensions = sys.modules.get("typing_extensions")
    return bool(extensions is not None and extensions.is_typeddict(obj))


def _typed_dict_model(typed_dict: Any, visited: dict[Any, Any], depth: int = 0) -> Any:
    """A pydantic model of a TypedDict: `Annotated[T, default, "description"]` fields as
    langchain reads them, docstring `Args:` descriptions, nested TypedDicts converted too."""
    from pydantic import Field, create_model

    from runwire.tools._signature import parse_google_docstring

    if typed_dict in visited:
        return visited[typed_dict]
    if depth >= 25:
        return typed_dict
    if not is_typeddict(typed_dict):
        origin, args = get_origin(typed_dict), get_args(typed_dict)
        if origin is not None and args and origin is not Annotated:
            converted = tuple(_typed_dict_model(a, visited, depth + 1) for a in args)
            if converted != args:
                return _subscript(origin, converted)
        return typed_dict
    import inspect

    try:
        annotations = typing.get_type_hints(typed_dict, include_extras=True)
    except Exception:
        annotations = dict(typed_dict.__annotations__)
    description, described = parse_google_docstring(inspect.getdoc(typed_dict), list(annotations))
    optional: frozenset[str] = getattr(typed_dict, "__optional_keys__", frozenset())
    fields: dict[str, Any] = {}
    for arg, arg_type in annotations.items():
        kwargs: dict[str, Any] = {}
        if get_origin(arg_type) is Annotated:
            inner, *extras = get_args(arg_type)
            new_type = _typed_dict_model(inner, visited, depth + 1)
            kwargs = dict(zip(("default", "description"), extras, strict=False))
            if "description" in kwargs and not isinstance(kwargs["description"], str):
                raise ValueError(
                    f"Invalid annotation for field {arg}. Third argument to Annotated must be a string "
                    f"description, received value of type {type(kwargs['description'])}."
                )
        else:
            new_type = _typed_dict_model(arg_type, visited, depth + 1)
            kwargs = {"default": None if arg in optional else ...}
        if arg in described:
            kwargs["description"] = described[arg]
        fields[arg] = (new_type, Field(**kwargs))
    model = create_model(typed_dict.__name__, **fields)
    model.__doc__ = description
    visited[typed_dict] = model
    return model


def _subscript(origin: Any, args: tuple[Any, ...]) -> Any:
    import collections.abc
    import types

    aliases: dict[Any, Any] = {
        collections.abc.Iterable: typing.Iterable,
        collections.abc.Mapping: typing.Mapping,
        collections.abc.Sequence: typing.Sequence,
        collections.abc.MutableMapping: typing.MutableMapping,
        types.UnionType: typing.Union,
    }
    return aliases.get(origin, origin)[args]


def _from_tool(tool: Any) -> dict[str, Any]:
    from runwire.tools.structured import Tool

    if isinstance(tool, Tool) and not tool.args_schema:
        return {
            "name": tool.name,
            "description": tool.description,
            "parameters": {
                "properties": {"__arg1": {"title": "__arg1", "type": "string"}},
                "required": ["__arg1"],
                "type": "object",
            },
        }
    schema = tool.tool_call_schema
    if isinstance(schema, dict):
        return _from_json_schema(schema, name=tool.name, description=tool.description)
    return _from_pydantic(schema, name=tool.name, description=tool.description)


def _is_pydantic_class(obj: Any) -> bool:
    if not isinstance(obj, type) or "pydantic" not in sys.modules:
        return False
    from runwire.tools.schema import is_pydantic_class

    return is_pydantic_class(obj)


def convert_to_openai_function(
    function: Mapping[str, Any] | type | Callable[..., Any] | Any, *, strict: bool | None = None
) -> dict[str, Any]:
    """An OpenAI function description (`{"name", "description", "parameters"}`) of a tool, a
    pydantic model class, a TypedDict, a Python function, or a dict (OpenAI, Anthropic, Bedrock
    or a JSON schema with a top-level `title`)."""
    from runwire.tools.base import BaseTool

    if strict and isinstance(function, dict):
        function = copy.deepcopy(function)
    if isinstance(function, dict) and "name" in function and "input_schema" in function:
        out: dict[str, Any] = {"name": function["name"], "parameters": function["input_schema"]}
        if "description" in function:
            out["description"] = function["description"]
    elif isinstance(function, dict) and "toolSpec" in function:
        spec = function["toolSpec"]
        out = {"name": spec["name"], "parameters": spec["inputSchema"]["json"]}
        if "description" in spec:
            out["description"] = spec["description"]
    elif isinstance(function, dict) and "name" in function:
        out = {k: v for k, v in function.items() if k in {"name", "description", "parameters", "strict"}}
    elif isinstance(function, dict) and "title" in function:
        rest = dict(function)
        out = {"name": rest.pop("title")}
        if "description" in rest:
            out["description"] = rest.pop("description")
        if rest and "properties" in rest:
            out["parameters"] = rest
    elif _is_pydantic_class(function):
        out = _from_pydantic(function)
    elif is_typeddict(function):
        out = _from_pydantic(_typed_dict_model(function, {}))
        parameters = out["parameters"]
        if "type" in parameters:  # langchain-core's (pydantic v1) key order: type first
            out["parameters"] = {"type": parameters.pop("type"), **parameters}
    elif isinstance(function, BaseTool):
        out = _from_tool(function)
    elif callable(function) and not isinstance(function, dict):
        out = _from_function(function)
    else:
        if isinstance(function, dict) and ("type" in function or "properties" in function):
            raise ValueError(
                f"Unsupported function\n\n{function}\n\nTo use a JSON schema as a function, it must have "
                "a top-level 'title' key to be used as the function name."
            )
        raise ValueError(
            f"Unsupported function\n\n{function}\n\nFunctions must be passed in as Dict, pydantic.BaseModel, "
            "or Callable. If they're a dict they must either be in OpenAI function format or valid JSON "
            "schema with top-level 'title' key."
        )
    if strict is not None:
        if "strict" in out and out["strict"] != strict:
            raise ValueError(
                f"Tool/function already has a 'strict' key with value {out['strict']} which is different "
                f"from the explicit `strict` arg received {strict=}."
            )
        out["strict"] = strict
        if strict:
            out["parameters"] = _no_additional_properties(out["parameters"])
    return out


def convert_to_openai_tool(
    tool: Mapping[str, Any] | type | Callable[..., Any] | Any, *, strict: bool | None = None
) -> dict[str, Any]:
    """`{"type": "function", "function": convert_to_openai_function(tool)}`; OpenAI's built-in tool
    dicts (`{"type": "web_search", ...}`) pass through unchanged."""
    if isinstance(tool, dict):
        kind = tool.get("type") or ""
        if kind in _WELL_KNOWN_OPENAI_TOOLS or kind.startswith("web_search_preview"):
            return tool
    return {"type": "function", "function": convert_to_openai_function(tool, strict=strict)}


def convert_to_json_schema(schema: Any, *, strict: bool | None = None) -> dict[str, Any]:
    """A JSON schema (`title`, `description`, then the parameters) of anything
    `convert_to_openai_tool` accepts."""
    function = convert_to_openai_tool(schema, strict=strict).get("function")
    if not isinstance(function, dict) or "name" not in function:
        raise ValueError("Input must be a valid OpenAI-format tool.")
    out: dict[str, Any] = {"title": function["name"]}
    if "description" in function:
        out["description"] = function["description"]
    if "parameters" in function:
        out.update(function["parameters"])
    return out


def _no_additional_properties(schema: Any) -> Any:
    """OpenAI strict mode: every property required, `additionalProperties: false` throughout."""
    if isinstance(schema, dict):
        properties = schema.get("properties")
        if isinstance(properties, dict) and properties:
            schema["required"] = list(properties)
        if (
            "required" in schema
            or ("properties" in schema and not schema["properties"])
            or ("additionalProperties" in schema)
        ):
            schema["additionalProperties"] = False
        for key in ("anyOf", "allOf"):
            for sub in schema.get(key) or ():
                _no_additional_properties(sub)
        for sub in (schema.get("properties") or {}).values():
            _no_additional_properties(sub)
        if "items" in schema:
            _no_additional_properties(schema["items"])
        for key in ("$defs", "definitions"):
            if isinstance(schema.get(key), dict):
                for sub in schema[key].values():
                    _no_additional_properties(sub)
    return schema


def tool_example_to_messages(
    input: str,
    tool_calls: list[Any],
    tool_outputs: list[str] | None = None,
    *,
    ai_response: str | None = None,
) -> list[Any]:
    """A few-shot example as messages: the input, an AI message calling `tool_calls` (pydantic
    instances), a ToolMessage per call, and optionally a final AI response."""
    import uuid

    from runwire.messages import AIMessage, HumanMessage, ToolMessage

    raw = [
        {
            "id": str(uuid.uuid4()),
            "type": "function",
            "function": {"name": type(call).__name__, "arguments": call.model_dump_json()},
        }
        for call in tool_calls
    ]
    messages: list[Any] = [
        HumanMessage(content=input),
        AIMessage(content="", additional_kwargs={"tool_calls": raw}),
    ]
    if tool_outputs is not None and len(tool_outputs) != len(raw):
        raise ValueError(
            f"The number of tool_outputs ({len(tool_outputs)}) must match the number of tool_calls "
            f"({len(raw)})."
        )
    outputs = tool_outputs or ["You have correctly called this tool."] * len(raw)
    messages.extend(
        ToolMessage(content=out, tool_call_id=call["id"]) for out, call in zip(outputs, raw, strict=True)
    )
    if ai_response:
        messages.append(AIMessage(content=ai_response))
    return messages


__all__ = [
    "convert_to_json_schema",
    "convert_to_openai_function",
    "convert_to_openai_tool",
    "is_typeddict",
    "tool_example_to_messages",
]


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
