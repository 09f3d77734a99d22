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
    create_schema_from_function,
    format_output,
    is_tool_call,
)
from runwire.tools.convert import convert_runnable_to_tool, tool
from runwire.tools.injected import InjectedToolArg, InjectedToolCallId
from runwire.tools.render import ToolsRenderer, render_text_description, render_text_description_and_args
from runwire.tools.structured import StructuredTool, Tool


def __getattr__(name: str) -> object:
    # The retriever tool's module imports pydantic: loaded on first use only.
    if name in {"create_retriever_tool", "RetrieverInput"}:
        from runwire.tools import retriever

        return getattr(retriever, name)
    from runwire._not_yet import missing_attribute  # a langchain-core name runwire lacks: say so

    raise missing_attribute(__name__, name)


__all__ = [
    "FILTERED_ARGS",
    "ArgsSchema",
    "BaseTool",
    "BaseToolkit",
    "InjectedToolArg",
    "InjectedToolCallId",
    "RetrieverInput",
    "SchemaAnnotationError",
    "StructuredTool",
    "Tool",
    "ToolCall",
    "ToolException",
    "ToolsRenderer",
    "convert_runnable_to_tool",
    "create_retriever_tool",
    "create_schema_from_function",
    "format_output",
    "is_tool_call",
    "render_text_description",
    "render_text_description_and_args",
    "tool",
]
