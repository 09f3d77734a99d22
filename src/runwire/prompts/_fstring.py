"""F-string templates: checked once at construction, rendered by `str.format_map`.

A template such as `"What is 1 + {number}?"` is parsed when the prompt is built; only plain
named fields (optionally with `!r`/`!s`/`!a` and a literal format spec) are accepted, so
rendering is a single C call with nothing left to check. Attribute and index access
(`{x.__class__}`, `{x[0]}`) are refused: a template must not reach into the objects it is
given. Also here: the errors a caller sees when a variable is missing.
Not here: mustache and jinja2 templates (`_mustache`, `string`), prompt classes, partial variables.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from string import Formatter
from typing import Any

_parse = Formatter().parse
_CONVERSIONS = frozenset({None, "r", "s", "a"})
_HUGE_WIDTH = re.compile(r"\d{5,}")  # {x:>99999999999} would allocate gigabytes at render


def template_variables(template: str) -> list[str]:
    """The sorted variable names of an f-string template; raises ValueError for a bad one.

    Refused (all with a message saying how to fix the template): an unbalanced brace,
    a positional field (`{}` or `{0}`), attribute or index access (`{x.y}`, `{x[0]}`),
    a conversion other than `!r`/`!s`/`!a`, and a field inside a format spec (`{x:{w}}`).
    """
    if not isinstance(template, str):
        raise TypeError(f"a prompt template must be a str, got {type(template).__name__}: {template!r:.80}")
    names: set[str] = set()
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in _parse(template) if name is not None]
    except ValueError as error:
        raise ValueError(_brace_message(template, error)) from None
    for name, spec, conversion in fields:
        _check_field(template, name, spec, conversion)
        names.add(name)
    return sorted(names)


def _check_field(template: str, name: str, spec: str | None, conversion: str | None) -> None:
    shown = f"{{{name}}}"
    if name == "" or name.isdigit():
        raise ValueError(
            f"invalid prompt template {_clip(template)}: the positional field {shown} is not allowed; "
            "prompts take named variables. Name it, e.g. {question}, or write {{ and }} for literal braces."
        )
    if "." in name or "[" in name or "]" in name:
        raise ValueError(
            f"invalid prompt template {_clip(template)}: the field {shown} uses attribute or index "
            "access, which prompts refuse (a template could read internals such as {x.__class__}). "
            "Pass the value you need as its own variable, or write {{ and }} for literal braces."
        )
    if conversion not in _CONVERSIONS:
        raise ValueError(
            f"invalid prompt template {_clip(template)}: the field {{{name}!{conversion}}} has an unknown "
            "conversion; use !r, !s or !a, or none."
        )
    if spec and ("{" in spec or "}" in spec):
        raise ValueError(
            f"invalid prompt template {_clip(template)}: the field {{{name}:{spec}}} has a variable in its "
            "format spec; nested fields are not allowed. Format the value before passing it in."
        )
    if spec and _HUGE_WIDTH.search(spec):
        raise ValueError(
            f"invalid prompt template {_clip(template)}: the field {{{name}:{spec}}} asks for a width or "
            "precision of 10000 or more, which would build a huge prompt. Use a smaller number."
        )


def _brace_message(template: str, error: ValueError) -> str:
    found = _unbalanced_brace(template)
    if found is None:
        return f"invalid prompt template {_clip(template)}: {error}."
    position, what = found
    return (
        f"invalid prompt template {_clip(template)}: {what} at position {position} "
        f"({template[max(0, position - 20) : position + 20]!r}). Write {{{{ or }}}} for a literal brace, "
        "or {name} for a variable."
    )


def _unbalanced_brace(template: str) -> tuple[int, str] | None:
    """Where the first unbalanced brace is, following str.format's rules (error path only)."""
    i, size = 0, len(template)
    while i < size:
        char = template[i]
        if char in "{}" and template.startswith(char * 2, i):
            i += 2
        elif char == "}":
            return i, "a '}' with no '{' before it"
        elif char == "{":
            depth, j = 1, i + 1
            while j < size and depth:
                depth += {"{": 1, "}": -1}.get(template[j], 0)
                j += 1
            if depth:
                return i, "a '{' that is never closed"
            i = j
        else:
            i += 1
    return None


def _clip(template: str) -> str:
    return repr(template) if len(template) <= 80 else repr(template[:77] + "...")


def missing_variables_error(
    owner: str, needed: Iterable[str], given: Iterable[Any], *, placeholders: Collection[str] = ()
) -> KeyError | None:
    """The KeyError for variables in `needed` but not in `given`, or None when none is missing.
    `placeholders` names the variables that take a list of messages (for the advice given)."""
    received = list(given)
    given_keys = set(received)
    missing = sorted(name for name in needed if name not in given_keys)
    if not missing:
        return None
    name = missing[0]
    # langchain-core's opening (programs match on it), then what to do about it.
    message = (
        f"Input to {owner} is missing variables {{{', '.join(map(repr, missing))}}}. "
        f" Expected: {sorted(needed)} Received: {received}"
    )
    if name in placeholders:
        message += f"\n{name!r} is a MessagesPlaceholder: pass a list of messages"
    else:
        message += (
            f"\nNote: if you intended {{{name}}} to be part of the string and not a variable, please "
            f"escape it with double curly braces like: '{{{{{name}}}}}'. Otherwise pass it"
        )
    return KeyError(f"{message} in the input dict or with .partial({name}=...).")
