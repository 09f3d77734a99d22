"""Template formats: f-string, mustache and jinja2, as `langchain_core.prompts.string` has them.

`compile_renderer(template, template_format)` checks a template once and gives the function
that renders it from a dict of values: `str.format_map` for f-strings (see `_fstring`), a
pre-built tree for mustache (`_mustache`), a compiled template of jinja2's
`SandboxedEnvironment` (always sandboxed; jinja2 is imported only when a jinja2 template is
built, and is the `jinja2` extra). `get_template_variables`, `check_valid_template`,
`jinja2_formatter`, `validate_jinja2`, `mustache_formatter` and `mustache_template_vars` keep
langchain-core's names, signatures, warnings and error texts.
Not here: the prompt classes (`prompt`, `chat`, `message`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Literal

from runwire.prompts._fstring import template_variables
from runwire.prompts.base import StringPromptTemplate

PromptTemplateFormat = Literal["f-string", "mustache", "jinja2"]

_FORMATS = ("f-string", "mustache", "jinja2")

Renderer = Callable[[dict[str, Any]], str]


def _jinja2() -> Any:
    """jinja2's sandbox and meta modules, with an install hint when jinja2 is missing."""
    try:
        from jinja2 import meta
        from jinja2.sandbox import SandboxedEnvironment
    except ImportError:
        raise ImportError(
            "jinja2 not installed, which is needed to use the jinja2_formatter. "
            'Please install it with `pip install "runwire[jinja2]"` (or pip install jinja2). '
            "Please be cautious when using jinja2 templates. Do not expand jinja2 templates using "
            "unverified or user-controlled inputs as that can result in arbitrary Python code execution."
        ) from None
    return SandboxedEnvironment, meta


def _check_format(template_format: str) -> None:
    if template_format not in _FORMATS:
        raise ValueError(
            f"Unsupported template format: {template_format}. Use one of {list(_FORMATS)}: "
            "'f-string' ({name}), 'mustache' ({{name}}) or 'jinja2' (needs runwire[jinja2])."
        )


def compile_renderer(template: str, template_format: str) -> tuple[list[str], Renderer]:
    """(the sorted variables, the render function) of a template, checked now."""
    _check_format(template_format)
    if template_format == "f-string":
        return template_variables(template), template.format_map
    if not isinstance(template, str):
        raise TypeError(f"a prompt template must be a str, got {type(template).__name__}: {template!r:.80}")
    if template_format == "mustache":
        from runwire.prompts import _mustache  # imported when the first mustache template is built

        nodes = _mustache.compile_template(template)
        return sorted(_mustache.template_vars(template)), lambda values: _mustache.render_nodes(
            nodes, [values]
        )
    sandbox, meta = _jinja2()
    environment = sandbox()
    variables = sorted(meta.find_undeclared_variables(environment.parse(template)))
    compiled = environment.from_string(template)
    return variables, lambda values: str(compiled.render(**values))


def get_template_variables(template: str, template_format: str = "f-string") -> list[str]:
    """The sorted variable names of `template` (top-level names for mustache); ValueError for
    a malformed template or an unsupported format."""
    return compile_renderer(template, template_format)[0]


def jinja2_formatter(template: str, /, **kwargs: Any) -> str:
    """`template` rendered by jinja2's `SandboxedEnvironment` (best effort, not a guarantee:
    never render jinja2 templates from untrusted sources)."""
    sandbox, _ = _jinja2()
    return str(sandbox().from_string(template).render(**kwargs))


def validate_jinja2(template: str, input_variables: list[str]) -> None:
    """Warn (UserWarning, as langchain-core) when the template's variables and
    `input_variables` differ: missing ones, then extra ones."""
    sandbox, meta = _jinja2()
    valid = meta.find_undeclared_variables(sandbox().parse(template))
    given = set(input_variables)
    message = ""
    if valid - given:
        message += f"Missing variables: {valid - given} "
    if given - valid:
        message += f"Extra variables: {given - valid}"
    if message:
        warnings.warn(message.strip(), stacklevel=3)


def mustache_formatter(template: str, /, **kwargs: Any) -> str:
    """`template` rendered as mustache."""
    from runwire.prompts import _mustache

    return _mustache.render(template, kwargs)


def mustache_template_vars(template: str) -> set[str]:
    """The top-level variables of a mustache template (`person` for `{{person.name}}`)."""
    from runwire.prompts import _mustache

    return _mustache.template_vars(template)


def _format_fstring(template: str, /, **kwargs: Any) -> str:
    template_variables(template)  # refuses attribute/index access before format() could do it
    return template.format(**kwargs)


DEFAULT_FORMATTER_MAPPING: dict[str, Callable[..., str]] = {
    "f-string": _format_fstring,
    "mustache": mustache_formatter,
    "jinja2": jinja2_formatter,
}


def check_valid_template(template: str, template_format: str, input_variables: list[str]) -> None:
    """Raise ValueError unless `template` is well formed and uses only `input_variables`
    (jinja2: warn instead, as langchain-core; mustache cannot be validated)."""
    if template_format not in ("f-string", "jinja2"):
        raise ValueError(
            f"Invalid template format {template_format!r}, should be one of "
            f"{list(DEFAULT_FORMATTER_MAPPING)}."
        )
    if template_format == "jinja2":
        validate_jinja2(template, input_variables)
        return
    unknown = sorted(set(template_variables(template)) - set(input_variables))
    if unknown:
        raise ValueError(
            f"Invalid prompt schema; check for mismatched or missing input parameters from "
            f"{input_variables}: the template uses {unknown}. Add them to input_variables or remove "
            "them from the template."
        )


__all__ = [
    "DEFAULT_FORMATTER_MAPPING",
    "PromptTemplateFormat",
    "StringPromptTemplate",
    "check_valid_template",
    "get_template_variables",
    "jinja2_formatter",
    "mustache_formatter",
    "mustache_template_vars",
    "validate_jinja2",
]
