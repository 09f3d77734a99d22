"""The tools' own exceptions, and the class-definition check that raises SchemaAnnotationError.

Plain classes (no pydantic), so importing them costs nothing.
"""

from __future__ import annotations


class ToolException(Exception):
    """An error a tool raises to report a failure to the model instead of to the caller
    (when the tool's `handle_tool_error` is set)."""


class SchemaAnnotationError(TypeError):
    """A tool class annotates `args_schema` wrongly (`BaseModel` where `type[BaseModel]` is meant)."""


_ANNOTATION_MANDATE = """
class ChildTool(BaseTool):
    ...
    args_schema: Type[BaseModel] = SchemaClass
    ..."""


def check_args_schema_annotation(cls: type) -> None:
    """langchain-core's SchemaAnnotationError for `args_schema: BaseModel = ...` (the class of a
    schema is wanted, `type[BaseModel]`), checked without importing pydantic."""
    annotation = cls.__dict__.get("__annotations__", {}).get("args_schema")  # noqa: RUF063 - own only
    if (
        isinstance(annotation, type)
        and annotation.__name__ == "BaseModel"
        and annotation.__module__.startswith("pydantic")
    ):
        raise SchemaAnnotationError(
            f"Tool definition for {cls.__name__} must include valid type annotations"
            f" for argument 'args_schema' to behave as expected.\n"
            f"Expected annotation of 'Type[BaseModel]'"
            f" but got '{annotation}'.\n"
            f"Expected class looks like:\n"
            f"{_ANNOTATION_MANDATE}"
        )
