"""Prompt templates format like langchain-core's and fail early, with errors that say what to do.

Deliberate differences from langchain-core 1.8, each pinned by a test below:
* `{}` and unknown conversions such as `{x!z}` are rejected when the template is built
  (langchain-core accepts them and fails at format time).
* `{x.attr}`, `{x[0]}`, `{0}` and nested `{x:{w}}` are rejected at build time, as in
  langchain-core, but the message names the field and says how to fix the template.
* A missing variable raises KeyError naming the variable, what the template needs, what was
  given and how to fix it; langchain-core's message has no fix and a troubleshooting URL.
* An unknown `template_format` raises ValueError with langchain-core's text and the formats
  that exist (f-string, mustache, jinja2; see tests/semantics/test_prompts_compat.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from runwire.messages import AIMessage, ChatMessage, HumanMessage, SystemMessage
from runwire.prompt_values import ChatPromptValue, StringPromptValue
from runwire.prompts import (
    ChatMessagePromptTemplate,
    ChatPromptTemplate,
    HumanMessagePromptTemplate,
    MessagesPlaceholder,
    PromptTemplate,
    StringPromptTemplate,
    SystemMessagePromptTemplate,
)

# -- PromptTemplate ---------------------------------------------------------------------------------


def test_prompt_template_formats_fields_and_escaped_braces() -> None:
    """`{name}` fields are filled in; `{{` and `}}` stay literal braces."""
    prompt = PromptTemplate.from_template("{{literal}} {word}!")
    assert prompt.format(word="hi") == "{literal} hi!"


def test_prompt_template_input_variables_are_sorted_and_unique() -> None:
    """input_variables lists each field once, sorted, as langchain-core does."""
    assert PromptTemplate.from_template("{b} {a} {b}").input_variables == ["a", "b"]


def test_prompt_template_keeps_conversions_and_format_specs() -> None:
    """`!r` conversions and literal format specs work as in str.format."""
    assert PromptTemplate.from_template("{x!r} [{y:>4}]").format(x="a", y="b") == "'a' [   b]"


def test_prompt_template_invoke_returns_string_prompt_value() -> None:
    """invoke gives a StringPromptValue whose text is the formatted template."""
    value = PromptTemplate.from_template("hi {name}").invoke({"name": "Ada"})
    assert isinstance(value, StringPromptValue)
    assert value.text == "hi Ada"


def test_prompt_template_ignores_extra_input_keys() -> None:
    """Keys the template does not use are ignored."""
    assert PromptTemplate.from_template("hi {x}").invoke({"x": 1, "unused": 2}).to_string() == "hi 1"


def test_single_variable_prompt_accepts_a_bare_value() -> None:
    """A prompt with one variable takes a non-dict input as that variable's value."""
    assert PromptTemplate.from_template("n={n}").invoke(5).to_string() == "n=5"


def test_multi_variable_prompt_rejects_a_bare_value() -> None:
    """With several variables a non-dict input is a TypeError that names them."""
    with pytest.raises(TypeError, match=r"takes a dict of its variables \['a', 'b'\]"):
        PromptTemplate.from_template("{a}{b}").invoke(5)


def test_partial_fixes_a_variable() -> None:
    """`.partial()` removes the variable from input_variables and fills it at format time."""
    prompt = PromptTemplate.from_template("{greeting}, {name}").partial(greeting="Hello")
    assert prompt.input_variables == ["name"]
    assert prompt.format(name="Ada") == "Hello, Ada"


def test_partial_callable_is_called_at_each_format() -> None:
    """A callable partial is called on every format, not once."""
    calls = iter(["one", "two"])
    prompt = PromptTemplate.from_template("{n}").partial(n=lambda: next(calls))
    assert [prompt.format(), prompt.format()] == ["one", "two"]


def test_given_value_overrides_partial() -> None:
    """A value passed at call time wins over the partial variable of the same name."""
    prompt = PromptTemplate.from_template("{a}", partial_variables={"a": "fixed"})
    assert prompt.format(a="given") == "given"


