"""PromptTemplate: a text template with variables, formatted to a string.

The template is parsed and checked once, when the prompt is built: f-strings (`{name}`, see
`_fstring`), mustache (`{{name}}`, see `_mustache`) or jinja2 (sandboxed, the `jinja2` extra),
as `string.compile_renderer` gives them. Formatting an f-string is then one `str.format_map`
call, plus a merge when partial variables are set.
Not here: chat prompts (`chat`), message templates (`message`), few-shot prompts (`few_shot`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from runwire.prompt_values import StringPromptValue
from runwire.prompts._fstring import missing_variables_error
from runwire.prompts._record import REQUIRED
from runwire.prompts.base import BASE_FIELDS, StringPromptTemplate
from runwire.prompts.string import check_valid_template, compile_renderer, get_template_variables

if TYPE_CHECKING:
    from pathlib import Path

_new = object.__new__


class PromptTemplate(StringPromptTemplate):
    """A prompt from a text template: `PromptTemplate.from_template("Say {word}")`."""

    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = (
        *BASE_FIELDS,
        ("template", REQUIRED),
        ("template_format", "f-string"),
        ("validate_template", False),
    )

    def __init__(
        self,
        *,
        template: str,
        input_variables: list[str] | None = None,
        partial_variables: Mapping[str, Any] | None = None,
        template_format: str = "f-string",
        validate_template: bool = False,
        optional_variables: list[str] | None = None,
        input_types: dict[str, Any] | None = None,
        output_parser: Any = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        """Input variables are read from the template (an explicit list is only checked,
        and only with `validate_template=True`), as in langchain-core."""
        partials = dict(partial_variables or {})
        if validate_template:
            if template_format == "mustache":
                raise ValueError("Mustache templates cannot be validated.")
            if input_variables is None:
                raise ValueError("Input variables must be provided to validate the template.")
            check_valid_template(template, template_format, [*input_variables, *partials])
        self.template_format = template_format
        variables = self._set_template(template)
        self.validate_template = validate_template
        self._init_fields(
            input_variables=[v for v in variables if v not in partials],
            optional_variables=optional_variables,
            input_types=input_types,
            partial_variables=partials,
            output_parser=output_parser,
            metadata=metadata,
            tags=tags,
            name=name,
        )

    def _set_template(self, template: str) -> list[str]:
        """Check and compile `template` in this prompt's format; its variables."""
        variables, render = compile_renderer(template, self.template_format)
        self._template = template
        self._variables = variables
        # f-strings: template.format_map, safe because only plain named fields passed the check.
        self._format_map = render
        # Other formats render a missing variable as "", so calls check for them first.
        self._check_inputs = self.template_format != "f-string"
        return variables

    @property
    def template(self) -> str:
        """The template text; assigning a new one re-parses it."""
        return self._template

    @template.setter
    def template(self, template: str) -> None:
        variables = self._set_template(template)
        self.input_variables = [v for v in variables if v not in self.partial_variables]

    # -- formatting --------------------------------------------------------------------------------

    def _format_text(self, values: dict[str, Any]) -> str:
        try:
            return self._format_map(self._with_partials(values) if self.partial_variables else values)
        except KeyError:
            error = missing_variables_error(type(self).__name__, self.input_variables, values)
            if error is None:
                raise  # a KeyError from inside a value's __format__, not a missing variable
            raise error from None

    _render = _format_text

    def _format_value(
        self, input: Any, config: Any = None, run: Any = None, **kwargs: Any
    ) -> StringPromptValue:
        if not isinstance(input, dict):
            input = self._coerce_input(input)
        if self._check_inputs:
            error = missing_variables_error(type(self).__name__, self.input_variables, input)
            if error is not None:
                raise error
        value = _new(StringPromptValue)  # the constructor's keyword handling, skipped: hot path
        value.text = self._format_text(input)
        return value

    _invoke = _format_value

    @property
    def _prompt_type(self) -> str:
        return "prompt"

    def format(self, **kwargs: Any) -> str:
        """The template with the variables (and partial variables) filled in."""
        return self._format_text(kwargs)

    def partial(self, **kwargs: Any) -> PromptTemplate:
        """A copy with some variables fixed (values, or callables called at each format)."""
        return type(self)(
            template=self._template,
            input_variables=[v for v in self.input_variables if v not in kwargs],
            partial_variables={**self.partial_variables, **kwargs},
            template_format=self.template_format,
            validate_template=self.validate_template,
            optional_variables=self.optional_variables,
            input_types=self.input_types,
            output_parser=self.output_parser,
            metadata=self.metadata,
            tags=self.tags,
            name=self.name,
        )

    def __add__(self, other: Any) -> PromptTemplate:
        """Concatenate templates (or a template and a str, read in this template's format);
        partial variables are combined, as in langchain-core."""
        if isinstance(other, str):
            other = PromptTemplate.from_template(other, template_format=self.template_format)
        if not isinstance(other, PromptTemplate):
            raise NotImplementedError(
                f"Unsupported operand type for +: {type(other)}. Add a PromptTemplate or a str."
            )
        if self.template_format != other.template_format:
            raise ValueError(
                f"Cannot add templates of different formats ({self.template_format!r} and "
                f"{other.template_format!r}); rewrite one in the other's format."
            )
        twice = sorted(self.partial_variables.keys() & other.partial_variables.keys())
        if twice:
            raise ValueError(f"Cannot have same variable partialed twice: {twice}.")
        return PromptTemplate(
            template=self._template + other._template,
            input_variables=sorted(set(self.input_variables) | set(other.input_variables)),
            partial_variables={**self.partial_variables, **other.partial_variables},
            template_format=self.template_format,
            validate_template=self.validate_template and other.validate_template,
        )

    # -- constructors ------------------------------------------------------------------------------

    @classmethod
    def from_template(
        cls,
        template: str,
        *,
        template_format: str = "f-string",
        partial_variables: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PromptTemplate:
        """A prompt from `template`; its `{name}` fields become the input variables."""
        return cls(
            template=template, template_format=template_format, partial_variables=partial_variables, **kwargs
        )

    @classmethod
    def from_file(
        cls, template_file: str | Path, encoding: str | None = None, **kwargs: Any
    ) -> PromptTemplate:
        """A prompt from the template in a text file."""
        from pathlib import Path

        return cls.from_template(Path(template_file).read_text(encoding=encoding), **kwargs)

    @classmethod
    def from_examples(
        cls,
        examples: list[str],
        suffix: str,
        input_variables: list[str],
        example_separator: str = "\n\n",
        prefix: str = "",
        **kwargs: Any,
    ) -> PromptTemplate:
        """A prompt of `prefix`, the examples and `suffix`, joined by `example_separator`."""
        template = example_separator.join([prefix, *examples, suffix])
        return cls(template=template, input_variables=input_variables, **kwargs)


__all__ = ["PromptTemplate", "check_valid_template", "get_template_variables"]
