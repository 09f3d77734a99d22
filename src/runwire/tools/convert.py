"""The `@tool` decorator: a function (sync or async) or a runnable as a tool.

`@tool`, `@tool("name")`, `@tool(parse_docstring=True)` and `tool("name", runnable)` work as in
langchain-core: the name is the function's, the description its docstring, the arguments its
signature and type hints (a pydantic model is built then, once).
Not here: what a tool does when called (`base`, `structured`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from runwire.runnables.base import Runnable
from runwire.tools.base import BaseTool
from runwire.tools.structured import StructuredTool, Tool


def tool(
    name_or_callable: str | Callable[..., Any] | None = None,
    runnable: Runnable[Any, Any] | None = None,
    *args: Any,
    description: str | None = None,
    return_direct: bool = False,
    args_schema: Any = None,
    infer_schema: bool = True,
    response_format: str = "content",
    parse_docstring: bool = False,
    error_on_invalid_docstring: bool = True,
    extras: dict[str, Any] | None = None,
) -> Any:
    """Make a tool from a function or a runnable; usable bare (`@tool`) or with arguments."""
    if args:
        raise ValueError(
            "Too many arguments for tool decorator. A decorator can only take a name (and, for a runnable, "
            "the runnable) positionally; pass everything else by keyword, e.g. @tool('name', "
            "return_direct=True)."
        )

    def factory(tool_name: str) -> Callable[[Any], BaseTool]:
        def make(func: Any) -> BaseTool:
            if isinstance(func, Runnable):
                return _from_runnable(
                    tool_name, func, description, return_direct=return_direct, args_schema=args_schema
                )
            is_async = inspect.iscoroutinefunction(func)
            sync_func, coroutine = (None, func) if is_async else (func, None)
            if infer_schema or args_schema is not None:
                return StructuredTool.from_function(
                    sync_func,
                    coroutine,
                    name=tool_name,
                    description=description,
                    return_direct=return_direct,
                    args_schema=args_schema,
                    infer_schema=infer_schema,
                    response_format=response_format,
                    parse_docstring=parse_docstring,
                    error_on_invalid_docstring=error_on_invalid_docstring,
                    extras=extras,
                )
            text = description if description is not None else func.__doc__
            if text is None:
                raise ValueError(
                    f"Function must have a docstring if description not provided and infer_schema is "
                    f"False: {tool_name!r} has none."
                )
            return Tool(
                name=tool_name,
                func=sync_func,
                coroutine=coroutine,
                description=text,
                return_direct=return_direct,
                response_format=response_format,
                extras=extras,
            )

        return make

    if runnable is not None:
        if not isinstance(name_or_callable, str) or not name_or_callable:
            raise ValueError(
                "Runnable without name for tool constructor: call tool('name', runnable) with a string name."
            )
        return factory(name_or_callable)(runnable)
    if name_or_callable is not None:
        if callable(name_or_callable) and hasattr(name_or_callable, "__name__"):
            return factory(name_or_callable.__name__)(name_or_callable)
        if isinstance(name_or_callable, str):
            return factory(name_or_callable)
        raise ValueError(
            f"The first argument must be a string or a callable with a __name__ for tool decorator. Got "
            f"{type(name_or_callable)}."
        )

    def partial(func: Any) -> BaseTool:
        tool_name = func.get_name() if isinstance(func, Runnable) else func.__name__
        return factory(tool_name)(func)

    return partial


def _from_runnable(
    name: str,
    runnable: Runnable[Any, Any],
    description: str | None,
    *,
    return_direct: bool,
    args_schema: Any,
) -> BaseTool:
    """A tool that invokes `runnable` with its arguments as one dict (as a child of the tool run),
    described by the runnable's input schema and repr, as in langchain-core. An `args_schema`
    given replaces the inferred schema (langchain-core ignores it)."""
    if args_schema is None:
        if runnable.get_input_jsonschema().get("type") != "object":
            raise ValueError(
                f"Runnable must have an object schema. tool({name!r}, runnable) calls the runnable with "
                f"the tool's arguments as one dict, but {runnable!r:.100} takes "
                f"{runnable.get_input_jsonschema()}: give its function a TypedDict or pydantic input "
                "type, or pass args_schema=."
            )
        args_schema = runnable.input_schema

    def invoke_wrapper(callbacks: Any = None, **kwargs: Any) -> Any:
        return runnable.invoke(kwargs, {"callbacks": callbacks})

    async def ainvoke_wrapper(callbacks: Any = None, **kwargs: Any) -> Any:
        return await runnable.ainvoke(kwargs, {"callbacks": callbacks})

    return StructuredTool.from_function(
        invoke_wrapper,
        ainvoke_wrapper,
        name=name,
        description=description or repr(runnable),
        return_direct=return_direct,
        args_schema=args_schema,
    )


def convert_runnable_to_tool(
    runnable: Runnable[Any, Any],
    args_schema: Any = None,
    *,
    name: str | None = None,
    description: str | None = None,
    arg_types: dict[str, type] | None = None,
) -> BaseTool:
    """A tool from a runnable, as `runnable.as_tool(...)` makes it: a `Tool` for a string input,
    else a `StructuredTool` of its input schema's keys (or of `arg_types`)."""
    from runwire.runnables.as_tool import as_tool

    return as_tool(runnable, args_schema=args_schema, name=name, description=description, arg_types=arg_types)
