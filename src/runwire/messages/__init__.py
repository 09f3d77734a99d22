"""Messages: what chat models read and write, with langchain-core's names and behaviour.

Same constructors, fields, repr and chunk arithmetic as `langchain_core.messages`, built
on slotted classes instead of pydantic models so that making a message is cheap.
"""

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

__all__ = [
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
    "default_tool_chunk_parser",
    "default_tool_parser",
    "ensure_id",
    "get_buffer_string",
    "get_msg_title_repr",
    "invalid_tool_call",
    "merge_content",
    "merge_dicts",
    "merge_lists",
    "merge_obj",
    "message_chunk_to_message",
    "message_to_dict",
    "messages_from_dict",
    "messages_to_dict",
    "subtract_usage",
    "tool_call",
    "tool_call_chunk",
]


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
