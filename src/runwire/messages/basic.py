"""Messages that carry only content: human, system, chat (any role) and function.

AI and tool messages, which carry tool calls, live in `ai.py` and `tool.py`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from runwire.messages._merge import merge_dicts
from runwire.messages._record import REQUIRED, FieldSpec, ValidationError, required
from runwire.messages.base import (
    BaseMessage,
    BaseMessageChunk,
    Content,
    init_message,
    merge_content,
    message_fields,
)


class HumanMessage(BaseMessage):
    """A message from the user."""

    __slots__ = ()
    type = "human"
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields("human")


class HumanMessageChunk(HumanMessage, BaseMessageChunk):
    """A streamed piece of a human message."""

    __slots__ = ()
    type = "HumanMessageChunk"
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields("HumanMessageChunk")


class SystemMessage(BaseMessage):
    """Instructions that prime the model, usually the first message."""

    __slots__ = ()
    type = "system"
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields("system")


class SystemMessageChunk(SystemMessage, BaseMessageChunk):
    """A streamed piece of a system message."""

    __slots__ = ()
    type = "SystemMessageChunk"
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields("SystemMessageChunk")


def _check_str(value: object, field: str, owner: object) -> str:
    if value is REQUIRED:
        raise required(owner, field)
    if not isinstance(value, str):
        raise ValidationError(f"{type(owner).__name__} {field} must be a str, got {type(value).__name__}.")
    return value


class ChatMessage(BaseMessage):
    """A message from a speaker named by `role`."""

    __slots__ = ("role",)
    type = "chat"
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields("chat", ("role", REQUIRED, True))

    def __init__(
        self,
        content: Content | None = None,
        content_blocks: list[Any] | None = None,
        *,
        role: str = REQUIRED,
        additional_kwargs: dict[Any, Any] | None = None,
        response_metadata: dict[Any, Any] | None = None,
        type: str | None = None,
        name: str | None = None,
        id: str | None = None,
        **extra: Any,
    ) -> None:
        """Like `BaseMessage`, plus the required `role`."""
        init_message(
            self,
            content if content_blocks is None else content_blocks,
            additional_kwargs,
            response_metadata,
            type,
            name,
            id,
            extra,
        )
        self.role = _check_str(role, "role", self)


class ChatMessageChunk(ChatMessage, BaseMessageChunk):
    """A streamed piece of a chat message; only chunks of one role concatenate."""

    __slots__ = ()
    type = "ChatMessageChunk"
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields("ChatMessageChunk", ("role", REQUIRED, True))

    def __add__(self, other: Any) -> BaseMessageChunk:
        """Concatenate with any chunk, keeping this role; two chat chunks must share it."""
        if isinstance(other, BaseMessageChunk):
            if isinstance(other, ChatMessageChunk) and self.role != other.role:
                raise ValueError(
                    f"Cannot concatenate ChatMessageChunks with different roles: {self.role!r} and "
                    f"{other.role!r}."
                )
            return self.__class__(
                role=self.role,
                content=merge_content(self.content, other.content),
                additional_kwargs=merge_dicts(self.additional_kwargs, other.additional_kwargs),
                response_metadata=merge_dicts(self.response_metadata, other.response_metadata),
                id=self.id,
            )
        return super().__add__(other)


class FunctionMessage(BaseMessage):
    """The result of a function call (the pre-tool-call protocol); `name` is the function."""

    __slots__ = ()
    type = "function"
    name: str  # required here, optional on other messages
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields("function", name_default=REQUIRED)

    def __init__(
        self,
        content: Content | None = None,
        content_blocks: list[Any] | None = None,
        *,
        name: str = REQUIRED,
        additional_kwargs: dict[Any, Any] | None = None,
        response_metadata: dict[Any, Any] | None = None,
        type: str | None = None,
        id: str | None = None,
        **extra: Any,
    ) -> None:
        """Like `BaseMessage`, but `name` is required."""
        init_message(
            self,
            content if content_blocks is None else content_blocks,
            additional_kwargs,
            response_metadata,
            type,
            _check_str(name, "name", self),
            id,
            extra,
        )


class FunctionMessageChunk(FunctionMessage, BaseMessageChunk):
    """A streamed piece of a function message; only chunks of one function concatenate."""

    __slots__ = ()
    type = "FunctionMessageChunk"
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields("FunctionMessageChunk", name_default=REQUIRED)

    def __add__(self, other: Any) -> BaseMessageChunk:
        """Concatenate with another function chunk of the same name."""
        if isinstance(other, FunctionMessageChunk):
            if self.name != other.name:
                raise ValueError(
                    f"Cannot concatenate FunctionMessageChunks with different names: {self.name!r} and "
                    f"{other.name!r}."
                )
            return self.__class__(
                name=self.name,
                content=merge_content(self.content, other.content),
                additional_kwargs=merge_dicts(self.additional_kwargs, other.additional_kwargs),
                response_metadata=merge_dicts(self.response_metadata, other.response_metadata),
                id=self.id,
            )
        return super().__add__(other)


class RemoveMessage(BaseMessage):
    """Asks a message store (e.g. a graph's state) to delete the message with this `id`."""

    __slots__ = ()
    type = "remove"
    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields("remove")

    def __init__(self, id: str, **kwargs: Any) -> None:
        """Only the id matters; a RemoveMessage has no content."""
        if kwargs.pop("content", None):
            raise ValueError("RemoveMessage does not support 'content' field: pass only id=.")
        super().__init__("", id=id, **kwargs)
