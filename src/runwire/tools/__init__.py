"""Tools: functions a model may call, each call one tool run heard by the run's handlers.

`@tool` builds a `StructuredTool` from a function (name, description and argument schema from
its signature, type hints and docstring); `BaseTool` is the base for hand-written tools.
Same names and behaviour as `langchain_core.tools`. Importing this package does not import
pydantic; building a tool from a function does.
"""

from runwire.messages import ToolCall
from runwire.tools._signature import FILTERED_ARGS
from runwire.tools.base import (
    ArgsSchema,
    BaseTool,
    BaseToolkit,
    SchemaAnnotationError,
    ToolException,
    format_output,
    is_tool_call,
)
from runwire.tools.convert import convert_runnable_to_tool, tool
from runwire.tools.injected import InjectedToolArg, InjectedToolCallId
from runwire.tools.render import render_text_description, render_text_description_and_args
from runwire.tools.structured import StructuredTool, Tool


def create_schema_from_function(model_name: str, func: object, **kwargs: object) -> object:
    """A pydantic model of `func`'s arguments (see `runwire.tools.schema`; imports pydantic)."""
    from runwire.tools.schema import create_schema_from_function as create

    return create(model_name, func, **kwargs)  # type: ignore[arg-type]


__all__ = [
    "FILTERED_ARGS",
    "ArgsSchema",
    "BaseTool",
    "BaseToolkit",
    "InjectedToolArg",
    "InjectedToolCallId",
    "SchemaAnnotationError",
    "StructuredTool",
    "Tool",
    "ToolCall",
    "ToolException",
    "convert_runnable_to_tool",
    "create_schema_from_function",
    "format_output",
    "is_tool_call",
    "render_text_description",
    "render_text_description_and_args",
    "tool",
]


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
