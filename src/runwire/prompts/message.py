"""Message prompt templates: one entry of a chat prompt, formatted to message(s).

`HumanMessagePromptTemplate` and friends format a text template (or a list of content-block
templates) into one message of their kind; `MessagesPlaceholder` splices in a list of
messages passed at call time. Each has a fast internal `_extend(values, out)` that a chat
prompt calls per entry; a subclass written the langchain way (overriding `format` or
`format_messages`) gets a generic `_extend` that calls its override instead.
Not here: the chat prompt itself (`chat`), content-block templates for images (`content`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self

from runwire._fields import Fields
from runwire.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    convert_to_messages,
    get_msg_title_repr,
)
from runwire.prompts._fstring import missing_variables_error
from runwire.prompts._record import FACTORY, REQUIRED, Described
from runwire.prompts.base import StringPromptTemplate, colored, honour_overrides
from runwire.prompts.content import ContentTemplate, content_template, format_content
from runwire.prompts.prompt import PromptTemplate

if TYPE_CHECKING:
    from pathlib import Path

    from runwire.prompts.chat import ChatPromptTemplate


class BaseMessagePromptTemplate(Described, Fields):
    """Base of the entries of a chat prompt: formats variables into a list of messages."""

    # A user subclass overriding any of these public methods gets the generic `_extend`.
    _routes: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {
        "_extend": ("_extend_generic", ("format", "format_messages")),
    }

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        honour_overrides(cls, cls._routes)

    @property
    def input_variables(self) -> list[str]:
        """The variables this entry needs."""
        raise NotImplementedError(f"{type(self).__name__} must define `input_variables`")

    def format_messages(self, **kwargs: Any) -> list[BaseMessage]:
        """The messages for these variables."""
        raise NotImplementedError(f"{type(self).__name__} must implement `format_messages`")

    async def aformat_messages(self, **kwargs: Any) -> list[BaseMessage]:
        """`format_messages` (formatting does no I/O, so it runs inline)."""
        return self.format_messages(**kwargs)

    def _extend(self, values: dict[str, Any], out: list[BaseMessage]) -> None:
        """Append this entry's messages for `values` to `out` (the chat prompt's per-call path)."""
        out.extend(self.format_messages(**values))

    _extend_generic = _extend

    def pretty_repr(self, html: bool = False) -> str:
        """A titled, human-readable rendering of the entry."""
        raise NotImplementedError

    def pretty_print(self) -> None:
        """Print `pretty_repr()`, with colours when running interactively."""
        print(self.pretty_repr(html=hasattr(sys, "ps2")))

    def __add__(self, other: Any) -> ChatPromptTemplate:
        """A chat prompt of this entry followed by `other`."""
        from runwire.prompts.chat import ChatPromptTemplate

        combined: ChatPromptTemplate = ChatPromptTemplate(messages=[self]) + other
        return combined


class MessagesPlaceholder(BaseMessagePromptTemplate):
    """Where a list of messages passed at call time goes (e.g. the conversation history)."""

    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("variable_name", REQUIRED),
        ("optional", False),
        ("n_messages", None),
    )

    def __init__(self, variable_name: str, *, optional: bool = False, n_messages: int | None = None) -> None:
        """`optional` placeholders default to no messages; `n_messages` keeps only the last n."""
        if n_messages is not None and n_messages <= 0:
            raise ValueError(f"n_messages must be a positive int or None, got {n_messages!r}.")
        self.variable_name = variable_name
        self.optional = optional
        self.n_messages = n_messages

    @property
    def input_variables(self) -> list[str]:
        """`[variable_name]`, or `[]` when optional."""
        return [] if self.optional else [self.variable_name]

    def _extend(self, values: dict[str, Any], out: list[BaseMessage]) -> None:
        out.extend(self._messages(values))

    def _messages(self, values: dict[str, Any]) -> list[BaseMessage]:
        try:
            value = values[self.variable_name]
        except KeyError:
            if self.optional:
                return []
            error = missing_variables_error(
                "MessagesPlaceholder", [self.variable_name], values, placeholders=[self.variable_name]
            )
            assert error is not None  # the variable was just found missing
            raise error from None
        if not isinstance(value, list):
            raise ValueError(  # noqa: TRY004 - langchain-core's type and opening
                f"variable {self.variable_name} should be a list of base messages, got {value!s:.80} of "
                f"type {type(value)}: MessagesPlaceholder {self.variable_name!r} takes a list of messages, "
                f"got {type(value).__name__}. Pass e.g. [HumanMessage('hi'), ('ai', 'hello')]."
            )
        messages = convert_to_messages(value)
        return messages[-self.n_messages :] if self.n_messages else messages

    def format_messages(self, **kwargs: Any) -> list[BaseMessage]:
        """The messages passed as `variable_name` (converted from tuples, dicts or strs)."""
        return self._messages(kwargs)

    def pretty_repr(self, html: bool = False) -> str:
        """The title and `{variable_name}`."""
        var = f"{{{self.variable_name}}}"
        if html:
            return f"{get_msg_title_repr('Messages Placeholder', bold=True)}\n\n{colored(var)}"
        return f"{get_msg_title_repr('Messages Placeholder')}\n\n{var}"


class BaseStringMessagePromptTemplate(BaseMessagePromptTemplate):
    """An entry that formats a text template into one message."""

    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = (
        ("prompt", REQUIRED),
        ("additional_kwargs", FACTORY),
    )

    def __init__(
        self,
        *,
        prompt: Any,
        additional_kwargs: dict[str, Any] | None = None,
        input_variables: list[str] | None = None,
    ) -> None:
        """`prompt` is a string prompt template; `additional_kwargs` go on every message.
        `input_variables` is accepted and not used, as in langchain-core: the variables are
        always read from the template."""
        self.prompt = prompt
        self.additional_kwargs = dict(additional_kwargs or {})

    @classmethod
    def from_template(
        cls,
        template: str,
        template_format: str = "f-string",
        partial_variables: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Self:
        """An entry from a text template."""
        prompt = PromptTemplate.from_template(
            template, template_format=template_format, partial_variables=partial_variables
        )
        return cls(prompt=prompt, **kwargs)

    @classmethod
    def from_template_file(cls, template_file: str | Path, **kwargs: Any) -> Self:
        """An entry from the template in a text file."""
        return cls(prompt=PromptTemplate.from_file(template_file), **kwargs)

    @property
    def input_variables(self) -> list[str]:
        """The variables of the template."""
        prompt = self.prompt
        if isinstance(prompt, list):
            return [v for part in prompt for v in part.input_variables]
        return list(prompt.input_variables)

    def _message(self, values: dict[str, Any]) -> BaseMessage:
        raise NotImplementedError

    def _extend(self, values: dict[str, Any], out: list[BaseMessage]) -> None:
        out.append(self._message(values))

    def format(self, **kwargs: Any) -> BaseMessage:
        """The message for these variables."""
        return self._message(kwargs)

    async def aformat(self, **kwargs: Any) -> BaseMessage:
        """`format` (formatting does no I/O, so it runs inline)."""
        return self.format(**kwargs)

    def format_messages(self, **kwargs: Any) -> list[BaseMessage]:
        """`[format(**kwargs)]`."""
        return [self.format(**kwargs)]

    def pretty_repr(self, html: bool = False) -> str:
        """A title (e.g. "Human Message") and the template with its variables shown."""
        title = get_msg_title_repr(
            type(self).__name__.replace("MessagePromptTemplate", " Message"), bold=html
        )
        parts = self.prompt if isinstance(self.prompt, list) else [self.prompt]
        return f"{title}\n\n" + "\n\n".join(part.pretty_repr(html=html) for part in parts)


class ChatMessagePromptTemplate(BaseStringMessagePromptTemplate):
    """An entry that formats into a `ChatMessage` with the given role."""

    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = (
        *BaseStringMessagePromptTemplate._repr_fields,
        ("role", REQUIRED),
    )

    def __init__(
        self,
        *,
        prompt: StringPromptTemplate,
        role: str,
        additional_kwargs: dict[str, Any] | None = None,
        input_variables: list[str] | None = None,
    ) -> None:
        """`role` is the speaker the formatted message is attributed to."""
        super().__init__(prompt=prompt, additional_kwargs=additional_kwargs, input_variables=input_variables)
        self.role = role

    def _message(self, values: dict[str, Any]) -> BaseMessage:
        return ChatMessage(
            self.prompt._render(values), role=self.role, additional_kwargs=self.additional_kwargs
        )


class _StringImageMessagePromptTemplate(BaseStringMessagePromptTemplate):
    """An entry whose template is a text template or a list of content-block templates."""

    _msg_class: ClassVar[type[BaseMessage]] = HumanMessage

    @classmethod
    def from_template(  # type: ignore[override]  # langchain-core widens `template` here
        cls,
        template: str | Sequence[str | dict[str, Any]],
        template_format: str = "f-string",
        *,
        partial_variables: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Self:
        """An entry from a text template, or from a list of content blocks: text (a str or
        `{"type": "text", "text": ...}`), `{"type": "image_url", "image_url": ...}` or any dict,
        each with `{name}` fields."""
        if isinstance(template, str):
            prompt: Any = PromptTemplate.from_template(
                template, template_format=template_format, partial_variables=partial_variables
            )
            return cls(prompt=prompt, **kwargs)
        if partial_variables:
            raise ValueError(
                "Partial variables are not supported for list of templates. Pass the values at "
                "call time, or use a single str template."
            )
        if not isinstance(template, Sequence):
            raise ValueError(  # noqa: TRY004 - langchain-core raises ValueError here
                f"invalid message template: {template!r:.80}; expected a str or a list of content blocks."
            )
        return cls(prompt=[content_template(part, template_format) for part in template], **kwargs)

    def _message(self, values: dict[str, Any]) -> BaseMessage:
        prompt = self.prompt
        content: Any = _format_parts(prompt, values) if prompt.__class__ is list else prompt._render(values)
        if self.additional_kwargs:
            return self._msg_class(content, additional_kwargs=self.additional_kwargs)
        return self._msg_class(content)


def _format_parts(parts: list[ContentTemplate], values: dict[str, Any]) -> list[Any]:
    try:
        return format_content(parts, values)
    except KeyError:
        error = missing_variables_error(
            "message template", [v for p in parts for v in p.input_variables], values
        )
        if error is None:
            raise
        raise error from None


class HumanMessagePromptTemplate(_StringImageMessagePromptTemplate):
    """An entry that formats into a `HumanMessage`."""

    _msg_class: ClassVar[type[BaseMessage]] = HumanMessage


class AIMessagePromptTemplate(_StringImageMessagePromptTemplate):
    """An entry that formats into an `AIMessage`."""

    _msg_class: ClassVar[type[BaseMessage]] = AIMessage


class SystemMessagePromptTemplate(_StringImageMessagePromptTemplate):
    """An entry that formats into a `SystemMessage`."""

    _msg_class: ClassVar[type[BaseMessage]] = SystemMessage
