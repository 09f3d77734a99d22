"""ChatPromptTemplate: a list of message templates, formatted to a list of messages.

Entries are built once from whatever `from_messages` accepts (role tuples, strs, role dicts,
messages, message templates, placeholders, nested chat prompts); a call walks the entries
and appends each one's messages. Missing variables are reported against the whole prompt.
Not here: the entries themselves (`message`), text prompts (`prompt`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, cast, overload

from runwire.messages import AnyMessage, BaseMessage
from runwire.prompt_values import ChatPromptValue, PromptValue
from runwire.prompts._fstring import missing_variables_error
from runwire.prompts._record import REQUIRED
from runwire.prompts.base import BASE_FIELDS, BasePromptTemplate
from runwire.prompts.message import (
    AIMessagePromptTemplate,
    BaseMessagePromptTemplate,
    HumanMessagePromptTemplate,
    MessagesPlaceholder,
    SystemMessagePromptTemplate,
)
from runwire.prompts.prompt import PromptTemplate

_new = object.__new__


class BaseChatPromptTemplate(BasePromptTemplate[str]):
    """A prompt that formats to a list of messages; invoking it gives a `ChatPromptValue`."""

    _routes: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {
        **BasePromptTemplate._routes,
        "_messages": ("_messages_generic", ("format_messages",)),
    }

    def _messages(self, values: dict[str, Any]) -> list[BaseMessage]:
        """The messages for `values` (this prompt's partials not yet merged in)."""
        return self.format_messages(**values)

    _messages_generic = _messages

    def _extend(self, values: dict[str, Any], out: list[BaseMessage]) -> None:
        """Append the messages to `out`: a chat prompt nested in another is one entry of it."""
        out.extend(self._messages(values))

    def format_messages(self, **kwargs: Any) -> list[BaseMessage]:
        """The messages for these variables."""
        raise NotImplementedError(f"{type(self).__name__} must implement `format_messages`")

    async def aformat_messages(self, **kwargs: Any) -> list[BaseMessage]:
        """`format_messages` (formatting does no I/O, so it runs inline)."""
        return self.format_messages(**kwargs)

    def format_prompt(self, **kwargs: Any) -> PromptValue:
        """A `ChatPromptValue` of `format_messages(**kwargs)`."""
        return ChatPromptValue(messages=self.format_messages(**kwargs))

    def format(self, **kwargs: Any) -> str:
        """The messages as a transcript (`Human: ...`)."""
        return self.format_prompt(**kwargs).to_string()


MessageLike = BaseMessagePromptTemplate | BaseMessage | BaseChatPromptTemplate


class ChatPromptTemplate(BaseChatPromptTemplate):
    """A prompt for chat models: `ChatPromptTemplate.from_messages([("system", ...), ("human", "{q}")])`."""

    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = (
        *BASE_FIELDS,
        ("messages", REQUIRED),
        ("validate_template", False),
    )

    def __init__(
        self,
        messages: Sequence[Any],
        *,
        template_format: str = "f-string",
        input_variables: list[str] | None = None,
        partial_variables: Mapping[str, Any] | None = None,
        validate_template: bool = False,
        optional_variables: list[str] | None = None,
        input_types: dict[str, Any] | None = None,
        output_parser: Any = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        """Input variables are read from the entries (an explicit list is only checked, and
        only with `validate_template=True`); optional placeholders default to no messages."""
        self.messages: list[MessageLike] = [_coerce_entry(m, template_format) for m in messages]
        self._check_inputs = any(_renders_missing(entry) for entry in self.messages)
        self.validate_template = validate_template
        partials = dict(partial_variables or {})
        types = dict(input_types or {})
        needed, optional = _variables_of(self.messages, partials, types)
        if validate_template and input_variables is not None and set(input_variables) != set(needed):
            raise ValueError(
                f"input_variables {sorted(input_variables)} do not match the variables the messages "
                f"use, {needed}. Pass input_variables={needed} or leave it out."
            )
        self._init_fields(
            input_variables=needed,
            optional_variables=optional or optional_variables,
            input_types=types,
            partial_variables=partials,
            output_parser=output_parser,
            metadata=metadata,
            tags=tags,
            name=name,
        )

    @property
    def _prompt_type(self) -> str:
        return "chat"

    # -- formatting --------------------------------------------------------------------------------

    def _format_value(
        self, input: Any, config: Any = None, run: Any = None, **kwargs: Any
    ) -> ChatPromptValue:
        given = input if isinstance(input, dict) else self._coerce_input(input)
        if self._check_inputs:  # some entry renders a missing variable as "" instead of a KeyError
            error = self._missing_error(given)
            if error is not None:
                raise error
        values = self._with_partials(given) if self.partial_variables else given
        out: list[BaseMessage] = []
        try:
            for entry in self.messages:
                if isinstance(entry, BaseMessage):
                    out.append(entry)
                else:
                    entry._extend(values, out)
        except KeyError:
            error = self._missing_error(given)
            if error is None:
                raise
            raise error from None
        value = _new(ChatPromptValue)  # the constructor's keyword handling, skipped: hot path
        value.messages = out
        return value

    def _missing_error(self, given: dict[str, Any]) -> KeyError | None:
        """The whole prompt's missing variables (an entry's KeyError only names its own), or
        None when nothing is missing and the KeyError came from elsewhere."""
        placeholders = [e.variable_name for e in self.messages if isinstance(e, MessagesPlaceholder)]
        name = type(self).__name__
        return missing_variables_error(name, self.input_variables, given, placeholders=placeholders)

    _invoke = _format_value

    def _messages(self, values: dict[str, Any]) -> list[BaseMessage]:
        return cast("list[BaseMessage]", self._format_value(values).messages)

    def format_messages(self, **kwargs: Any) -> list[BaseMessage]:
        """The messages for these variables (and the partial variables)."""
        return cast("list[BaseMessage]", self._format_value(kwargs).messages)

    def partial(self, **kwargs: Any) -> ChatPromptTemplate:
        """A copy with some variables fixed (values, or callables called at each format)."""
        return type(self)(
            self.messages,
            partial_variables={**self.partial_variables, **kwargs},
            validate_template=self.validate_template,
            optional_variables=self.optional_variables,
            input_types=self.input_types,
            output_parser=self.output_parser,
            metadata=self.metadata,
            tags=self.tags,
            name=self.name,
        )

    # -- building ----------------------------------------------------------------------------------

    @classmethod
    def from_template(cls, template: str, **kwargs: Any) -> ChatPromptTemplate:
        """A chat prompt of one human message formatted from `template`."""
        return cls([HumanMessagePromptTemplate(prompt=PromptTemplate.from_template(template, **kwargs))])

    @classmethod
    def from_messages(cls, messages: Sequence[Any], template_format: str = "f-string") -> ChatPromptTemplate:
        """A chat prompt from message-likes: `("system"|"human"|"ai"|"placeholder", template)`
        tuples, strs (human), `{"role": ..., "content": ...}` dicts, messages, message
        templates, `MessagesPlaceholder`s and other chat prompts."""
        return cls(messages, template_format=template_format)

    def __add__(self, other: Any) -> ChatPromptTemplate:
        """This prompt's entries followed by `other`'s (a chat prompt, entry, message, list or str)."""
        partials = {**self.partial_variables, **(getattr(other, "partial_variables", None) or {})}
        if isinstance(other, ChatPromptTemplate):
            entries: list[Any] = [*self.messages, *other.messages]
        elif isinstance(other, BaseMessagePromptTemplate | BaseMessage | BaseChatPromptTemplate):
            entries = [*self.messages, other]
        elif isinstance(other, list | tuple):
            entries = [*self.messages, *ChatPromptTemplate.from_messages(other).messages]
        elif isinstance(other, str):
            entries = [*self.messages, HumanMessagePromptTemplate.from_template(other)]
        else:
            raise NotImplementedError(
                f"cannot add {type(other).__name__} to a ChatPromptTemplate: add a chat prompt, a message, "
                "a message template, a list of those, or a str."
            )
        return ChatPromptTemplate(entries).partial(**partials)

    def append(self, message: Any) -> None:
        """Add an entry at the end (and its variables to `input_variables`)."""
        self.extend([message])

    def extend(self, messages: Sequence[Any]) -> None:
        """Add entries at the end (and their variables to `input_variables`)."""
        self.messages.extend(_coerce_entry(m) for m in messages)
        self._check_inputs = any(_renders_missing(entry) for entry in self.messages)
        self.input_variables, optional = _variables_of(
            self.messages, self.partial_variables, self.input_types
        )
        self.optional_variables = optional

    @overload
    def __getitem__(self, index: int) -> MessageLike: ...

    @overload
    def __getitem__(self, index: slice) -> ChatPromptTemplate: ...

    def __getitem__(self, index: int | slice) -> MessageLike | ChatPromptTemplate:
        """An entry, or a chat prompt of a slice of the entries."""
        if isinstance(index, slice):
            return ChatPromptTemplate.from_messages(self.messages[index])
        return self.messages[index]

    def __len__(self) -> int:
        return len(self.messages)

    def pretty_repr(self, html: bool = False) -> str:
        """Each entry's `pretty_repr`, separated by blank lines."""
        return "\n\n".join(entry.pretty_repr(html=html) for entry in self.messages)


def _variables_of(
    entries: list[MessageLike], partials: dict[str, Any], input_types: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """(required, optional) variables of the entries. Optional placeholders are added to
    `partials` as `[]` and placeholders to `input_types`, as langchain-core does."""
    needed: set[str] = set()
    optional: set[str] = set()
    for entry in entries:
        if isinstance(entry, BaseMessage):
            continue
        needed.update(entry.input_variables)
        if isinstance(entry, MessagesPlaceholder):
            if entry.optional and entry.variable_name not in partials:
                partials[entry.variable_name] = []
                optional.add(entry.variable_name)
            input_types.setdefault(entry.variable_name, list[AnyMessage])
    return sorted(needed - partials.keys() - optional), sorted(optional)


def _renders_missing(entry: MessageLike) -> bool:
    """Whether the entry renders a missing variable silently (mustache, jinja2, few-shot
    prompts), so the chat prompt must check its inputs before formatting."""
    if isinstance(entry, BaseMessage | MessagesPlaceholder):
        return False
    if isinstance(entry, BaseChatPromptTemplate):
        return not isinstance(entry, ChatPromptTemplate) or entry._check_inputs
    prompt = getattr(entry, "prompt", None)
    parts = prompt if isinstance(prompt, list) else [prompt]
    return any(getattr(part, "template_format", "f-string") != "f-string" for part in parts)


_ROLES = "'human', 'user', 'ai', 'assistant', 'system' or 'placeholder'"


def _coerce_entry(message: Any, template_format: str = "f-string") -> MessageLike:
    """A chat prompt entry from a message-like (see `ChatPromptTemplate.from_messages`)."""
    if isinstance(message, BaseMessagePromptTemplate | BaseChatPromptTemplate | BaseMessage):
        return message
    if isinstance(message, str):
        return HumanMessagePromptTemplate.from_template(message, template_format=template_format)
    if isinstance(message, dict):
        if message.keys() != {"role", "content"}:
            raise ValueError(
                f"a message dict in a chat prompt needs exactly the keys 'role' and 'content', got "
                f"{sorted(message)}: {message!r:.100}."
            )
        role, template = message["role"], message["content"]
    elif isinstance(message, tuple):
        if len(message) != 2:
            raise ValueError(
                f"expected a 2-tuple (role, template), got {len(message)} items: {message!r:.100}."
            )
        role, template = message
    else:
        raise NotImplementedError(
            f"unsupported chat prompt entry {type(message).__name__}: {message!r:.80}. Use a "
            "(role, template) tuple, a str, a message, a message template or MessagesPlaceholder."
        )
    if isinstance(role, type) and issubclass(role, BaseMessage):
        role = getattr(role, "type", role)  # a message class stands for its type: HumanMessage -> "human"
    if isinstance(role, str):
        return _entry_for_role(role, template, template_format)
    if isinstance(role, type) and issubclass(role, BaseMessagePromptTemplate):
        return role(prompt=PromptTemplate.from_template(template, template_format=template_format))
    raise ValueError(
        f"invalid message role {role!r:.80}: use one of {_ROLES}, a message class or a template class."
    )


def _entry_for_role(role: str, template: Any, template_format: str) -> MessageLike:
    if role in {"human", "user"}:
        return HumanMessagePromptTemplate.from_template(template, template_format=template_format)
    if role in {"ai", "assistant"}:
        return AIMessagePromptTemplate.from_template(template, template_format=template_format)
    if role == "system":
        return SystemMessagePromptTemplate.from_template(template, template_format=template_format)
    if role == "placeholder":
        return _placeholder(template)
    raise ValueError(f"unexpected message type {role!r}: use one of {_ROLES}.")


def _placeholder(template: Any) -> MessagesPlaceholder:
    """`("placeholder", "{name}")` (optional) or `("placeholder", ("{name}", is_optional))`."""
    optional = True
    if not isinstance(template, str):
        try:
            template, optional = template
        except (TypeError, ValueError):
            raise ValueError(
                f"a placeholder is '{{name}}' or ('{{name}}', is_optional), got {template!r:.80}."
            ) from None
        if not isinstance(optional, bool):
            raise ValueError(f"a placeholder's is_optional must be a bool, got {optional!r:.40}.")  # noqa: TRY004
    if not isinstance(template, str) or len(template) < 3 or template[0] != "{" or template[-1] != "}":
        raise ValueError(
            f"invalid placeholder {template!r:.80}: expected a variable name in braces, e.g. '{{history}}'."
        )
    return MessagesPlaceholder(variable_name=template[1:-1], optional=optional)
