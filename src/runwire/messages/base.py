"""The message base classes: content, metadata, repr, `.text`, and chunk concatenation.

Messages are slotted classes rather than pydantic models, so `HumanMessage("hi")` is a
few attribute stores. The empty `additional_kwargs` / `response_metadata` dicts are only
created when first read: most messages never touch them. Not here: provider-specific
content translation, serialization envelopes (`to_json`), prompt templates.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, ClassVar

from runwire.messages._merge import merge_dicts, merge_lists
from runwire.messages._record import FACTORY, REQUIRED, FieldSpec, Record, ValidationError

if TYPE_CHECKING:
    from collections.abc import Sequence

Content = str | list[str | dict[Any, Any]]

KNOWN_BLOCK_TYPES = frozenset(
    {
        "text",
        "reasoning",
        "refusal",
        "tool_call",
        "invalid_tool_call",
        "tool_call_chunk",
        "image",
        "audio",
        "file",
        "text-plain",
        "video",
        "server_tool_call",
        "server_tool_call_chunk",
        "server_tool_result",
        "non_standard",
    }
)
"""Standard content block types of langchain-core 1.x; other `type`s are provider-specific."""


def message_fields(
    type_default: Any, *extra: FieldSpec, name_default: Any = None, hide_metadata: bool = False
) -> tuple[FieldSpec, ...]:
    """The field table shared by every message class, in langchain-core's order."""
    return (
        ("content", REQUIRED, True),
        ("additional_kwargs", FACTORY, not hide_metadata),
        ("response_metadata", FACTORY, not hide_metadata),
        ("type", type_default, True),
        ("name", name_default, True),
        ("id", None, True),
        *extra,
    )


def coerce_content(content: object, owner: object) -> Content:
    """Check content is a str or a list of str/dict blocks; copy lists (and their dicts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, (list, tuple)):
        blocks: list[str | dict[Any, Any]] = []
        for position, block in enumerate(content):
            if isinstance(block, str):
                blocks.append(block)
            elif isinstance(block, dict):
                blocks.append(dict(block))
            else:
                raise ValidationError(
                    f"{type(owner).__name__} content[{position}] is a {type(block).__name__} "
                    f"({block!r:.60}); content blocks must be str or dict, "
                    "e.g. {'type': 'text', 'text': '...'}."
                )
        return blocks
    raise ValidationError(
        f"{type(owner).__name__} content must be a str or a list of str/dict content blocks, "
        f"got {type(content).__name__} ({content!r:.60})."
    )


def coerce_id(value: object, owner: object) -> str:
    """Message ids are strings; numbers are accepted and turned into strings, as in langchain."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValidationError(
        f"{type(owner).__name__} id must be a str (or a number), got {type(value).__name__}."
    )


def own_dict(value: object, field: str, owner: object) -> dict[Any, Any] | None:
    """A private copy of a dict argument, or None (read as `{}`) when it is empty."""
    if not value:
        return None
    if not isinstance(value, dict):
        raise ValidationError(f"{type(owner).__name__} {field} must be a dict, got {type(value).__name__}.")
    return dict(value)


def get_bolded_text(text: str) -> str:
    """`text` between the ANSI escape codes for bold."""
    return f"\033[1m{text}\033[0m"