def test_assigning_template_reparses_it() -> None:
    """Setting `.template` re-reads its variables, so formatting uses the new text."""
    prompt = PromptTemplate.from_template("old {a}")
    prompt.template = "new {b}"
    assert prompt.input_variables == ["b"]
    assert prompt.format(b=1) == "new 1"


def test_adding_prompt_templates_concatenates_them() -> None:
    """`PromptTemplate + PromptTemplate | str` concatenates templates and variables."""
    combined = PromptTemplate.from_template("a {x} ") + "b {y}"
    assert combined.input_variables == ["x", "y"]
    assert combined.format(x=1, y=2) == "a 1 b 2"


def test_validate_template_rejects_undeclared_variable() -> None:
    """With validate_template=True, a field missing from input_variables is a ValueError."""
    with pytest.raises(ValueError, match=r"uses \['x'\]"):
        PromptTemplate(template="hi {x}", input_variables=["y"], validate_template=True)


def test_variable_named_stop_is_rejected() -> None:
    """`stop` is reserved for chat models' stop sequences, as in langchain-core."""
    with pytest.raises(ValueError, match="'stop'"):
        PromptTemplate.from_template("{stop}")


def test_unknown_template_format_is_rejected() -> None:
    """An unknown format says which formats exist."""
    with pytest.raises(ValueError, match=r"Unsupported template format: handlebars\. Use one of"):
        PromptTemplate.from_template("{{x}}", template_format="handlebars")


def test_string_prompt_value_converts_to_one_human_message() -> None:
    """StringPromptValue.to_messages() is one HumanMessage with the text."""
    assert StringPromptValue(text="hi").to_messages() == [HumanMessage(content="hi")]


# -- malformed templates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("a { b", r"a '\{' that is never closed at position 2"),
        ("a } b", r"a '\}' with no '\{' before it at position 2"),
        ("{x.__class__}", r"the field \{x.__class__\} uses attribute or index access"),
        ("{x[0]}", r"the field \{x\[0\]\} uses attribute or index access"),
        ("{0}", r"the positional field \{0\} is not allowed"),
        ("{}", r"the positional field \{\} is not allowed"),
        ("{x!z}", r"unknown conversion"),
        ("{x:{w}}", r"nested fields are not allowed"),
    ],
)
def test_malformed_template_is_rejected_at_construction(template: str, message: str) -> None:
    """Unbalanced braces, positional fields, attribute/index access (an injection vector),
    unknown conversions and nested fields fail when the prompt is built, saying which field."""
    with pytest.raises(ValueError, match=message):
        PromptTemplate.from_template(template)


def test_malformed_chat_message_template_is_rejected_at_construction() -> None:
    """The same checks apply to every message template of a chat prompt."""
    with pytest.raises(ValueError, match="attribute or index access"):
        ChatPromptTemplate.from_messages([("system", "ok"), ("human", "{q.__init__.__globals__}")])


# -- missing variables ---------------------------------------------------------------------------------


def test_missing_variable_error_names_variable_needs_given_and_fix() -> None:
    """A missing variable's KeyError names it, the variables needed, the keys given, and the fix."""
    with pytest.raises(KeyError) as caught:
        PromptTemplate.from_template("{a} {b}").invoke({"a": 1, "c": 2})
    message = caught.value.args[0]
    assert message == (
        "Input to PromptTemplate is missing variables {'b'}.  Expected: ['a', 'b'] Received: ['a', 'c']\n"
        "Note: if you intended {b} to be part of the string and not a variable, please escape it with "
        "double curly braces like: '{{b}}'. Otherwise pass it in the input dict or with .partial(b=...)."
    )


def test_format_reports_missing_variable_like_invoke() -> None:
    """format(**kwargs) raises the same helpful KeyError as invoke."""
    with pytest.raises(KeyError, match=r"missing variables \{'x'\}"):
        PromptTemplate.from_template("{x}").format()


