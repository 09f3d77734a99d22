"""AI messages: a chat model's reply, with tool calls and token usage.

Tool calls given in any of langchain's three forms (`tool_calls=`, tool_call content
blocks, OpenAI-style `additional_kwargs["tool_calls"]`) are stored in one normal form.
Streamed chunks are in `ai_chunk.py`.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from runwire.messages._record import FACTORY, FieldSpec
from runwire.messages.base import (
    BaseMessage,
    Content,
    init_message,
    message_fields,
)
from runwire.messages.tool import (
    InvalidToolCall,
    ToolCall,
    default_tool_parser,
    normalize_invalid_tool_call,
    normalize_tool_call,
)
from runwire.messages.usage import (  # add_usage/subtract_usage: langchain-core's import path
    InputTokenDetails,  # noqa: F401
    OutputTokenDetails,  # noqa: F401
    UsageMetadata,
    add_usage,  # noqa: F401
    normalize_usage,
    subtract_usage,  # noqa: F401
)

LC_AUTO_PREFIX = "lc_"
"""Prefix of ids runwire/langchain generate when the provider gave none."""
LC_ID_PREFIX = "lc_run-"
"""Prefix of ids derived from a run id."""

AI_FIELDS = (
    ("tool_calls", FACTORY, True),
    ("invalid_tool_calls", FACTORY, True),
    ("usage_metadata", None, True),
)


def raw_tool_calls(additional_kwargs: Any, *given: Any) -> Any:
    """OpenAI-style tool calls in additional_kwargs, when no standard ones were given."""
    if not additional_kwargs or any(given) or not isinstance(additional_kwargs, dict):
        return None
    return additional_kwargs.get("tool_calls")


def init_ai(  # noqa: PLR0917  # positional: called for every AI message
    message: AIMessage,
    content: Any,
    tool_calls: Any,
    invalid_tool_calls: Any,
    usage_metadata: Any,
    additional_kwargs: Any,
    response_metadata: Any,
    type_: Any,
    name: Any,
    id_: Any,
    extra: dict[str, Any],
) -> None:
    init_message(message, content, additional_kwargs, response_metadata, type_, name, id_, extra)
    message._tool_calls = [normalize_tool_call(c) for c in tool_calls] if tool_calls else None
    message._invalid_tool_calls = (
        [normalize_invalid_tool_call(c) for c in invalid_tool_calls] if invalid_tool_calls else None
    )
    message.usage_metadata = None if usage_metadata is None else normalize_usage(usage_metadata)


class AIMessage(BaseMessage):
    """A chat model's reply: content, tool calls and token usage."""

    __slots__ = ("_invalid_tool_calls", "_tool_calls", "usage_metadata")
    type = "ai"
    usage_metadata: UsageMetadata | None
    _tool_calls: list[ToolCall] | None
    _invalid_tool_calls: list[InvalidToolCall] | None
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields("ai", *AI_FIELDS)

    def __init__(
        self,
        content: Content | None = None,
        content_blocks: list[Any] | None = None,
        *,
        tool_calls: list[ToolCall] | None = None,
        invalid_tool_calls: list[InvalidToolCall] | None = None,
        usage_metadata: UsageMetadata | None = None,
        additional_kwargs: dict[Any, Any] | None = None,
        response_metadata: dict[Any, Any] | None = None,
        type: str | None = None,
        name: str | None = None,
        id: str | None = None,
        **extra: Any,
    ) -> None:
        """Tool calls may come as `tool_calls`, as tool_call content blocks, or OpenAI-style
        in `additional_kwargs["tool_calls"]`."""
        if content_blocks is not None:
            content = content_blocks
            if tool_calls is None:
                tool_calls = [b for b in content_blocks if b.get("type") == "tool_call"]
        if additional_kwargs and (
            raw := raw_tool_calls(
                additional_kwargs, tool_calls, invalid_tool_calls, extra.get("tool_call_chunks")
            )
        ):
            try:
                tool_calls, invalid_tool_calls = default_tool_parser(raw)
            except Exception:  # best effort, as in langchain: unparseable raw calls stay raw
                tool_calls = invalid_tool_calls = None
        init_ai(
            self,
            content,
            tool_calls,
            invalid_tool_calls,
            usage_metadata,
            additional_kwargs,
            response_metadata,
            type,
            name,
            id,
            extra,
        )

    @property
    def tool_calls(self) -> list[ToolCall]:
        """Tool calls the model requested."""
        value = self._tool_calls
        if value is None:
            value = self._tool_calls = []
        return value

    @tool_calls.setter
    def tool_calls(self, value: list[ToolCall]) -> None:
        self._tool_calls = value

    @property
    def invalid_tool_calls(self) -> list[InvalidToolCall]:
        """Tool calls whose arguments could not be parsed."""
        value = self._invalid_tool_calls
        if value is None:
            value = self._invalid_tool_calls = []
        return value

    @invalid_tool_calls.setter
    def invalid_tool_calls(self, value: list[InvalidToolCall]) -> None:
        self._invalid_tool_calls = value

    @property
    def content_blocks(self) -> list[dict[str, Any]]:
        """Standard blocks, plus tool calls missing from content and `reasoning_content`."""
        if self.response_metadata.get("output_version") == "v1" and isinstance(self.content, list):
            return self.content  # type: ignore[return-value]  # v1 content is standard blocks
        blocks = super().content_blocks
        if self.tool_calls:
            in_content = {
                b.get("id") for b in self.content if isinstance(b, dict) and b.get("type") == "tool_call"
            }
            for call in self.tool_calls:
                if (call_id := call.get("id")) and call_id not in in_content:
                    block = {"type": "tool_call", "id": call_id, "name": call["name"], "args": call["args"]}
                    raw = cast("dict[str, Any]", call)
                    block.update({k: raw[k] for k in ("index", "extras") if k in raw})
                    blocks.append(block)
        return with_reasoning(self, blocks)

    def pretty_repr(self, html: bool = False) -> str:
        """The base rendering followed by the (invalid) tool calls and their arguments."""
        lines = []
        for title, calls in (
            ("Tool Calls:", self.tool_calls),
            ("Invalid Tool Calls:", self.invalid_tool_calls),
        ):
            if calls:
                lines.append(title)
                for call in calls:
                    lines.extend(_tool_call_lines(call))
        return (super().pretty_repr(html=html).strip() + "\n" + "\n".join(lines)).strip()


def _tool_call_lines(call: ToolCall | InvalidToolCall) -> list[str]:
    lines = [f"  {call.get('name', 'Tool')} ({call.get('id')})", f" Call ID: {call.get('id')}"]
    if call.get("error"):
        lines.append(f"  Error: {call.get('error')}")
    lines.append("  Args:")
    args = call.get("args")
    if isinstance(args, str):
        lines.append(f"    {args}")
    elif isinstance(args, dict):
        lines.extend(f"    {arg}: {value}" for arg, value in args.items())
    return lines


def with_reasoning(message: AIMessage, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocks with `additional_kwargs["reasoning_content"]` first, unless reasoning is there."""
    reasoning = message.additional_kwargs.get("reasoning_content")
    if isinstance(reasoning, str) and not any(b.get("type") == "reasoning" for b in blocks):
        blocks.insert(0, {"type": "reasoning", "reasoning": reasoning})
    return blocks


def ensure_id(id_val: str | None) -> str:
    """`id_val`, or a fresh `lc_<uuid4>` id when it is empty."""
    if id_val:
        return id_val
    from uuid import uuid4

    return f"{LC_AUTO_PREFIX}{uuid4()}"
