"""BasePromptTemplate and StringPromptTemplate: what every prompt shares.

A prompt is a runnable from a dict of variables to a prompt value, reported to handlers as a
chain run with `run_type="prompt"`. Concrete prompts implement `_invoke` as one fast method
with no `**kwargs` round trips; their public `format`/`format_prompt` methods share its code.
A prompt subclass written the langchain way (overriding `format` or `format_prompt`) still
works: its overrides are found once, when the class is created, and the generic `_invoke`
that calls them is used instead.
Not here: f-string parsing (`_fstring`), concrete templates (`prompt`, `chat`, `message`).
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Mapping
from typing import Any, ClassVar, Generic, TypeVar

from runwire._fields import Fields
from runwire.prompt_values import PromptValue, StringPromptValue
from runwire.prompts._fstring import missing_variables_error
from runwire.prompts._record import FACTORY, REQUIRED, Described
from runwire.runnables.base import Runnable
from runwire.runnables.config import RunnableConfig

FormatOutputType = TypeVar("FormatOutputType")

BASE_FIELDS: tuple[tuple[str, Any], ...] = (
    ("name", None),
    ("input_variables", REQUIRED),
    ("optional_variables", []),
    ("input_types", FACTORY),
    ("output_parser", None),
    ("partial_variables", FACTORY),
    ("metadata", None),
    ("tags", None),
)
"""The fields every prompt has, in langchain-core's repr order."""


def honour_overrides(cls: type, routes: Mapping[str, tuple[str, tuple[str, ...]]]) -> None:
    """Point fast internal methods of a user subclass at their generic versions when it
    overrides a public method they would bypass (e.g. `format`). Runs once per class."""
    if cls.__module__.startswith("runwire."):
        return
    for fast, (generic, public) in routes.items():
        if any(name in cls.__dict__ for name in public):
            setattr(cls, fast, getattr(cls, generic))


def colored(text: str) -> str:
    """`text` in bold yellow ANSI, as langchain-core's `pretty_repr(html=True)` shows variables."""
    return f"\u001b[33;1m\033[1;3m{text}\u001b[0m"


