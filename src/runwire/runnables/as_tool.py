"""`Runnable.as_tool()`: a runnable as a tool, described by its input schema (langchain-core's
`convert_runnable_to_tool`).

A runnable whose input is a string becomes a `Tool`; one that takes a dict becomes a
`StructuredTool` whose arguments are the keys of its input schema (or of `arg_types`, or of a
TypedDict input type). Not here: tools from functions (`runwire.tools`).
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runwire.runnables.base import Runnable
    from runwire.tools import BaseTool


def as_tool(
    runnable: Runnable[Any, Any],
    *,
    args_schema: Any = None,
    name: str | None = None,
    description: str | None = None,
    arg_types: dict[str, type] | None = None,
) -> BaseTool:
    from runwire.tools import StructuredTool, Tool

    if args_schema:
        runnable = runnable.with_types(input_type=args_schema)
    schema = runnable.input_schema.model_json_schema()
    description = description or f"Takes {schema}."
    name = name or runnable.get_name()
    if schema.get("type") == "string":
        return Tool(name=name, func=runnable.invoke, coroutine=runnable.ainvoke, description=description)
    bound = runnable

    def invoke_wrapper(callbacks: Any = None, **kwargs: Any) -> Any:
        return bound.invoke(kwargs, config={"callbacks": callbacks})

    async def ainvoke_wrapper(callbacks: Any = None, **kwargs: Any) -> Any:
        return await bound.ainvoke(kwargs, config={"callbacks": callbacks})

    if arg_types is None and schema.get("type") == "object" and schema.get("properties"):
        tool_schema = runnable.input_schema
    else:
        tool_schema = _schema_from_arg_types(runnable, name, arg_types)
    return StructuredTool.from_function(
        name=name,
        func=invoke_wrapper,
        coroutine=ainvoke_wrapper,
        description=description,
        args_schema=tool_schema,
    )


def _schema_from_arg_types(runnable: Runnable[Any, Any], name: str, arg_types: dict[str, type] | None) -> Any:
    import pydantic

    if not arg_types:
        try:
            arg_types = typing.get_type_hints(runnable.InputType)
        except TypeError as exc:
            raise TypeError(
                "Tool input must be str or dict. If dict, dict arguments must be typed. "
                "Either annotate types (e.g., with TypedDict) or pass arg_types into `.as_tool` to specify."
            ) from exc
    fields: Any = {key: (key_type, pydantic.Field(...)) for key, key_type in arg_types.items()}
    return pydantic.create_model(name, **fields)
