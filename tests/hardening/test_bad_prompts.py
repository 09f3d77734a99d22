"""Prompt templates given missing, extra, malformed and injected variables: a typed error that
names the problem and the fix, and the run ends in an error event; never a bare internal error."""

from __future__ import annotations

import pytest

from runwire.prompts import ChatPromptTemplate, MessagesPlaceholder, PromptTemplate

from .conftest import Recorder

REFUSED = {
    "{": "never closed",
    "}": "with no '{' before it",
    "a {b": "never closed",
    "{0}": "positional field",
    "{}": "positional field",
    "{x.__class__}": "attribute or index",
    "{x.__class__.__init__.__globals__}": "attribute or index",
    "{x[0]}": "attribute or index",
    "{[0]}": "attribute or index",
    "{x!z}": "unknown conversion",
    "{x:{y}}": "nested fields",
    "{x!}": "invalid prompt template",
    "{x!r!s}": "invalid prompt template",
    "{x:>99999999999}": "huge prompt",
    "{x:.100000}": "huge prompt",
}


@pytest.mark.parametrize("template", sorted(REFUSED))
def test_malformed_templates_are_refused_at_construction(template: str) -> None:
    """Unbalanced braces, positional fields, attribute/index access, bad conversions, nested or
    huge format specs are ValueErrors at construction that quote the template and say what to do."""
    with pytest.raises(ValueError, match=REFUSED[template]) as caught:
        PromptTemplate.from_template(template)
    assert repr(template)[:40] in str(caught.value) or "..." in str(caught.value)
    with pytest.raises(ValueError, match=REFUSED[template]):
        ChatPromptTemplate.from_messages([("system", "ok"), ("human", template)])


@pytest.mark.parametrize(
    ("template", "expected"),
    [("{{", "{"), ("}}", "}"), ("{{x}}", "{x}"), ("{{{x}}}", "{v}"), ("{{ x }}", "{ x }"), ("${x}", "$v")],
)
def test_escaped_braces_and_jinja_looking_text_render_literally(template: str, expected: str) -> None:
    """Doubled braces are literal; `{{ x }}` (jinja/mustache syntax) is literal text, not a variable."""
    assert PromptTemplate.from_template(template).invoke({"x": "v"}).to_string() == expected


def test_values_that_look_like_templates_are_never_re_rendered() -> None:
    """A variable's value is inserted verbatim: `{y.__class__}` in user input stays text."""
    prompt = ChatPromptTemplate.from_template("Q: {q}")
    for evil in ("{y.__class__}", "{{}}", "{0}", "{", "{% for x in y %}", "${{7*7}}"):
        assert prompt.invoke({"q": evil}).to_string() == f"Human: Q: {evil}"


def test_a_missing_variable_is_a_key_error_that_names_it_and_the_run_ends_in_error() -> None:
    """The KeyError names the missing variable, what the template needs, and how to pass it."""
    recorder = Recorder()
    prompt = ChatPromptTemplate.from_template("{a} and {b}")
    expected = r"missing variables \{'b'\}.*Expected: \['a', 'b'\].*partial\(b="
    with pytest.raises(KeyError, match=expected) as caught:
        prompt.invoke({"a": 1}, {"callbacks": [recorder]})
    assert "double curly braces like: '{{b}}'" in str(caught.value)
    recorder.assert_paired(error=True)


def test_jinja_blocks_are_reported_as_missing_variables_with_an_escape_hint() -> None:
    """`{% if x %}` is read as an f-string field; the error says to escape it if it is literal."""
    with pytest.raises(KeyError, match=r"escape it"):
        PromptTemplate.from_template("{% if x %}hi").invoke({"x": 1})


def test_extra_variables_are_ignored() -> None:
    """Keys the template does not use are ignored (as in langchain-core)."""
    value = ChatPromptTemplate.from_template("{a}").invoke({"a": 1, "zz": 2, "__class__": 3})
    assert value.to_string() == "Human: 1"


