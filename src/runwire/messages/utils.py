"""Converting to and from messages: role tuples, dicts, strings, buffers, chunks.

`convert_to_messages` is what lets prompts and chat models accept `("human", "hi")`,
`{"role": "user", "content": "hi"}` or `"hi"` wherever a message is expected. Not here:
trimming, filtering and provider (OpenAI) message formats.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, cast

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
    RemoveMessage,
    SystemMessage,
    SystemMessageChunk,
)
from runwire.messages.tool import ToolMessage, ToolMessageChunk

AnyMessage = (
    AIMessage
    | HumanMessage
    | ChatMessage
    | SystemMessage
    | FunctionMessage
    | ToolMessage
    | AIMessageChunk
    | HumanMessageChunk
    | ChatMessageChunk
    | SystemMessageChunk
    | FunctionMessageChunk
    | ToolMessageChunk
)
"""Any concrete message or message chunk."""

MessageLikeRepresentation = (
    BaseMessage | list[str] | tuple[str, str | list[str | dict[str, Any]]] | str | dict[str, Any]
)
"""What `convert_to_messages` accepts for one message."""

_CLASS_BY_TYPE: dict[str, type[BaseMessage]] = {
    "human": HumanMessage,
    "ai": AIMessage,
    "system": SystemMessage,
    "chat": ChatMessage,
    "function": FunctionMessage,
    "tool": ToolMessage,
    "remove": RemoveMessage,
    "AIMessageChunk": AIMessageChunk,
    "HumanMessageChunk": HumanMessageChunk,
    "FunctionMessageChunk": FunctionMessageChunk,
    "ToolMessageChunk": ToolMessageChunk,
    "SystemMessageChunk": SystemMessageChunk,
    "ChatMessageChunk": ChatMessageChunk,
}

_ROLES = "'human', 'user', 'ai', 'assistant', 'function', 'tool', 'system', 'developer' or 'remove'"

_CONSTRUCTOR_TYPES = {
    "HumanMessage": "human",
    "HumanMessageChunk": "human",
    "AIMessage": "ai",
    "AIMessageChunk": "ai",
    "SystemMessage": "system",
    "SystemMessageChunk": "system",
    "FunctionMessage": "function",
    "FunctionMessageChunk": "function",
    "ToolMessage": "tool",
    "ToolMessageChunk": "tool",
    "RemoveMessage": "remove",
}
"""Class names in langchain's serialized `{"lc": 1, "type": "constructor"}` envelope."""


def _role_of(message: BaseMessage, prefixes: dict[type[BaseMessage], str]) -> str:
    for cls, prefix in prefixes.items():
        if isinstance(message, cls):
            return prefix
    if isinstance(message, ChatMessage):
        return message.role
    raise ValueError(
        f"Got unsupported message type: {message}. get_buffer_string formats human, AI, system, function, "
        "tool and chat messages."
    )


def get_buffer_string(
    messages: Sequence[BaseMessage],
    human_prefix: str = "Human",
    ai_prefix: str = "AI",
    *,
    system_prefix: str = "System",
    function_prefix: str = "Function",
    tool_prefix: str = "Tool",
    message_separator: str = "\n",
    format: str = "prefix",
) -> str:
    """Messages as one transcript: `"Human: hi\\nAI: hello"` (or XML with `format="xml"`)."""
    if format not in ("prefix", "xml"):
        raise ValueError(f"Unrecognized format={format!r}. Supported formats are 'prefix' and 'xml'.")
    prefixes: dict[type[BaseMessage], str] = {
        HumanMessage: human_prefix,
        AIMessage: ai_prefix,
        SystemMessage: system_prefix,
        FunctionMessage: function_prefix,
        ToolMessage: tool_prefix,
    }
    lines = []
    for message in messages:
        role = _role_of(message, prefixes)
        if format == "xml":
            from runwire.messages._xml import message_as_xml

            xml_role = role if isinstance(message, ChatMessage) else role.lower()
            lines.append(message_as_xml(message, xml_role))
            continue
        line = f"{role}: {message.text}"
        if isinstance(message, AIMessage):
            if message.tool_calls:
                line += str(message.tool_calls)
            elif "function_call" in message.additional_kwargs:
                line += str(message.additional_kwargs["function_call"])
        lines.append(line)
    return message_separator.join(lines)


def _message_from_dict(message: dict[str, Any]) -> BaseMessage:
    if not isinstance(message, dict) or not isinstance(message.get("data"), dict):
        raise ValueError(  # noqa: TRY004  # langchain-core raises ValueError for bad message dicts
            f"a message dict needs 'type' and a 'data' dict, as messages_to_dict makes them; "
            f"got {message!r:.200}"
        )
    cls = _CLASS_BY_TYPE.get(str(message.get("type")))
    if cls is None:
        raise ValueError(
            f"Got unexpected message type: {message['type']}. Known types: {sorted(_CLASS_BY_TYPE)}."
        )
    return cls(**message["data"])


def messages_from_dict(messages: Sequence[dict[str, Any]]) -> list[BaseMessage]:
    """Messages from `{"type": ..., "data": {...}}` dicts, as `messages_to_dict` makes them."""
    return [_message_from_dict(m) for m in messages]