def test_chat_prompt_reports_missing_variable_against_the_whole_prompt() -> None:
    """In a chat prompt the error lists every variable of the prompt, not one message's."""
    prompt = ChatPromptTemplate.from_messages([("system", "{role}"), ("human", "{question}")])
    with pytest.raises(KeyError) as caught:
        prompt.invoke({"role": "tutor"})
    assert caught.value.args[0].startswith(
        "Input to ChatPromptTemplate is missing variables {'question'}.  Expected: ['question', 'role'] "
        "Received: ['role']\n"
    )


def test_missing_placeholder_error_asks_for_a_list_of_messages() -> None:
    """A missing required placeholder's error says it takes a list of messages."""
    prompt = ChatPromptTemplate.from_messages([MessagesPlaceholder("history"), ("human", "{q}")])
    with pytest.raises(KeyError, match=r"is a MessagesPlaceholder: pass a list of messages"):
        prompt.invoke({"q": "hi"})


def test_key_error_raised_by_a_value_is_not_reported_as_missing_variable() -> None:
    """A KeyError raised inside a value's __format__ propagates unchanged."""

    class Exploding:
        def __format__(self, spec: str) -> str:
            raise KeyError("from the value")

    with pytest.raises(KeyError, match="from the value"):
        PromptTemplate.from_template("{x}").format(x=Exploding())


# -- ChatPromptTemplate --------------------------------------------------------------------------------


def test_chat_prompt_from_template_is_one_human_message() -> None:
    """from_template makes a prompt of one human message (the seed example's output)."""
    value = ChatPromptTemplate.from_template("What is 1 + {number}?").invoke({"number": "2"})
    assert isinstance(value, ChatPromptValue)
    assert value.messages == [HumanMessage(content="What is 1 + 2?")]


def test_chat_prompt_roles_map_to_message_classes() -> None:
    """system/human/user/ai/assistant tuples become the matching message classes."""
    prompt = ChatPromptTemplate.from_messages(
        [("system", "s{x}"), ("human", "h{x}"), ("user", "u{x}"), ("ai", "a{x}"), ("assistant", "b{x}")]
    )
    assert prompt.format_messages(x=1) == [
        SystemMessage("s1"), HumanMessage("h1"), HumanMessage("u1"), AIMessage("a1"), AIMessage("b1"),
    ]  # fmt: skip


def test_chat_prompt_accepts_strs_dicts_messages_and_classes() -> None:
    """A str is a human template, a role dict a template, a message is kept as is, and a
    message or template class in a tuple stands for its role."""
    fixed = SystemMessage("fixed {not_a_variable}")
    prompt = ChatPromptTemplate.from_messages(
        [fixed, "s {a}", {"role": "assistant", "content": "d {a}"}, (HumanMessage, "c {a}"),
         (SystemMessagePromptTemplate, "t {a}")]
    )  # fmt: skip
    messages = prompt.format_messages(a=1)
    assert messages == [
        fixed,
        HumanMessage("s 1"),
        AIMessage("d 1"),
        HumanMessage("c 1"),
        SystemMessage("t 1"),
    ]
    assert messages[0] is fixed


def test_placeholder_splices_in_messages_converted_from_message_likes() -> None:
    """A placeholder's value may hold messages, role tuples, strs and role dicts."""
    prompt = ChatPromptTemplate.from_messages([("placeholder", "{history}"), ("human", "{q}")])
    messages = prompt.format_messages(history=[("ai", "a"), "b", {"role": "user", "content": "c"}], q="d")
    assert messages == [AIMessage("a"), HumanMessage("b"), HumanMessage("c"), HumanMessage("d")]


def test_placeholder_tuple_is_optional_and_defaults_to_no_messages() -> None:
    """`("placeholder", "{h}")` is optional: it is a partial `[]`, not an input variable."""
    prompt = ChatPromptTemplate.from_messages([("placeholder", "{h}"), ("human", "x")])
    assert (prompt.input_variables, prompt.optional_variables, prompt.partial_variables) == (
        [],
        ["h"],
        {"h": []},
    )
    assert prompt.format_messages() == [HumanMessage("x")]