def test_a_format_spec_that_does_not_fit_the_value_fails_at_render_with_an_error_event() -> None:
    """`{x:d}` given a str: a ValueError from formatting, and the run ends in an error event."""
    recorder = Recorder()
    with pytest.raises(ValueError, match="format code 'd'"):
        PromptTemplate.from_template("{x:d}").invoke({"x": "text"}, {"callbacks": [recorder]})
    recorder.assert_paired(error=True)


@pytest.mark.parametrize("bad", [5, b"{x}", None, ["{x}"]])
def test_a_template_that_is_not_a_str_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="must be a str"):
        PromptTemplate.from_template(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["jinja", "handlebars", "F-STRING"])
def test_unknown_template_formats_are_refused_with_the_known_ones(fmt: str) -> None:
    with pytest.raises(ValueError, match=r"Unsupported template format.*'f-string'.*'mustache'.*'jinja2'"):
        PromptTemplate.from_template("{{x}}", template_format=fmt)


@pytest.mark.parametrize(
    "template",
    ["{{x.__class__}}", "{{x.__class__.__mro__}}", "{{x.upper}}", "{{#x.__class__}}y{{/x.__class__}}"],
)
def test_mustache_never_reaches_into_objects(template: str) -> None:
    """Dotted names walk dicts and lists only: attributes of values render as nothing."""
    assert PromptTemplate.from_template(template, template_format="mustache").format(x="s") == ""


@pytest.mark.parametrize(
    "template",
    ["{{ x.__class__.__mro__[1].__subclasses__() }}", "{{ x.__init__.__globals__ }}", "{{ ''.__class__ }}"],
)
def test_jinja2_templates_run_sandboxed(template: str) -> None:
    """Dunder access is refused by jinja2's sandbox (SecurityError or an undefined value)."""
    from jinja2.exceptions import SecurityError, UndefinedError

    prompt = PromptTemplate.from_template(template, template_format="jinja2")
    try:
        out = prompt.format(x="s")
    except (SecurityError, UndefinedError):
        return
    assert "class" not in out
    assert "function" not in out


@pytest.mark.parametrize("fmt", ["mustache", "jinja2"])
def test_values_are_never_re_rendered_in_other_formats(fmt: str) -> None:
    """A value holding template syntax is inserted as text (mustache escapes HTML characters)."""
    prompt = PromptTemplate.from_template("Q: {{q}}", template_format=fmt)
    assert prompt.format(q="{{y}} {% if 1 %}x{% endif %}") == "Q: {{y}} {% if 1 %}x{% endif %}"


@pytest.mark.parametrize(
    ("entry", "error", "match"),
    [
        (("wizard", "{a}"), ValueError, "unexpected message type 'wizard'"),
        (("human", "{a}", "extra"), ValueError, "2-tuple"),
        (5, NotImplementedError, "unsupported chat prompt entry int"),
    ],
)
def test_bad_chat_prompt_entries_are_refused(entry: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        ChatPromptTemplate.from_messages([entry])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("history", "match"),
    [
        ("hi", "takes a list of messages, got str"),
        (5, "takes a list of messages, got int"),
        ([5], "Unsupported message type"),
        ([{"role": "x"}], "must contain 'role'"),
        ([("wizard", "x")], "Unexpected message type: 'wizard'"),
    ],
)
def test_a_placeholder_given_wrong_types_fails_with_an_error_event(history: object, match: str) -> None:
    recorder = Recorder()
    prompt = ChatPromptTemplate.from_messages([MessagesPlaceholder("h"), ("human", "{q}")])
    with pytest.raises((ValueError, NotImplementedError), match=match):
        prompt.invoke({"h": history, "q": "x"}, {"callbacks": [recorder]})
    recorder.assert_paired(error=True)


def test_a_huge_template_and_value_render_without_trouble() -> None:
    prompt = PromptTemplate.from_template("{x}" * 50_000)
    assert len(prompt.invoke({"x": "yz"}).to_string()) == 100_000