def message_chunk_to_message(chunk: BaseMessage) -> BaseMessage:
    """The complete-message class (e.g. AIMessage) with the chunk's fields; others unchanged."""
    if not isinstance(chunk, BaseMessageChunk):
        return chunk
    skip = ("type", "tool_call_chunks", "chunk_position")
    fields = {name: getattr(chunk, name) for name, _, _ in chunk._fields if name not in skip}
    return cast("BaseMessage", type(chunk).__mro__[1](**fields))  # a chunk class's first base is its message


def _tool_calls_from_openai(tool_calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    converted = []
    for call in tool_calls:
        if "function" in call:
            args = call["function"]["arguments"]
            call = {  # noqa: PLW2901
                "name": call["function"]["name"],
                "args": json.loads(args, strict=False) if isinstance(args, str) else args,
                "id": call["id"],
                "type": "tool_call",
            }
        converted.append(call)
    return converted


def _create_message_from_message_type(
    message_type: str,
    content: Any,
    *,
    name: str | None = None,
    tool_call_id: str | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
    id: str | None = None,
    **additional_kwargs: Any,
) -> BaseMessage:
    kwargs: dict[str, Any] = {}
    if name is not None:
        kwargs["name"] = name
    if tool_call_id is not None:
        kwargs["tool_call_id"] = tool_call_id
    if additional_kwargs:
        if response_metadata := additional_kwargs.pop("response_metadata", None):
            kwargs["response_metadata"] = response_metadata
        additional_kwargs.update(additional_kwargs.pop("additional_kwargs", {}))
        kwargs["additional_kwargs"] = additional_kwargs
    if id is not None:
        kwargs["id"] = id
    if tool_calls is not None:
        kwargs["tool_calls"] = _tool_calls_from_openai(tool_calls)
    extra = kwargs.get("additional_kwargs", {})
    if message_type in ("human", "user"):
        if example := extra.pop("example", False):
            kwargs["example"] = example
        return HumanMessage(content=content, **kwargs)
    if message_type in ("ai", "assistant"):
        if example := extra.pop("example", False):
            kwargs["example"] = example
        return AIMessage(content=content, **kwargs)
    if message_type in ("system", "developer"):
        if message_type == "developer":
            kwargs["additional_kwargs"] = {**extra, "__openai_role__": "developer"}
        return SystemMessage(content=content, **kwargs)
    if message_type == "function":
        return FunctionMessage(content=content, **kwargs)
    if message_type == "tool":
        artifact = extra.pop("artifact", None)
        if (status := extra.pop("status", None)) is not None:
            kwargs["status"] = status
        return ToolMessage(content=content, artifact=artifact, **kwargs)
    if message_type == "remove":
        return RemoveMessage(**kwargs)
    raise ValueError(f"Unexpected message type: {message_type!r}. Use one of {_ROLES}.")


def _convert_to_message(message: MessageLikeRepresentation) -> BaseMessage:
    if isinstance(message, BaseMessage):
        return message
    if isinstance(message, str):
        return HumanMessage(content=message)
    if isinstance(message, Sequence):
        if len(message) != 2:
            raise NotImplementedError(
                f"Message as a sequence must be (role string, template), got {len(message)} items: "
                f"{message!r:.100}."
            )
        role, content = message[0], message[1]
        return _create_message_from_message_type(role, content)
    if isinstance(message, dict):
        envelope_kwargs = message.get("kwargs")
        envelope_id = message.get("id")
        if (
            message.get("lc") == 1
            and message.get("type") == "constructor"
            and isinstance(envelope_id, list)
            and envelope_id
            and isinstance(envelope_kwargs, dict)
            and (mapped := _CONSTRUCTOR_TYPES.get(envelope_id[-1])) is not None
        ):
            return _convert_to_message({"type": mapped, **envelope_kwargs})
        fields = message.copy()
        role = fields.pop("role") if "role" in fields else fields.pop("type", None)
        if role is None or "content" not in fields:
            raise ValueError(
                f"Message dict must contain 'role' (or 'type') and 'content' keys, got keys {list(message)}: "
                f"{message!r:.200}."
            )
        content = fields.pop("content") or ""  # None content is allowed in dicts, as ""
        return _create_message_from_message_type(role, content, **fields)
    raise NotImplementedError(
        f"Unsupported message type: {type(message)}. A message can be a BaseMessage, a str, "
        "a (role, content) tuple or a dict with 'role' and 'content'."
    )


def convert_to_messages(messages: Iterable[MessageLikeRepresentation] | Any) -> list[BaseMessage]:
    """Messages from message-likes: messages, strings, (role, content) pairs, role dicts.

    A prompt value (anything with `to_messages()`) gives its messages.
    """
    to_messages = getattr(messages, "to_messages", None)
    if callable(to_messages):
        return cast("list[BaseMessage]", to_messages())
    return [_convert_to_message(m) for m in messages]


_LATER = {
    "count_tokens_approximately": "transform",
    "filter_messages": "transform",
    "merge_message_runs": "transform",
    "trim_messages": "trim",
    "convert_to_openai_messages": "openai",
}


def __getattr__(name: str) -> Any:
    # langchain-core keeps these in `messages.utils` too; they live in their own modules here.
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module 'runwire.messages.utils' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"runwire.messages.{module}"), name)
