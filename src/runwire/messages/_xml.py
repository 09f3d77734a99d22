"""The XML transcript format of `get_buffer_string(format="xml")`.

Imported only when that format is asked for (it pulls in `xml.sax.saxutils`). Base64
data is never written out; long text-like payloads are cut at 500 characters.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from runwire.messages.ai import AIMessage
from runwire.messages.base import BaseMessage

_MAX_LEN = 500
_TOOL_CALL_ID_LIMIT = 64


def _truncate(text: str) -> str:
    return text if len(text) <= _MAX_LEN else text[:_MAX_LEN] + "..."


def _has_base64(block: dict[str, Any]) -> bool:
    if block.get("base64"):
        return True
    url = block.get("url", "")
    if isinstance(url, str) and url.startswith("data:"):
        return True
    image_url = block.get("image_url", {})
    return isinstance(image_url, dict) and str(image_url.get("url", "")).startswith("data:")


def _media(kind: str, block: dict[str, Any]) -> str | None:
    if url := block.get("url"):
        return f"<{kind} url={quoteattr(url)} />"
    if file_id := block.get("file_id"):
        return f"<{kind} file_id={quoteattr(file_id)} />"
    return None


def _block_as_xml(block: dict[str, Any]) -> str | None:
    """One content block as XML, or None when it is skipped (unknown, empty or base64)."""
    kind = block.get("type", "")
    if _has_base64(block):
        return None
    if kind == "text":
        return escape(text) if (text := block.get("text", "")) else None
    if kind == "reasoning":
        return (
            f"<reasoning>{escape(reasoning)}</reasoning>"
            if (reasoning := block.get("reasoning", ""))
            else None
        )
    if kind in ("image", "audio", "video"):
        return _media(kind, block)
    if kind == "image_url":
        image_url = block.get("image_url", {})
        url = image_url.get("url", "") if isinstance(image_url, dict) else ""
        return f"<image url={quoteattr(url)} />" if url and not url.startswith("data:") else None
    if kind == "text-plain":
        return escape(_truncate(text)) if (text := block.get("text", "")) else None
    if kind == "server_tool_call":
        args = escape(_truncate(json.dumps(block.get("args", {}), ensure_ascii=False)))
        return (
            f"<server_tool_call id={quoteattr(str(block.get('id') or ''))} "
            f"name={quoteattr(str(block.get('name') or ''))}>{args}</server_tool_call>"
        )
    if kind == "server_tool_result":
        output = block.get("output")
        shown = escape(_truncate(json.dumps(output, ensure_ascii=False))) if output else ""
        return (
            f"<server_tool_result tool_call_id={quoteattr(str(block.get('tool_call_id') or ''))} "
            f"status={quoteattr(str(block.get('status') or ''))}>{shown}</server_tool_result>"
        )
    return None


def message_as_xml(message: BaseMessage, role: str) -> str:
    """`<message type="role">content</message>`, with tool calls nested for AI messages."""
    if isinstance(message.content, str):
        parts = [escape(message.content)] if message.content else []
    else:
        parts = []
        for block in message.content:
            formatted = escape(block) if isinstance(block, str) else _block_as_xml(block)
            if formatted:
                parts.append(formatted)
    opening = f"<message type={quoteattr(role)}>"
    if not isinstance(message, AIMessage) or not (
        message.tool_calls or "function_call" in message.additional_kwargs
    ):
        return f"{opening}{' '.join(parts)}</message>"
    lines = [opening]
    if parts:
        lines.append(f"  <content>{' '.join(parts)}</content>")
    if message.tool_calls:
        for call in message.tool_calls:
            call_id = call.get("id") or ""
            if len(call_id) > _TOOL_CALL_ID_LIMIT:
                call_id = call_id[:_TOOL_CALL_ID_LIMIT] + "..."
            args = escape(json.dumps(call.get("args", {}), ensure_ascii=False))
            lines.append(
                f"  <tool_call id={quoteattr(call_id)} name={quoteattr(str(call.get('name') or ''))}>"
                f"{args}</tool_call>"
            )
    else:
        function_call = message.additional_kwargs["function_call"]
        name = quoteattr(str(function_call.get("name") or ""))
        arguments = escape(str(function_call.get("arguments") or "{}"))
        lines.append(f"  <function_call name={name}>{arguments}</function_call>")
    lines.append("</message>")
    return "\n".join(lines)