def test_placeholder_keeps_only_the_last_n_messages() -> None:
    """n_messages keeps the last n messages of the placeholder's value."""
    prompt = ChatPromptTemplate.from_messages([MessagesPlaceholder("h", n_messages=1)])
    assert prompt.format_messages(h=["a", "b"]) == [HumanMessage("b")]


def test_placeholder_value_that_is_not_a_list_is_rejected() -> None:
    """A placeholder value must be a list; the ValueError shows what to pass."""
    prompt = ChatPromptTemplate.from_messages([MessagesPlaceholder("h")])
    with pytest.raises(ValueError, match=r"takes a list of messages, got str"):
        prompt.invoke({"h": "not a list"})


def test_chat_prompt_partial_and_callable_partial() -> None:
    """partial() on a chat prompt fixes variables for every message."""
    prompt = ChatPromptTemplate.from_messages([("system", "{a}"), ("human", "{b}")]).partial(a=lambda: "A")
    assert prompt.input_variables == ["b"]
    assert prompt.format_messages(b="B") == [SystemMessage("A"), HumanMessage("B")]


def test_chat_prompt_to_string_is_a_transcript() -> None:
    """ChatPromptValue.to_string() / format() give the `Role: text` transcript."""
    prompt = ChatPromptTemplate.from_messages([("system", "be {x}"), ("human", "hi")])
    assert prompt.format(x="brief") == "System: be brief\nHuman: hi"


def test_chat_prompts_add_up() -> None:
    """`+` joins chat prompts, messages, lists of message-likes and strs (as a human message)."""
    prompt = ChatPromptTemplate.from_messages([("system", "{a}")]) + [("ai", "{b}")] + "{c}"
    assert prompt.format_messages(a=1, b=2, c=3) == [SystemMessage("1"), AIMessage("2"), HumanMessage("3")]


def test_message_plus_chat_prompt_is_a_chat_prompt() -> None:
    """A message + a chat prompt starts a chat prompt with that message."""
    prompt = SystemMessage("rules") + ChatPromptTemplate.from_messages([("human", "{q}")])
    assert prompt.format_messages(q="hi") == [SystemMessage("rules"), HumanMessage("hi")]


def test_nested_chat_prompt_is_one_entry() -> None:
    """A chat prompt inside another contributes its messages and variables."""
    inner = ChatPromptTemplate.from_messages([("system", "{a}")])
    outer = ChatPromptTemplate.from_messages([inner, ("human", "{b}")])
    assert outer.input_variables == ["a", "b"]
    assert outer.format_messages(a=1, b=2) == [SystemMessage("1"), HumanMessage("2")]


def test_append_adds_the_entry_and_its_variables() -> None:
    """append() adds an entry and updates input_variables (langchain-core leaves them stale)."""
    prompt = ChatPromptTemplate.from_messages([("human", "{a}")])
    prompt.append(("ai", "{b}"))
    assert prompt.input_variables == ["a", "b"]
    assert prompt.format_messages(a=1, b=2) == [HumanMessage("1"), AIMessage("2")]


def test_slicing_a_chat_prompt_gives_a_chat_prompt() -> None:
    """prompt[1:] is a chat prompt of those entries; prompt[i] is one entry."""
    prompt = ChatPromptTemplate.from_messages([("human", "{a}"), ("ai", "{b}")])
    assert prompt[1:].input_variables == ["b"]
    assert isinstance(prompt[0], HumanMessagePromptTemplate)
    assert len(prompt) == 2


def test_unknown_role_is_rejected_with_the_valid_ones() -> None:
    """An unknown role names the roles that exist."""
    with pytest.raises(ValueError, match=r"unexpected message type 'robot': use one of 'human'"):
        ChatPromptTemplate.from_messages([("robot", "x")])


def test_placeholder_without_braces_is_rejected() -> None:
    """A placeholder template must be `{name}`."""
    with pytest.raises(ValueError, match=r"expected a variable name in braces"):
        ChatPromptTemplate.from_messages([("placeholder", "history")])


