"""Chat message histories: langchain-core's `chat_history` module (what `RunnableWithMessageHistory`
reads and appends to).

`BaseChatMessageHistory` needs `messages` plus `add_messages` (or `add_message`) and `clear`;
the async twins default to the sync ones in a thread. `InMemoryChatMessageHistory` keeps a list.
Not here: wiring a history into a chain (`runwire.runnables.history`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from runwire._fields import Fields
from runwire.messages import AIMessage, BaseMessage, HumanMessage, get_buffer_string
from runwire.runnables.config import run_in_executor


class BaseChatMessageHistory(ABC):
    """Where a conversation's messages are kept. Implement `messages`, `add_messages` (or
    `add_message`) and `clear`; override the async methods for real async storage."""

    messages: list[BaseMessage]

    async def aget_messages(self) -> list[BaseMessage]:
        """The messages (the sync `messages`, read in a thread)."""
        return await run_in_executor(None, lambda: self.messages)

    def add_user_message(self, message: HumanMessage | str) -> None:
        """Add a human message (a string becomes a HumanMessage)."""
        self.add_message(message if isinstance(message, HumanMessage) else HumanMessage(content=message))

    def add_ai_message(self, message: AIMessage | str) -> None:
        """Add an AI message (a string becomes an AIMessage)."""
        self.add_message(message if isinstance(message, AIMessage) else AIMessage(content=message))

    def add_message(self, message: BaseMessage) -> None:
        """Add one message (through `add_messages` when only that is implemented)."""
        if type(self).add_messages is not BaseChatMessageHistory.add_messages:
            self.add_messages([message])
            return
        raise NotImplementedError(
            "add_message is not implemented for this class. Please implement add_message or add_messages."
        )

    def add_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Add several messages (one `add_message` each unless overridden)."""
        for message in messages:
            self.add_message(message)

    async def aadd_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Async `add_messages` (in a thread unless overridden)."""
        await run_in_executor(None, self.add_messages, messages)

    @abstractmethod
    def clear(self) -> None:
        """Remove all messages."""

    async def aclear(self) -> None:
        """Async `clear` (in a thread unless overridden)."""
        await run_in_executor(None, self.clear)

    def __str__(self) -> str:
        return get_buffer_string(self.messages)


class InMemoryChatMessageHistory(Fields, BaseChatMessageHistory):
    """A history kept in a list in memory: `InMemoryChatMessageHistory(messages=[...])`."""

    messages: list[BaseMessage] = []  # noqa: RUF012 - a field default, copied per instance

    def __init__(self, **kwargs: Any) -> None:
        Fields.__init__(self, **kwargs)

    async def aget_messages(self) -> list[BaseMessage]:
        return self.messages

    def add_message(self, message: BaseMessage) -> None:
        self.messages.append(message)

    async def aadd_messages(self, messages: Sequence[BaseMessage]) -> None:
        self.add_messages(messages)

    def clear(self) -> None:
        self.messages = []

    async def aclear(self) -> None:
        self.clear()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InMemoryChatMessageHistory) and other.messages == self.messages

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content (as pydantic's)


__all__ = ["BaseChatMessageHistory", "InMemoryChatMessageHistory"]
