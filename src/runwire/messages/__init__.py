"""Messages: what chat models read and write, with langchain-core's names and behaviour.

Same constructors, fields, repr and chunk arithmetic as `langchain_core.messages`, built
on slotted classes instead of pydantic models so that making a message is cheap. The list
utilities (`trim_messages`, `filter_messages`, ...) and content-block helpers load on first use.
"""

from typing import TYPE_CHECKING, Any

from runwire.messages._merge import merge_dicts, merge_lists, merge_obj
from runwire.messages.ai import LC_AUTO_PREFIX, LC_ID_PREFIX, AIMessage, ensure_id
from runwire.messages.ai_chunk import AIMessageChunk, add_ai_message_chunks
from runwire.messages.base import (
    BaseMessage,
    BaseMessageChunk,
    TextAccessor,
    get_msg_title_repr,
    merge_content,
    message_to_dict,
    messages_to_dict,
)
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
from runwire.messages.tool import (
    InvalidToolCall,
    ToolCall,
    ToolCallChunk,
    ToolMessage,
    ToolMessageChunk,
    ToolOutputMixin,
    default_tool_chunk_parser,
    default_tool_parser,
    invalid_tool_call,
    tool_call,
    tool_call_chunk,
)
from runwire.messages.usage import (
    InputTokenDetails,
    OutputTokenDetails,
    UsageMetadata,
    add_usage,
    subtract_usage,
)
from runwire.messages.utils import (
    AnyMessage,
    MessageLikeRepresentation,
    _message_from_dict,
    convert_to_messages,
    get_buffer_string,
    message_chunk_to_message,
    messages_from_dict,
)

if TYPE_CHECKING:
    from runwire.messages.content import (
        KNOWN_BLOCK_TYPES,
        convert_to_openai_data_block,
        convert_to_openai_image_block,
        is_data_content_block,
    )
    from runwire.messages.openai import convert_to_openai_messages
    from runwire.messages.transform import count_tokens_approximately, filter_messages, merge_message_runs
    from runwire.messages.trim import trim_messages

_LAZY = {
    "KNOWN_BLOCK_TYPES": "content",
    "convert_to_openai_data_block": "content",
    "convert_to_openai_image_block": "content",
    "is_data_content_block": "content",
    "convert_to_openai_messages": "openai",
    "count_tokens_approximately": "transform",
    "filter_messages": "transform",
    "merge_message_runs": "transform",
    "trim_messages": "trim",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        from runwire._not_yet import missing_attribute  # a langchain-core name runwire lacks: say so

        raise missing_attribute(__name__, name)
    import importlib

    value = getattr(importlib.import_module(f"runwire.messages.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "KNOWN_BLOCK_TYPES",
    "LC_AUTO_PREFIX",
    "LC_ID_PREFIX",
    "AIMessage",
    "AIMessageChunk",
    "AnyMessage",
    "BaseMessage",
    "BaseMessageChunk",
    "ChatMessage",
    "ChatMessageChunk",
    "FunctionMessage",
    "FunctionMessageChunk",
    "HumanMessage",
    "HumanMessageChunk",
    "InputTokenDetails",
    "InvalidToolCall",
    "MessageLikeRepresentation",
    "OutputTokenDetails",
    "RemoveMessage",
    "SystemMessage",
    "SystemMessageChunk",
    "TextAccessor",
    "ToolCall",
    "ToolCallChunk",
    "ToolMessage",
    "ToolMessageChunk",
    "ToolOutputMixin",
    "UsageMetadata",
    "_message_from_dict",
    "add_ai_message_chunks",
    "add_usage",
    "convert_to_messages",
    "convert_to_openai_data_block",
    "convert_to_openai_image_block",
    "convert_to_openai_messages",
    "count_tokens_approximately",
    "default_tool_chunk_parser",
    "default_tool_parser",
    "ensure_id",
    "filter_messages",
    "get_buffer_string",
    "get_msg_title_repr",
    "invalid_tool_call",
    "is_data_content_block",
    "merge_content",
    "merge_dicts",
    "merge_lists",
    "merge_message_runs",
    "merge_obj",
    "message_chunk_to_message",
    "message_to_dict",
    "messages_from_dict",
    "messages_to_dict",
    "subtract_usage",
    "tool_call",
    "tool_call_chunk",
    "trim_messages",
]
