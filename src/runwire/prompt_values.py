"""Prompt values: what a prompt produces and a model consumes, as text or as messages.

`StringPromptValue` and `ChatPromptValue` have langchain-core's fields, `repr` and `str`
(users print them), built as slotted objects so a prompt makes one in a few attribute stores.
Either kind converts to the other form: `to_string()` and `to_messages()`.
Not here: prompt templates (`runwire.prompts`), serialization envelopes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from runwire.messages import BaseMessage


class PromptValue:
    """Base of prompt values: the input of any language model, as text or as messages."""

    __slots__ = ()

    _fields: ClassVar[tuple[str, ...]] = ()

    def to_string(self) -> str:
        """The prompt as a string."""
        raise NotImplementedError

    def to_messages(self) -> list[BaseMessage]:
        """The prompt as a list of messages."""
        raise NotImplementedError

    def _repr_args(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._repr_args()})"

    def __str__(self) -> str:
        return " ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._fields)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the pydantic models it mirrors


class StringPromptValue(PromptValue):
    """A prompt that is plain text."""

    __slots__ = ("text",)

    _fields: ClassVar[tuple[str, ...]] = ("text",)
    type: ClassVar[str] = "StringPromptValue"

    def __init__(self, *, text: str) -> None:
        self.text = text

    def to_string(self) -> str:
        """The text."""
        return self.text

    def to_messages(self) -> list[BaseMessage]:
        """The text as one human message."""
        from runwire.messages import HumanMessage

        return [HumanMessage(content=self.text)]


class ChatPromptValue(PromptValue):
    """A prompt that is a list of messages."""

    __slots__ = ("messages",)

    _fields: ClassVar[tuple[str, ...]] = ("messages",)
    type: ClassVar[str] = "ChatPromptValue"

    def __init__(self, *, messages: Sequence[BaseMessage]) -> None:
        self.messages = messages

    def to_string(self) -> str:
        """The messages as a transcript: `Human: ...` / `AI: ...` lines."""
        from runwire.messages import get_buffer_string

        return get_buffer_string(self.messages)

    def to_messages(self) -> list[BaseMessage]:
        """A new list of the messages."""
        return list(self.messages)


class ImagePromptValue(PromptValue):
    """A prompt that is one image reference, `{"url": ..., "detail": ...}`."""

    __slots__ = ("image_url",)

    _fields: ClassVar[tuple[str, ...]] = ("image_url",)
    type: ClassVar[str] = "ImagePromptValue"

    def __init__(self, *, image_url: dict[str, Any]) -> None:
        # langchain-core validates it as its `ImageURL` TypedDict: keys detail, url; no others.
        self.image_url = {key: image_url[key] for key in ("detail", "url") if key in image_url}

    def to_string(self) -> str:
        """The image's url."""
        return str(self.image_url.get("url", ""))

    def to_messages(self) -> list[BaseMessage]:
        """One human message whose content is the image reference, as in langchain-core."""
        from runwire.messages import HumanMessage

        return [HumanMessage(content=[self.image_url])]


class ChatPromptValueConcrete(ChatPromptValue):
    """langchain-core's schema variant of `ChatPromptValue`; the same thing here."""

    __slots__ = ()

    type: ClassVar[str] = "ChatPromptValueConcrete"


__all__ = [
    "ChatPromptValue",
    "ChatPromptValueConcrete",
    "ImagePromptValue",
    "PromptValue",
    "StringPromptValue",
]


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
