"""Few-shot prompts: examples formatted into a prompt, fixed or chosen per call by a selector.

`FewShotPromptTemplate` joins a prefix, each example formatted with `example_prompt`, and a
suffix, then formats the whole as one template (so prefix and suffix hold the variables);
`FewShotChatMessagePromptTemplate` formats each example into messages, to sit inside a
`ChatPromptTemplate`; `FewShotPromptWithTemplates` takes prompt templates as prefix and
suffix. Same fields, values and errors as `langchain_core.prompts.few_shot`.
Not here: the selectors (`runwire.example_selectors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from runwire.messages import BaseMessage, get_buffer_string
from runwire.prompt_values import ChatPromptValue, PromptValue, StringPromptValue
from runwire.prompts._fstring import missing_variables_error
from runwire.prompts._record import REQUIRED
from runwire.prompts.base import BASE_FIELDS, StringPromptTemplate
from runwire.prompts.chat import BaseChatPromptTemplate
from runwire.prompts.string import DEFAULT_FORMATTER_MAPPING, check_valid_template, get_template_variables

_EXAMPLE_FIELDS: tuple[tuple[str, Any], ...] = (("examples", None), ("example_selector", None))


class _Examples:
    """The examples of a few-shot prompt: a fixed list, or a selector's choice per call."""

    examples: list[dict[str, Any]] | None
    example_selector: Any
    example_prompt: Any

    def _set_examples(self, examples: list[dict[str, Any]] | None, example_selector: Any) -> None:
        if examples and example_selector:
            raise ValueError("Only one of 'examples' and 'example_selector' should be provided")
        if examples is None and example_selector is None:
            raise ValueError("One of 'examples' and 'example_selector' should be provided")
        self.examples = examples
        self.example_selector = example_selector

    def _pick(self, examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each example cut down to the variables of `example_prompt` (KeyError if one lacks one)."""
        names = self.example_prompt.input_variables
        return [{name: example[name] for name in names} for example in examples]

    def _get_examples(self, **kwargs: Any) -> list[dict[str, Any]]:
        if self.examples is not None:
            return self._pick(self.examples)
        return self._pick(self.example_selector.select_examples(kwargs))

    async def _aget_examples(self, **kwargs: Any) -> list[dict[str, Any]]:
        if self.examples is not None:
            return self._pick(self.examples)
        return self._pick(await self.example_selector.aselect_examples(kwargs))

    async def _ainvoke(self, input: Any, config: Any, run: Any, **kwargs: Any) -> Any:
        """`ainvoke` formats with `aformat_prompt`, so a selector's `aselect_examples` is used."""
        prompt: Any = self
        if not isinstance(input, dict):
            input = prompt._coerce_input(input)
        error = missing_variables_error(type(self).__name__, prompt.input_variables, input)
        if error is not None:
            raise error
        return await prompt.aformat_prompt(**input)


class _StringExamples(_Examples, StringPromptTemplate):
    """What the two text few-shot prompts share: joining the pieces, and `aformat_prompt`."""

    example_separator: str
    template_format: str

    def _join(self, prefix: str, examples: list[str], suffix: str, values: dict[str, Any]) -> str:
        """The non-empty pieces joined by `example_separator`, then formatted with `values`."""
        template = self.example_separator.join(piece for piece in (prefix, *examples, suffix) if piece)
        return DEFAULT_FORMATTER_MAPPING[self.template_format](template, **values)

    async def aformat_prompt(self, **kwargs: Any) -> PromptValue:
        """A `StringPromptValue` of `aformat(**kwargs)`."""
        return StringPromptValue(text=await self.aformat(**kwargs))


class FewShotPromptTemplate(_StringExamples):
    """A text prompt of a prefix, formatted examples and a suffix."""

    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = (
        *BASE_FIELDS,
        *_EXAMPLE_FIELDS,
        ("validate_template", False),
        ("example_prompt", REQUIRED),
        ("suffix", REQUIRED),
        ("example_separator", "\n\n"),
        ("prefix", ""),
        ("template_format", "f-string"),
    )

    def __init__(
        self,
        *,
        example_prompt: Any,
        suffix: str,
        examples: list[dict[str, Any]] | None = None,
        example_selector: Any = None,
        example_separator: str = "\n\n",
        prefix: str = "",
        template_format: str = "f-string",
        validate_template: bool = False,
        input_variables: list[str] | None = None,
        partial_variables: Mapping[str, Any] | None = None,
        optional_variables: list[str] | None = None,
        input_types: dict[str, Any] | None = None,
        output_parser: Any = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        """The variables are those of `prefix + suffix` (an explicit list is only checked, and
        only with `validate_template=True`); examples need the variables of `example_prompt`."""
        if template_format not in ("f-string", "jinja2"):
            raise ValueError(
                f"FewShotPromptTemplate supports template_format 'f-string' or 'jinja2', got "
                f"{template_format!r}."
            )
        self._set_examples(examples, example_selector)
        self.example_prompt = example_prompt
        self.suffix = suffix
        self.prefix = prefix
        self.example_separator = example_separator
        self.template_format = template_format
        self.validate_template = validate_template
        partials = dict(partial_variables or {})
        if input_variables is None:
            input_variables = list(example_prompt.input_variables)
        if validate_template:
            check_valid_template(prefix + suffix, template_format, [*input_variables, *partials])
        else:
            input_variables = [
                v for v in get_template_variables(prefix + suffix, template_format) if v not in partials
            ]
        self._init_fields(
            input_variables=input_variables,
            optional_variables=optional_variables,
            input_types=input_types,
            partial_variables=partials,
            output_parser=output_parser,
            metadata=metadata,
            tags=tags,
            name=name,
        )

    def format(self, **kwargs: Any) -> str:
        """The prefix, the examples and the suffix, joined, with the variables filled in."""
        values = self._with_partials(kwargs)
        examples = self._get_examples(**values)
        formatted = [self.example_prompt.format(**e) for e in examples]
        return self._join(self.prefix, formatted, self.suffix, values)

    async def aformat(self, **kwargs: Any) -> str:
        """`format`, asking the selector with `aselect_examples`."""
        values = self._with_partials(kwargs)
        examples = await self._aget_examples(**values)
        formatted = [await self.example_prompt.aformat(**e) for e in examples]
        return self._join(self.prefix, formatted, self.suffix, values)

    @property
    def _prompt_type(self) -> str:
        return "few_shot"


class FewShotPromptWithTemplates(_StringExamples):
    """A text prompt whose prefix and suffix are prompt templates, around formatted examples."""

    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = (
        *BASE_FIELDS,
        *_EXAMPLE_FIELDS,
        ("example_prompt", REQUIRED),
        ("suffix", REQUIRED),
        ("example_separator", "\n\n"),
        ("prefix", None),
        ("template_format", "f-string"),
        ("validate_template", False),
    )

    def __init__(
        self,
        *,
        example_prompt: Any,
        suffix: StringPromptTemplate,
        input_variables: list[str] | None = None,
        examples: list[dict[str, Any]] | None = None,
        example_selector: Any = None,
        example_separator: str = "\n\n",
        prefix: StringPromptTemplate | None = None,
        template_format: str = "f-string",
        validate_template: bool = False,
        partial_variables: Mapping[str, Any] | None = None,
        optional_variables: list[str] | None = None,
        input_types: dict[str, Any] | None = None,
        output_parser: Any = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        """The variables are the prefix's and suffix's (langchain-core requires
        `input_variables`; here it is only checked, with `validate_template=True`)."""
        self._set_examples(examples, example_selector)
        self.example_prompt = example_prompt
        self.suffix = suffix
        self.prefix = prefix
        self.example_separator = example_separator
        self.template_format = template_format
        self.validate_template = validate_template
        partials = dict(partial_variables or {})
        expected = set(suffix.input_variables) | set(prefix.input_variables if prefix else [])
        if validate_template:
            given = list(input_variables or [])
            if (expected | partials.keys()) - set(given):
                raise ValueError(
                    f"Got input_variables={given}, but based on prefix/suffix expected "
                    f"{expected | partials.keys()}"
                )
        else:
            given = sorted(expected - partials.keys())
        self._init_fields(
            input_variables=given,
            optional_variables=optional_variables,
            input_types=input_types,
            partial_variables=partials,
            output_parser=output_parser,
            metadata=metadata,
            tags=tags,
            name=name,
        )

    def _parts(self, values: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        """(prefix text, suffix text, the values neither used), as langchain-core splits them."""
        rest = dict(values)
        prefix = ""
        if self.prefix is not None:
            mine = {k: rest.pop(k) for k in list(rest) if k in self.prefix.input_variables}
            prefix = self.prefix.format(**mine)
        mine = {k: rest.pop(k) for k in list(rest) if k in self.suffix.input_variables}
        return prefix, self.suffix.format(**mine), rest

    def format(self, **kwargs: Any) -> str:
        """The prefix, the examples and the suffix, each formatted, joined."""
        values = self._with_partials(kwargs)
        examples = self._raw_examples(values)
        prefix, suffix, rest = self._parts(values)
        return self._join(prefix, [self.example_prompt.format(**e) for e in examples], suffix, rest)

    async def aformat(self, **kwargs: Any) -> str:
        """`format`, asking the selector with `aselect_examples`."""
        values = self._with_partials(kwargs)
        if self.examples is not None:
            examples = self.examples
        else:
            examples = await self.example_selector.aselect_examples(values)
        prefix, suffix, rest = self._parts(values)
        return self._join(prefix, [self.example_prompt.format(**e) for e in examples], suffix, rest)

    def _raw_examples(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """The examples as given (each is formatted with all its keys, as in langchain-core)."""
        if self.examples is not None:
            return self.examples
        selected: list[dict[str, Any]] = self.example_selector.select_examples(values)
        return selected

    @property
    def _prompt_type(self) -> str:
        return "few_shot_with_templates"


class FewShotChatMessagePromptTemplate(_Examples, BaseChatPromptTemplate):
    """Examples formatted into chat messages; put it inside a `ChatPromptTemplate`."""

    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = (
        *_EXAMPLE_FIELDS,
        *BASE_FIELDS,
        ("example_prompt", REQUIRED),
    )

    def __init__(
        self,
        *,
        example_prompt: Any,
        examples: list[dict[str, Any]] | None = None,
        example_selector: Any = None,
        input_variables: list[str] | None = None,
        partial_variables: Mapping[str, Any] | None = None,
        optional_variables: list[str] | None = None,
        input_types: dict[str, Any] | None = None,
        output_parser: Any = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        """`input_variables` are the variables handed to `example_selector` (none by default)."""
        self._set_examples(examples, example_selector)
        self.example_prompt = example_prompt
        self._init_fields(
            input_variables=list(input_variables or []),
            optional_variables=optional_variables,
            input_types=input_types,
            partial_variables=partial_variables,
            output_parser=output_parser,
            metadata=metadata,
            tags=tags,
            name=name,
        )

    def format_messages(self, **kwargs: Any) -> list[BaseMessage]:
        """The messages of every example, in order."""
        examples = self._get_examples(**kwargs)
        return [message for example in examples for message in self.example_prompt.format_messages(**example)]

    async def aformat_messages(self, **kwargs: Any) -> list[BaseMessage]:
        """`format_messages`, asking the selector with `aselect_examples`."""
        examples = await self._aget_examples(**kwargs)
        return [
            message
            for example in examples
            for message in await self.example_prompt.aformat_messages(**example)
        ]

    async def aformat_prompt(self, **kwargs: Any) -> PromptValue:
        """A `ChatPromptValue` of `aformat_messages(**kwargs)`."""
        return ChatPromptValue(messages=await self.aformat_messages(**kwargs))

    def format(self, **kwargs: Any) -> str:
        """The example messages as a transcript (`Human: ...`)."""
        return get_buffer_string(self.format_messages(**kwargs))

    def pretty_repr(self, html: bool = False) -> str:
        raise NotImplementedError


__all__ = ["FewShotChatMessagePromptTemplate", "FewShotPromptTemplate", "FewShotPromptWithTemplates"]