class BasePromptTemplate(Described, Fields, Runnable[dict[str, Any], PromptValue], Generic[FormatOutputType]):
    """Base of all prompt templates: a runnable from a dict of variables to a prompt value."""

    input_variables: list[str]
    optional_variables: list[str] = []  # noqa: RUF012 - a field default, copied per instance
    input_types: dict[str, Any] = {}  # noqa: RUF012 - a field default, copied per instance
    output_parser: Any = None
    partial_variables: dict[str, Any] = {}  # noqa: RUF012 - a field default, copied per instance
    metadata: dict[str, Any] | None = None
    tags: list[str] | None = None

    _run_type: ClassVar[str | None] = "prompt"
    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = BASE_FIELDS
    # A user subclass overriding any of these public methods gets the generic `_invoke`.
    _routes: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {
        "_invoke": ("_invoke_generic", ("format", "format_prompt", "format_messages")),
    }

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        honour_overrides(cls, cls._routes)

    def _init_fields(
        self,
        *,
        input_variables: list[str],
        optional_variables: list[str] | None,
        input_types: dict[str, Any] | None,
        partial_variables: Mapping[str, Any] | None,
        output_parser: Any,
        metadata: dict[str, Any] | None,
        tags: list[str] | None,
        name: str | None,
    ) -> None:
        """Set and check the shared fields (concrete prompts call this from `__init__`)."""
        partials = dict(partial_variables or {})
        if "stop" in input_variables or "stop" in partials:
            raise ValueError(
                "a prompt variable cannot be named 'stop': chat models use that name for stop "
                "sequences. Rename the variable in the template."
            )
        overlap = sorted(set(input_variables) & partials.keys())
        if overlap:
            raise ValueError(
                f"variables {overlap} are both input variables and partial variables; "
                "a variable is either passed at call time or fixed with .partial(), not both."
            )
        self.input_variables = input_variables
        self.optional_variables = list(optional_variables or [])
        self.input_types = dict(input_types or {})
        self.partial_variables = partials
        self.output_parser = output_parser
        self.metadata = metadata
        self.tags = tags
        self.name = name

    # -- the per-call path ------------------------------------------------------------------------

    def _invoke(self, input: Any, config: RunnableConfig | None, run: Any, **kwargs: Any) -> PromptValue:
        """The generic call: check the variables, then `format_prompt`. Concrete prompts replace
        this with a fast `_invoke` that calls no public method (see `_routes`)."""
        if not isinstance(input, dict):
            input = self._coerce_input(input)
        error = missing_variables_error(type(self).__name__, self.input_variables, input)
        if error is not None:
            raise error
        return self.format_prompt(**input)

    _invoke_generic = _invoke

    def _coerce_input(self, input: Any) -> dict[str, Any]:
        """A non-dict input is the value of the only variable, as in langchain-core."""
        if len(self.input_variables) == 1:
            return {self.input_variables[0]: input}
        raise TypeError(  # langchain-core's opening, then what to pass
            f"Expected mapping type as input to {type(self).__name__}. Received {type(input)}. "
            f"{type(self).__name__} takes a dict of its variables {self.input_variables} as input, "
            f"got {type(input).__name__}: {input!r:.80}. Pass e.g. "
            f"{{{', '.join(f'{v!r}: ...' for v in self.input_variables) or 'name: value'}}}."
        )

    def _with_partials(self, values: dict[str, Any]) -> dict[str, Any]:
        """`values` over the partial variables (callables among them called now)."""
        partials = self.partial_variables
        if not partials:
            return values
        return {**{k: v() if callable(v) else v for k, v in partials.items()}, **values}

    def _merge_partial_and_user_variables(self, **kwargs: Any) -> dict[str, Any]:
        """langchain-core's name for `_with_partials`, for subclasses that call it."""
        return self._with_partials(kwargs)

    # -- the public formatting API ------------------------------------------------------------------

    def format_prompt(self, **kwargs: Any) -> PromptValue:
        """The prompt value for these variables."""
        raise NotImplementedError(f"{type(self).__name__} must implement `format_prompt`")

    async def aformat_prompt(self, **kwargs: Any) -> PromptValue:
        """`format_prompt` (formatting does no I/O, so it runs inline)."""
        return self.format_prompt(**kwargs)

    def format(self, **kwargs: Any) -> FormatOutputType:
        """The formatted prompt (a str for string and chat prompts)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `format`")

    async def aformat(self, **kwargs: Any) -> FormatOutputType:
        """`format` (formatting does no I/O, so it runs inline)."""
        return self.format(**kwargs)

    def partial(self, **kwargs: Any) -> BasePromptTemplate[FormatOutputType]:
        """A copy with some variables fixed (values, or callables called at each format)."""
        import copy

        partial = copy.copy(self)
        partial.__dict__.pop("_serialized_cache", None)  # the copy's run name may differ later
        partial.partial_variables = {**self.partial_variables, **kwargs}
        partial.input_variables = [v for v in self.input_variables if v not in kwargs]
        return partial

    @property
    def OutputType(self) -> Any:
        from runwire.prompt_values import ChatPromptValueConcrete

        return StringPromptValue | ChatPromptValueConcrete

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        """`PromptInput`: the input variables (required) and optional variables, typed by
        `input_types` (str by default)."""
        from runwire.runnables.schema import create_model

        fields: dict[str, Any] = {k: (self.input_types.get(k, str), ...) for k in self.input_variables}
        fields.update({k: (self.input_types.get(k, str), None) for k in self.optional_variables})
        return create_model("PromptInput", fields=fields)

    @property
    def _prompt_type(self) -> str:
        """The prompt's type key in `asdict()` ("prompt", "chat", "few_shot", ...)."""
        raise NotImplementedError

    def asdict(self, **kwargs: Any) -> dict[str, Any]:
        """The prompt's fields as a dict (nested prompts as dicts too), plus `"_type"`, as
        langchain-core's `asdict()` (`input_types` left out, as there)."""
        out: dict[str, Any] = _dump(self)
        try:
            out["_type"] = self._prompt_type
        except NotImplementedError:
            pass
        return out

    def pretty_repr(self, html: bool = False) -> str:
        """A human-readable rendering of the template."""
        raise NotImplementedError

    def pretty_print(self) -> None:
        """Print `pretty_repr()`, with colours when running interactively."""
        print(self.pretty_repr(html=hasattr(sys, "ps2")))

    def dict(self, **kwargs: Any) -> builtins.dict[str, Any]:  # last: the name shadows the builtin
        """`asdict()` (langchain-core's older, deprecated name)."""
        return self.asdict(**kwargs)


def _dump(value: Any) -> Any:
    """Prompts and message templates as dicts of their fields, recursively; other values as is."""
    if isinstance(value, Described):
        return {name: _dump(getattr(value, name)) for name, _ in value._repr_fields if name != "input_types"}
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    dump = getattr(value, "model_dump", None)
    return dump() if callable(dump) else value


class StringPromptTemplate(BasePromptTemplate[str]):
    """A prompt that formats to a str; invoking it gives a `StringPromptValue`."""

    _routes: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {
        **BasePromptTemplate._routes,
        "_render": ("_render_generic", ("format",)),
    }

    def _render(self, values: dict[str, Any]) -> str:
        """The text for `values` (this prompt's partials not yet merged in)."""
        return self.format(**values)

    _render_generic = _render

    def format_prompt(self, **kwargs: Any) -> PromptValue:
        """A `StringPromptValue` of `format(**kwargs)`."""
        return StringPromptValue(text=self.format(**kwargs))

    def format(self, **kwargs: Any) -> str:
        """The formatted prompt text."""
        raise NotImplementedError(f"{type(self).__name__} must implement `format`")

    def pretty_repr(self, html: bool = False) -> str:
        """The template with each variable shown as `{name}`."""
        dummy = {v: colored(f"{{{v}}}") if html else f"{{{v}}}" for v in self.input_variables}
        return self.format(**dummy)


from runwire._not_yet import install_methods as _install_methods  # noqa: E402 - needs the class

_install_methods(BasePromptTemplate, "BasePromptTemplate")  # langchain-core methods not here yet explain so
