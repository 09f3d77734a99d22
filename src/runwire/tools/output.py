"""What a tool returns: its output as is, or a ToolMessage answering the call, and the output
for an error the tool is set to handle (`handle_tool_error`, `handle_validation_error`).

Pure functions with langchain-core's rules: non-text content becomes JSON text (else `str`),
content blocks stay a list, a returned ToolMessage (or list of them) passes through.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from runwire.messages import ToolMessage, ToolOutputMixin

TOOL_MESSAGE_BLOCK_TYPES = (
    "text",
    "image_url",
    "image",
    "json",
    "search_result",
    "custom_tool_call_output",
    "document",
    "file",
)


def handle_tool_error(exc: Exception, flag: Any) -> Any:
    """The output for a handled `ToolException`: its message (True), a fixed string, or flag(exc)."""
    if isinstance(flag, bool):
        return exc.args[0] if exc.args else "Tool execution error"
    if isinstance(flag, str):
        return flag
    if callable(flag):
        return flag(exc)
    raise ValueError(
        f"Got unexpected type of `handle_tool_error`. Expected bool, str or callable. Received: {flag}"
    )


def handle_validation_error(exc: Exception, flag: Any) -> Any:
    """The output for a handled validation error: a generic message (True), a string, or flag(exc)."""
    if isinstance(flag, bool):
        return "Tool input validation error"
    if isinstance(flag, str):
        return flag
    if callable(flag):
        return flag(exc)
    raise ValueError(
        f"Got unexpected type of `handle_validation_error`. Expected bool, str or callable. Received: {flag}"
    )


def format_output(
    content: Any, artifact: Any, tool_call_id: str | None, name: str, status: Literal["success", "error"]
) -> Any:
    """The tool's result: `content` itself, or a ToolMessage answering `tool_call_id`."""
    if tool_call_id is None or isinstance(content, ToolOutputMixin):
        return content
    if isinstance(content, list) and content and all(isinstance(c, ToolOutputMixin) for c in content):
        return content
    if not isinstance(content, str):
        if isinstance(content, list | tuple) and all(_is_block(c) for c in content):
            content = list(content)
        else:
            try:
                content = json.dumps(content, ensure_ascii=False)
            except Exception:
                content = str(content)
    return ToolMessage(content, artifact=artifact, tool_call_id=tool_call_id, name=name, status=status)


def _is_block(item: Any) -> bool:
    return isinstance(item, str) or (isinstance(item, dict) and item.get("type") in TOOL_MESSAGE_BLOCK_TYPES)