def get_msg_title_repr(title: str, *, bold: bool = False) -> str:
    """`title` centred in an 80-character rule of `=`, as `pretty_repr` prints it."""
    padded = f" {title} "
    side = "=" * ((80 - len(padded)) // 2)
    right = side + "=" if len(padded) % 2 else side
    return f"{side}{get_bolded_text(padded) if bold else padded}{right}"


class TextAccessor(str):
    """The text of a message: a str that can still be called, as in langchain < 1.0."""

    __slots__ = ()

    def __call__(self) -> str:
        """Deprecated method form of `.text`; use the property."""
        import warnings

        warnings.warn(
            "Calling .text() as a method is deprecated since 1.0.0 and will be removed in 2.0.0. "
            "Use .text as a property instead (e.g., message.text).",
            DeprecationWarning,
            stacklevel=2,
        )
        return str(self)


def text_of(content: Content) -> str:
    """String content, or the concatenated str and `text` blocks of list content."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif block.get("type") == "text" and isinstance(text := block.get("text"), str):
            parts.append(text)
    return "".join(parts)


class BaseMessage(Record):
    """A message: the input and output of chat models. Use a concrete subclass."""

    __slots__ = ("_additional_kwargs", "_extra", "_response_metadata", "content", "id", "name", "type")

    content: Content
    type: str
    name: str | None
    id: str | None
    _additional_kwargs: dict[Any, Any] | None
    _response_metadata: dict[Any, Any] | None
    _extra: dict[str, Any] | None

    _fields: ClassVar[tuple[FieldSpec, ...]] = message_fields(REQUIRED)

    def __init__(
        self,
        content: Content | None = None,
        content_blocks: list[Any] | None = None,
        *,
        additional_kwargs: dict[Any, Any] | None = None,
        response_metadata: dict[Any, Any] | None = None,
        type: str | None = None,
        name: str | None = None,
        id: str | None = None,
        **extra: Any,
    ) -> None:
        """Content comes positionally or as `content_blocks`; other fields by keyword."""
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

    @property
    def additional_kwargs(self) -> dict[Any, Any]:
        """Provider payload that has no standard field (e.g. raw tool calls)."""
        value = self._additional_kwargs
        if value is None:
            value = self._additional_kwargs = {}
        return value

    @additional_kwargs.setter
    def additional_kwargs(self, value: dict[Any, Any]) -> None:
        self._additional_kwargs = value

    @property
    def response_metadata(self) -> dict[Any, Any]:
        """Response headers, logprobs, model name and the like."""
        value = self._response_metadata
        if value is None:
            value = self._response_metadata = {}
        return value

    @response_metadata.setter
    def response_metadata(self, value: dict[Any, Any]) -> None:
        self._response_metadata = value

    def _extras(self) -> dict[str, Any] | None:
        return self._extra

    def _set_extra(self, name: str, value: Any) -> None:
        self._extra = {**(self._extra or {}), name: value}  # copies may share the old dict

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: extra keyword arguments read as attributes.
        extra = None if name == "_extra" else self._extra
        if extra is not None and name in extra:
            return extra[name]
        try:
            getattr(type(self), name)  # a langchain-core method runwire lacks raises its explaining error
        except AttributeError as error:
            if type(error).__name__ == "NotInRunwireYetError":
                raise
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def text(self) -> TextAccessor:
        """The text of the message: str content, or the text blocks of list content joined."""
        return TextAccessor(text_of(self.content))

    @property
    def content_blocks(self) -> list[dict[str, Any]]:
        """Content as standard blocks: strings become text blocks, unknown dicts non_standard.

        Provider-specific formats (OpenAI image_url, Anthropic, ...) are not translated.
        """
        content = [self.content] if isinstance(self.content, str) and self.content else self.content
        blocks: list[dict[str, Any]] = []
        for item in content:
            if isinstance(item, str):
                blocks.append({"type": "text", "text": item})
            elif item.get("type") in KNOWN_BLOCK_TYPES and "source_type" not in item:
                blocks.append(item)
            else:
                blocks.append({"type": "non_standard", "value": item})
        return blocks

    def __add__(self, other: Any) -> Any:
        """A message plus messages is a chat prompt template holding all of them."""
        import importlib

        prompts = importlib.import_module("runwire.prompts")
        return prompts.ChatPromptTemplate(messages=[self]) + other

    def pretty_repr(self, html: bool = False) -> str:
        """A titled, human-readable rendering of the message."""
        title = get_msg_title_repr(self.type.title() + " Message", bold=html)
        if self.name is not None:
            title += f"\nName: {self.name}"
        return f"{title}\n\n{self.content}"

    def pretty_print(self) -> None:
        """Print `pretty_repr()`, in bold when running interactively."""
        print(self.pretty_repr(html=hasattr(sys, "ps2")))


def init_message(  # noqa: PLR0917  # positional: called for every message
    message: BaseMessage,
    content: Any,
    additional_kwargs: Any,
    response_metadata: Any,
    type_: Any,
    name: Any,
    id_: Any,
    extra: dict[str, Any],
) -> None:
    """Check and store the fields every message has (positional: this is the hot path)."""
    message.content = content if content.__class__ is str else coerce_content(content, message)
    message._additional_kwargs = own_dict(additional_kwargs, "additional_kwargs", message)
    message._response_metadata = own_dict(response_metadata, "response_metadata", message)
    if name is not None and not isinstance(name, str):
        raise ValidationError(
            f"{type(message).__name__} name must be a str or None, got {type(name).__name__}."
        )
    message.name = name
    message.id = id_ if id_ is None or id_.__class__ is str else coerce_id(id_, message)
    message._extra = extra or None
    if type_ is not None or message.__class__ in _ABSTRACT:
        _init_type(message, type_)


def _init_type(message: BaseMessage, type_: Any) -> None:
    fixed = getattr(type(message), "type", None)
    if isinstance(fixed, str):
        if type_ != fixed:
            raise ValidationError(f"{type(message).__name__} has type {fixed!r}, got type={type_!r}.")
    elif isinstance(type_, str):
        object.__setattr__(message, "type", type_)
    else:
        raise ValidationError(
            f"{type(message).__name__} needs type= (a str); or use a concrete message class such as "
            "HumanMessage, AIMessage, SystemMessage or ChatMessage(role=...)."
        )


def merge_content(first_content: Content, *contents: Content) -> Content:
    """Concatenate message contents: strings join, lists merge blocks by `index`."""
    merged: Content = "" if first_content is None else first_content
    if isinstance(merged, list):
        merged = merged.copy()  # appended to below; the first message must not change
    for content in contents:
        if isinstance(merged, str):
            merged = merged + content if isinstance(content, str) else [merged, *content]
        elif isinstance(content, list):
            merged = merge_lists(merged, content) or []
        elif merged and isinstance(merged[-1], str):
            merged[-1] += content
        elif content == "":
            pass
        elif merged:
            merged.append(content)
    return merged


class BaseMessageChunk(BaseMessage):
    """A message piece, as streamed; chunks concatenate with `+`."""

    __slots__ = ()

    def __add__(self, other: Any) -> BaseMessageChunk:
        """Concatenate content and merge metadata (name is not carried, as in langchain)."""
        if isinstance(other, BaseMessageChunk):
            return self.__class__(
                id=self.id,
                type=self.type,
                content=merge_content(self.content, other.content),
                additional_kwargs=merge_dicts(self.additional_kwargs, other.additional_kwargs),
                response_metadata=merge_dicts(self.response_metadata, other.response_metadata),
            )
        if isinstance(other, list) and all(isinstance(o, BaseMessageChunk) for o in other):
            return self.__class__(
                id=self.id,
                content=merge_content(self.content, *(o.content for o in other)),
                additional_kwargs=merge_dicts(self.additional_kwargs, *(o.additional_kwargs for o in other)),
                response_metadata=merge_dicts(self.response_metadata, *(o.response_metadata for o in other)),
            )
        raise TypeError(
            f'unsupported operand type(s) for +: "{type(self).__name__}" and "{type(other).__name__}": '
            "a message chunk adds only to another chunk or a list of chunks."
        )


_ABSTRACT = frozenset({BaseMessage, BaseMessageChunk})


def message_to_dict(message: BaseMessage) -> dict[str, Any]:
    """`{"type": message.type, "data": message.model_dump()}`."""
    return {"type": message.type, "data": message.model_dump()}


def messages_to_dict(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """`message_to_dict` for each message."""
    return [message_to_dict(m) for m in messages]


from runwire._not_yet import install_methods as _install_methods  # noqa: E402 - needs the class

_install_methods(BaseMessage, "BaseMessage")  # langchain-core methods not here yet explain so