def test_chat_message_template_sets_role_and_additional_kwargs() -> None:
    """ChatMessagePromptTemplate formats to a ChatMessage with its role; additional_kwargs
    of message templates go on every message."""
    chat = ChatMessagePromptTemplate.from_template("{x}", role="critic").format(x=1)
    human = HumanMessagePromptTemplate.from_template("{x}", additional_kwargs={"k": 1}).format(x=2)
    assert chat == ChatMessage("1", role="critic")
    assert human == HumanMessage("2", additional_kwargs={"k": 1})


def test_content_block_templates_format_text_and_images() -> None:
    """A list template formats text blocks (empty ones dropped) and image_url blocks."""
    prompt = ChatPromptTemplate.from_messages(
        [
            (
                "human",
                [
                    "Describe {thing}",
                    {"type": "image_url", "image_url": "{image}"},
                    {"type": "text", "text": ""},
                ],
            )
        ]
    )
    assert prompt.input_variables == ["image", "thing"]
    assert prompt.format_messages(thing="it", image="https://x/y.png") == [
        HumanMessage(
            [
                {"type": "text", "text": "Describe it"},
                {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
            ]
        )
    ]


# -- langchain-style subclasses ------------------------------------------------------------------------


def test_string_prompt_subclass_with_format_works_under_invoke() -> None:
    """A StringPromptTemplate subclass that implements `format` (the langchain way) is
    invoked through it, and its missing variables are still reported."""

    class Shout(StringPromptTemplate):
        def format(self, **kwargs: Any) -> str:
            return str(kwargs["word"]).upper()

    prompt = Shout(input_variables=["word"])
    assert prompt.invoke({"word": "hi"}).to_string() == "HI"
    with pytest.raises(KeyError, match=r"missing variables \{'word'\}"):
        prompt.invoke({})


def test_prompt_template_subclass_overriding_format_is_used_everywhere() -> None:
    """A PromptTemplate subclass's own `format` is used by invoke and inside message templates."""

    class Upper(PromptTemplate):
        def format(self, **kwargs: Any) -> str:
            return super().format(**kwargs).upper()

    prompt = Upper(template="hi {x}")
    chat = ChatPromptTemplate.from_messages([HumanMessagePromptTemplate(prompt=prompt)])
    assert prompt.invoke({"x": "a"}).to_string() == "HI A"
    assert chat.format_messages(x="b") == [HumanMessage("HI B")]


def test_chat_prompt_subclass_overriding_format_messages_is_used_by_invoke() -> None:
    """A ChatPromptTemplate subclass's `format_messages` decides what invoke returns."""

    class Reversed(ChatPromptTemplate):
        def format_messages(self, **kwargs: Any) -> list[Any]:
            return list(reversed(super().format_messages(**kwargs)))

    prompt = Reversed.from_messages([("system", "s"), ("human", "{q}")])
    assert prompt.invoke({"q": "x"}).to_messages() == [HumanMessage("x"), SystemMessage("s")]


def test_partial_of_a_langchain_style_subclass_fixes_the_variable() -> None:
    """`.partial()` works on a StringPromptTemplate subclass built from keyword fields."""

    class Pair(StringPromptTemplate):
        def format(self, **kwargs: Any) -> str:
            values = self._merge_partial_and_user_variables(**kwargs)
            return f"{values['a']}-{values['b']}"

    prompt = Pair(input_variables=["a", "b"]).partial(a="x")
    assert prompt.input_variables == ["b"]
    assert prompt.invoke({"b": "y"}).to_string() == "x-y"


def test_missing_variable_error_lists_only_the_keys_the_caller_gave() -> None:
    """Partial variables (and optional placeholders' defaults) are not shown as given keys."""
    prompt = ChatPromptTemplate.from_messages([("placeholder", "{h}"), ("human", "{a}{b}")]).partial(a="A")
    with pytest.raises(KeyError, match=r"Expected: \['b'\] Received: \['c'\]\\n"):
        prompt.invoke({"c": 1})
