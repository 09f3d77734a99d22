"""Mustache templates, rendered as langchain-core renders them (its vendored chevron).

`tokenize` reads a template into (kind, key) tokens, with the spec's standalone-line rules and
`{{=<% %>=}}` delimiter changes; `compile_template` nests the tokens into a tree once; `render`
walks it. Lookups follow langchain-core, including its quirks: a dotted name walks dicts and
list indices only (never attributes, so a template cannot reach into objects), `0` and `False`
print as themselves while other falsy values print as "", a falsy item of a list section skips
that iteration, and escaping is HTML's `& " < >` (not `'`). Missing names render as "".
A callable section value is a lambda: it gets the section's source text and a render function.
Not here: partials (prompts have none; `{{> name}}` renders ""), the prompt classes that use
this (`prompts.string`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any


class ChevronError(SyntaxError):
    """A malformed mustache template (langchain-core's name for it)."""


_TAG_TYPES = {
    "!": "comment",
    "#": "section",
    "^": "inverted section",
    "/": "end",
    ">": "partial",
    "=": "set delimiter?",
    "{": "no escape?",
    "&": "no escape",
}


def _standalone_left(literal: str, is_standalone: bool) -> bool:
    if "\n" in literal or is_standalone:
        padding = literal.rsplit("\n", maxsplit=1)[-1]
        return padding.isspace() or not padding
    return False


def _standalone_right(rest: str, tag_type: str, is_standalone: bool) -> bool:
    if is_standalone and tag_type not in {"variable", "no escape"}:
        line = rest.split("\n", 1)[0]
        return line.isspace() or not line
    return False


def tokenize(template: str, def_ldel: str = "{{", def_rdel: str = "}}") -> Iterator[tuple[str, str]]:
    """(kind, key) tokens: "literal", "variable", "no escape", "section", "inverted section",
    "end", "partial", "set delimiter". Raises ChevronError for an unclosed or mismatched tag."""
    line = 1
    opened_at = 0
    is_standalone = True
    open_sections: list[str] = []
    l_del, r_del = def_ldel, def_rdel
    while template:
        try:
            literal, template = template.split(l_del, 1)
        except ValueError:
            yield ("literal", template)
            break
        line += literal.count("\n")
        is_standalone = _standalone_left(literal, is_standalone)
        try:
            tag, template = template.split(r_del, 1)
        except ValueError:
            raise ChevronError(f"unclosed tag at line {line}") from None
        if not tag.strip():
            raise ChevronError(f"empty tag at line {line}")
        tag_type = _TAG_TYPES.get(tag[0], "variable")
        if tag_type != "variable":
            tag = tag[1:]
        if tag_type == "set delimiter?":
            if not tag.endswith("="):
                raise ChevronError(f"unclosed set delimiter tag\nat line {line}")
            tag_type, tag = "set delimiter", tag[:-1]
        elif tag_type == "no escape?" and l_del == "{{" and r_del == "}}" and template.startswith("}"):
            template = template[1:]
            tag_type = "no escape"
        key = tag.strip()
        if tag_type == "set delimiter":
            delimiters = key.split(" ")
            l_del, r_del = delimiters[0], delimiters[-1]
        elif tag_type in {"section", "inverted section"}:
            open_sections.append(key)
            opened_at = line
        elif tag_type == "end":
            if not open_sections:
                raise ChevronError(
                    f'Trying to close tag "{key}"\nLooks like it was not opened.\nline {line + 1}'
                )
            last = open_sections.pop()
            if key != last:
                raise ChevronError(f'Trying to close tag "{key}"\nlast open tag is "{last}"\nline {line + 1}')
        is_standalone = _standalone_right(template, tag_type, is_standalone)
        if is_standalone:
            template = template.split("\n", 1)[-1]
            if tag_type != "partial":
                literal = literal.rstrip(" ")
        if literal:
            yield ("literal", literal)
        if tag_type not in {"comment", "set delimiter?"}:
            yield (tag_type, key)
    if open_sections:
        raise ChevronError(
            f'Unexpected EOF\nthe tag "{open_sections[-1]}" was never closed\nwas opened at line {opened_at}'
        )


def template_vars(template: str) -> set[str]:
    """The top-level names a template reads (`person` for `{{person.name}}`), outside sections."""
    names: set[str] = set()
    depth = 0
    for kind, key in tokenize(template):
        if kind == "end":
            depth -= 1
        elif kind in {"variable", "section", "inverted section", "no escape"} and key != "." and depth == 0:
            names.add(key.split(".")[0])
        if kind in {"section", "inverted section"}:
            depth += 1
    return names


# A compiled template is a list of nodes: (kind, key, children); children only for sections.
Node = tuple[str, str, list[Any]]


def compile_template(template: str) -> list[Node]:
    """The template's tokens nested into a tree (sections hold their content)."""
    root: list[Node] = []
    stack = [root]
    for kind, key in tokenize(template):
        if kind in {"section", "inverted section"}:
            children: list[Node] = []
            stack[-1].append((kind, key, children))
            stack.append(children)
        elif kind == "end":
            stack.pop()
        elif kind != "set delimiter":
            stack[-1].append((kind, key, []))
    return root


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _is_zero_or_false(value: Any) -> bool:
    try:
        return bool(value in (0, False))
    except Exception:  # an exotic __eq__ (an array's, say) means "not 0 or False"
        return False


def _lookup(key: str, scopes: list[Any]) -> Any:
    if key == ".":
        return scopes[0]
    for scope in scopes:
        value = scope
        try:
            for part in key.split("."):
                if _is_zero_or_false(value):
                    return value
                if isinstance(value, Mapping):
                    value = value[part]
                elif isinstance(value, list | tuple):
                    value = value[int(part)]
                else:
                    raise TypeError  # noqa: TRY301 - only dicts and lists are walked, as in langchain-core
        except (KeyError, IndexError, ValueError, TypeError):
            continue
        if _is_zero_or_false(value):
            return value
        return value or ""
    return ""


def render_nodes(nodes: list[Node], scopes: list[Any]) -> str:
    """The text of `nodes` with names looked up in `scopes` (innermost first)."""
    out: list[str] = []
    for kind, key, children in nodes:
        if kind == "literal":
            out.append(key)
        elif kind == "variable":
            value = _lookup(key, scopes)
            if value is True and key == "." and len(scopes) > 1:
                value = scopes[1]
            out.append(_escape(value if isinstance(value, str) else str(value)))
        elif kind == "no escape":
            value = _lookup(key, scopes)
            out.append(value if isinstance(value, str) else str(value))
        elif kind == "section":
            value = _lookup(key, scopes)
            if callable(value):
                out.append(_call_lambda(value, children, scopes))
            elif isinstance(value, Sequence | Iterator) and not isinstance(value, str):
                # a falsy item renders nothing, as in langchain-core
                out.extend(render_nodes(children, [item, *scopes]) for item in value if item)
            elif value:
                out.append(render_nodes(children, [value, *scopes]))
        elif kind == "inverted section" and not _lookup(key, scopes):
            out.append(render_nodes(children, [True, *scopes]))
        # partials render "" (a prompt has none); comments were dropped by the tokenizer
    return "".join(out)


_SIGILS = {"section": "#", "inverted section": "^", "partial": ">", "variable": ""}


def _source(nodes: list[Node]) -> str:
    """The template text of `nodes`, as langchain-core rebuilds it for a lambda (`{{ name}}`)."""
    parts: list[str] = []
    for kind, key, children in nodes:
        if kind == "literal":
            parts.append(key)
        elif kind == "no escape":
            parts.append(f"{{{{& {key} }}}}")
        else:
            parts.append(f"{{{{{_SIGILS[kind]} {key}}}}}")
            if kind in {"section", "inverted section"}:
                parts.append(_source(children) + f"{{{{/ {key}}}}}")
    return "".join(parts)


def _call_lambda(function: Any, children: list[Node], scopes: list[Any]) -> str:
    """A lambda section: `function(text, render)`; rendering its own text reuses the parsed nodes."""
    text = _source(children)

    def render_text(template: str, data: Any = None) -> str:
        nodes = children if template == text else compile_template(template)
        return render_nodes(nodes, [data, *scopes] if data else scopes)

    result: str = function(text, render_text)
    return result


def render(template: str, data: Mapping[str, Any]) -> str:
    """`template` rendered with `data` (see the module docstring for the rules)."""
    return render_nodes(compile_template(template), [data])
