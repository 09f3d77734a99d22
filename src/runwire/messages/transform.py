"""Message-list utilities with langchain-core's behaviour: `filter_messages`,
`merge_message_runs`, `trim_messages` and `count_tokens_approximately`.

Each of the first three, called without messages, returns a `RunnableLambda` doing the same
with the given options, so it can sit in a chain (`trim_messages(max_tokens=..., ...) | model`).
Not here: converting to and from messages (`utils`) or to OpenAI's format (`openai`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from functools import partial, wraps
from typing import Any, TypeVar, cast

from runwire.messages.ai import AIMessage
from runwire.messages.ai_chunk import AIMessageChunk
from runwire.messages.base import BaseMessage, BaseMessageChunk
from runwire.messages.basic import (
    ChatMessage,
    ChatMessageChunk,
    FunctionMessage,
    FunctionMessageChunk,
    HumanMessage,
    HumanMessageChunk,
    SystemMessage,
    SystemMessageChunk,
)
from runwire.messages.tool import ToolMessage, ToolMessageChunk
from runwire.messages.utils import convert_to_messages

F = TypeVar("F", bound=Callable[..., Any])
MessageTypes = str | type[BaseMessage] | Sequence[str | type[BaseMessage]]

_MSG_CHUNK_MAP: dict[type[BaseMessage], type[BaseMessageChunk]] = {
    HumanMessage: HumanMessageChunk,
    AIMessage: AIMessageChunk,
    SystemMessage: SystemMessageChunk,
    ToolMessage: ToolMessageChunk,
    FunctionMessage: FunctionMessageChunk,
    ChatMessage: ChatMessageChunk,
}


def _runnable_support(func: F) -> F:
    """`func(messages, **options)`, or with no messages a runnable applying `func(**options)`."""

    @wraps(func)
    def wrapped(messages: Any = None, *args: Any, **kwargs: Any) -> Any:
        if messages is not None:
            return func(messages, *args, **kwargs)
        from runwire.runnables import RunnableLambda

        return RunnableLambda(partial(func, **kwargs), name=func.__name__)

    return cast("F", wrapped)


def _is_message_type(message: BaseMessage, type_: MessageTypes) -> bool:
    types = [type_] if isinstance(type_, str | type) else type_
    names = [t for t in types if isinstance(t, str)]
    classes = tuple(t for t in types if isinstance(t, type))
    return message.type in names or isinstance(message, classes)


@_runnable_support
def filter_messages(  # langchain-core's rules, kept in its order
    messages: Iterable[Any],
    *,
    include_names: Sequence[str] | None = None,
    exclude_names: Sequence[str] | None = None,
    include_types: Sequence[str | type[BaseMessage]] | None = None,
    exclude_types: Sequence[str | type[BaseMessage]] | None = None,
    include_ids: Sequence[str] | None = None,
    exclude_ids: Sequence[str] | None = None,
    exclude_tool_calls: Sequence[str] | bool | None = None,
) -> list[BaseMessage]:
    """The messages that pass the filters: excluded names/types/ids dropped first, then, if any
    include_* is given, only messages matching one kept. `exclude_tool_calls=True` drops AI
    messages with tool calls and tool messages; a list of ids drops just those calls."""
    filtered: list[BaseMessage] = []
    for msg in convert_to_messages(messages):
        if (
            (exclude_names and msg.name in exclude_names)
            or (exclude_types and _is_message_type(msg, exclude_types))
            or (exclude_ids and msg.id in exclude_ids)
        ):
            continue
        if exclude_tool_calls is True and (
            (isinstance(msg, AIMessage) and msg.tool_calls) or isinstance(msg, ToolMessage)
        ):
            continue
        new_msg = msg
        if isinstance(exclude_tool_calls, list | tuple | set):
            if isinstance(msg, AIMessage) and msg.tool_calls:
                tool_calls = [call for call in msg.tool_calls if call["id"] not in exclude_tool_calls]
                if not tool_calls:
                    continue
                content = msg.content
                if isinstance(content, list):
                    content = [
                        block
                        for block in content
                        if not isinstance(block, dict)
                        or block.get("type") != "tool_use"
                        or block.get("id") not in exclude_tool_calls
                    ]
                new_msg = msg.model_copy(update={"tool_calls": tool_calls, "content": content})
            elif isinstance(msg, ToolMessage) and msg.tool_call_id in exclude_tool_calls:
                continue
        if (
            not (include_types or include_ids or include_names)
            or (include_names and new_msg.name in include_names)
            or (include_types and _is_message_type(new_msg, include_types))
            or (include_ids and new_msg.id in include_ids)
        ):
            filtered.append(new_msg)
    return filtered


def _msg_to_chunk(message: BaseMessage) -> BaseMessageChunk:
    for msg_cls, chunk_cls in _MSG_CHUNK_MAP.items():
        if isinstance(message, msg_cls):
            return chunk_cls(**message.model_dump(exclude={"type"}))
    raise ValueError(
        f"Unrecognized message class {type(message)}. Supported classes are {list(_MSG_CHUNK_MAP)}"
    )


def _chunk_to_msg(chunk: BaseMessageChunk) -> BaseMessage:
    for msg_cls, chunk_cls in _MSG_CHUNK_MAP.items():
        if isinstance(chunk, chunk_cls):
            return msg_cls(**chunk.model_dump(exclude={"type", "tool_call_chunks", "chunk_position"}))
    raise ValueError(f"Unrecognized message chunk class {type(chunk)}.")


@_runnable_support
def merge_message_runs(messages: Iterable[Any], *, chunk_separator: str = "\n") -> list[BaseMessage]:
    """Consecutive messages of the same class merged into one (string contents joined by
    `chunk_separator`, tool calls kept; the later messages' response_metadata dropped). Tool
    messages are never merged."""
    if not messages:
        return []
    merged: list[BaseMessage] = []
    for msg in convert_to_messages(messages):
        last = merged.pop() if merged else None
        if not last:
            merged.append(msg)
        elif isinstance(msg, ToolMessage) or not isinstance(msg, type(last)):
            merged.extend([last, msg])
        else:
            last_chunk, chunk = _msg_to_chunk(last), _msg_to_chunk(msg)
            if chunk.response_metadata:
                chunk.response_metadata.clear()
            if (
                isinstance(last_chunk.content, str)
                and isinstance(chunk.content, str)
                and last_chunk.content
                and chunk.content
            ):
                last_chunk.content += chunk_separator
            merged.append(_chunk_to_msg(last_chunk + chunk))
    return merged


def _openai_role(message: BaseMessage) -> str:
    if isinstance(message, AIMessage):
        return "assistant"
    if isinstance(message, HumanMessage):
        return "user"
    if isinstance(message, ToolMessage):
        return "tool"
    if isinstance(message, SystemMessage):
        role = message.additional_kwargs.get("__openai_role__", "system")
        if not isinstance(role, str):
            raise TypeError(f"Expected '__openai_role__' to be a str, got {type(role).__name__}")
        return role
    if isinstance(message, FunctionMessage):
        return "function"
    if isinstance(message, ChatMessage):
        return message.role
    raise ValueError(f"Unknown BaseMessage type {type(message)}.")


def _content_chars(content: Any) -> tuple[int, int]:
    """(characters, image tokens) of a message's content, as langchain-core counts them."""
    if isinstance(content, str):
        return len(content), 0
    if not isinstance(content, list):
        return len(repr(content)), 0
    chars = images = 0
    for block in content:
        if isinstance(block, str):
            chars += len(block)
        elif isinstance(block, dict) and block.get("type", "") in {"image", "image_url"}:
            images += 1
        elif isinstance(block, dict) and block.get("type", "") == "text":
            chars += len(block.get("text", ""))
        else:
            chars += len(repr(block))
    return chars, images


def _tool_chars(tools: list[Any]) -> int:
    total = 0
    for tool in tools:
        if not isinstance(tool, dict):
            schema = tool.tool_call_schema
            if isinstance(schema, dict):
                parameters = dict(schema)
            else:
                from runwire.utils.function_calling import convert_to_openai_tool

                parameters = dict(convert_to_openai_tool(schema)["function"].get("parameters", {}))
            parameters.pop("title", None)
            parameters.pop("description", None)
            tool = {"name": tool.name, "description": tool.description, "parameters": parameters}  # noqa: PLW2901
        total += len(json.dumps(tool))
    return total


def count_tokens_approximately(  # one pass, langchain-core's accounting
    messages: Iterable[Any],
    *,
    chars_per_token: float = 4.0,
    extra_tokens_per_message: float = 3.0,
    count_name: bool = True,
    tokens_per_image: int = 85,
    use_usage_metadata_scaling: bool = False,
    tools: list[Any] | None = None,
) -> int:
    """A model-free token estimate: characters / `chars_per_token` per message (content, tool
    calls, role, name) plus `extra_tokens_per_message`, `tokens_per_image` per image, and the
    tools' JSON. `use_usage_metadata_scaling` scales up by the last AI message's real usage."""
    converted = convert_to_messages(messages)
    count = 0.0
    provider: str | None = None
    mixed_providers = False
    last_total: int | None = None
    estimate_at_last: float | None = None
    if tools:
        count += math.ceil(_tool_chars(tools) / chars_per_token)
    for message in converted:
        chars, images = _content_chars(message.content)
        count += images * tokens_per_image
        if isinstance(message, AIMessage) and not isinstance(message.content, list) and message.tool_calls:
            chars += len(repr(message.tool_calls))
        if isinstance(message, ToolMessage):
            chars += len(message.tool_call_id)
        chars += len(_openai_role(message))
        if message.name and count_name:
            chars += len(message.name)
        count += math.ceil(chars / chars_per_token) + extra_tokens_per_message
        if use_usage_metadata_scaling and isinstance(message, AIMessage):
            model_provider = message.response_metadata.get("model_provider")
            if provider is None:
                provider = model_provider
            elif model_provider != provider:
                mixed_providers = True
            usage = message.usage_metadata
            if usage and isinstance(total := usage.get("total_tokens"), int):
                last_total, estimate_at_last = total, count
    if (
        use_usage_metadata_scaling
        and len(converted) > 1
        and not mixed_providers
        and provider is not None
        and last_total is not None
        and estimate_at_last
    ):
        count *= min(1.25, max(1.0, last_total / estimate_at_last))
    return math.ceil(count)


_TOKEN_COUNTER_SHORTCUTS: dict[str, Callable[[list[BaseMessage]], int]] = {
    "approximate": count_tokens_approximately
}
