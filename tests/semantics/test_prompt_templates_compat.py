"""Prompt templates, differentially: few-shot prompts, example selectors, message and content
templates, PromptTemplate methods, and the mustache and jinja2 formats (same program on
langchain-core and runwire). Mustache is also checked against langchain-core's renderer on
generated templates. Error texts: each library's own where they differ (runwire appends how
to fix; langchain-core wraps some ValueErrors in pydantic's ValidationError, a ValueError).
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# -- few-shot prompts and example selectors ------------------------------------------------------

EXAMPLES = [
    {"q": "2 + 2", "a": "4"},
    {"q": "the capital of France", "a": "Paris"},
    {"q": "a long question with many words in it", "a": "yes"},
]


def _example_prompt(lib: Any) -> Any:
    return lib.PromptTemplate.from_template("Q: {q}\nA: {a}")


def test_few_shot_prompt_formats_like_langchain(lib: Any) -> None:
    """Prefix, examples and suffix join with the separator; the variables are prefix + suffix's."""
    prompt = lib.FewShotPromptTemplate(
        examples=EXAMPLES[:2],
        example_prompt=_example_prompt(lib),
        prefix="You are {role}.",
        suffix="Q: {input}\nA:",
        example_separator="\n---\n",
    )
    assert prompt.input_variables == ["input", "role"]
    assert prompt.invoke({"input": "1 + 1", "role": "a tutor"}).to_string() == (
        "You are a tutor.\n---\nQ: 2 + 2\nA: 4\n---\nQ: the capital of France\nA: Paris\n---\nQ: 1 + 1\nA:"
    )
    assert repr(prompt).startswith("FewShotPromptTemplate(input_variables=['input', 'role'], input_types={}")
    if lib.name == "langchain_core":  # its partial() copies a private field pydantic then refuses
        with pytest.raises(ValueError, match="_serialized"):
            prompt.partial(role="a bot")
    else:
        partial = prompt.partial(role="a bot")
        assert partial.input_variables == ["input"]
        assert partial.format(input="x").startswith("You are a bot.")


async def test_few_shot_prompt_async(lib: Any) -> None:
    """`aformat` and `ainvoke` give the same text."""
    prompt = lib.FewShotPromptTemplate(
        examples=EXAMPLES[:1], example_prompt=_example_prompt(lib), suffix="{x}"
    )
    assert await prompt.aformat(x="X") == "Q: 2 + 2\nA: 4\n\nX"
    assert (await prompt.ainvoke({"x": "X"})).to_string() == "Q: 2 + 2\nA: 4\n\nX"


async def test_few_shot_ainvoke_asks_the_selector_asynchronously(lib: Any) -> None:
    """Under ainvoke the selector's aselect_examples is used (an async store, say)."""

    class AsyncOnly(lib.BaseExampleSelector):  # type: ignore[misc, name-defined]
        def add_example(self, example: dict[str, str]) -> None:
            raise NotImplementedError

        def select_examples(self, input_variables: dict[str, str]) -> list[dict[str, Any]]:
            return [EXAMPLES[0]]

        async def aselect_examples(self, input_variables: dict[str, str]) -> list[dict[str, Any]]:
            return [EXAMPLES[1]]

    text = lib.FewShotPromptTemplate(
        example_selector=AsyncOnly(), example_prompt=_example_prompt(lib), suffix="{x}"
    )
    assert (await text.ainvoke({"x": "X"})).to_string() == "Q: the capital of France\nA: Paris\n\nX"
    assert text.invoke({"x": "X"}).to_string() == "Q: 2 + 2\nA: 4\n\nX"
    chat = lib.FewShotChatMessagePromptTemplate(
        example_selector=AsyncOnly(),
        example_prompt=lib.ChatPromptTemplate.from_messages([("human", "{q}"), ("ai", "{a}")]),
    )
    assert [m.content for m in (await chat.ainvoke({})).to_messages()] == ["the capital of France", "Paris"]
    with_templates = lib.FewShotPromptWithTemplates(
        example_selector=AsyncOnly(),
        example_prompt=_example_prompt(lib),
        suffix=lib.PromptTemplate.from_template("{x}"),
        input_variables=["x"],
    )
    assert (await with_templates.ainvoke({"x": "X"})).to_string() == "Q: the capital of France\nA: Paris\n\nX"


def test_few_shot_needs_examples_or_selector(lib: Any) -> None:
    """Exactly one of examples and example_selector (ValueError; pydantic's in langchain-core)."""
    with pytest.raises(ValueError, match="One of 'examples' and 'example_selector' should be provided"):
        lib.FewShotPromptTemplate(example_prompt=_example_prompt(lib), suffix="{x}")
    selector = lib.LengthBasedExampleSelector(examples=EXAMPLES, example_prompt=_example_prompt(lib))
    with pytest.raises(ValueError, match="Only one of 'examples' and 'example_selector' should be provided"):
        lib.FewShotPromptTemplate(
            examples=EXAMPLES, example_selector=selector, example_prompt=_example_prompt(lib), suffix="{x}"
        )


def test_few_shot_with_templates(lib: Any) -> None:
    """Prefix and suffix are prompt templates, each given its own variables."""
    prompt = lib.FewShotPromptWithTemplates(
        examples=EXAMPLES[:1],
        example_prompt=_example_prompt(lib),
        prefix=lib.PromptTemplate.from_template("Hi {name}"),
        suffix=lib.PromptTemplate.from_template("Q: {input}"),
        input_variables=["input", "name"],
    )
    assert repr(prompt).startswith(
        "FewShotPromptWithTemplates(input_variables=['input', 'name'], input_types={}"
    )
    assert prompt.invoke({"input": "x", "name": "n"}).to_string() == "Hi n\n\nQ: 2 + 2\nA: 4\n\nQ: x"
    assert prompt.asdict()["_type"] == "few_shot_with_templates"
    with pytest.raises(ValueError, match="based on prefix/suffix expected"):
        lib.FewShotPromptWithTemplates(
            examples=EXAMPLES[:1],
            example_prompt=_example_prompt(lib),
            suffix=lib.PromptTemplate.from_template("Q: {input}"),
            input_variables=[],
            validate_template=True,
        )


async def test_few_shot_with_templates_async_selector(lib: Any) -> None:
    """With a selector, aformat asks aselect_examples."""
    selector = lib.LengthBasedExampleSelector(
        examples=list(EXAMPLES), example_prompt=_example_prompt(lib), max_length=8
    )
    prompt = lib.FewShotPromptWithTemplates(
        example_selector=selector,
        example_prompt=_example_prompt(lib),
        suffix=lib.PromptTemplate.from_template("Q: {input}"),
        input_variables=["input"],
    )
    assert await prompt.aformat(input="a") == "Q: 2 + 2\nA: 4\n\nQ: a"
    assert prompt.format(input="a") == "Q: 2 + 2\nA: 4\n\nQ: a"


def test_length_based_selector(lib: Any) -> None:
    """Examples are taken in order while they fit max_length minus the input's word count."""
    selector = lib.LengthBasedExampleSelector(
        examples=list(EXAMPLES), example_prompt=_example_prompt(lib), max_length=14
    )
    assert selector.example_text_lengths == [6, 7, 11]
    assert selector.select_examples({"input": "one two three"}) == EXAMPLES[:1]
    assert selector.select_examples({"input": ""}) == EXAMPLES[:2]
    selector.add_example({"q": "x", "a": "y"})
    assert selector.example_text_lengths[-1] == 4
    prompt = lib.FewShotPromptTemplate(
        example_selector=selector, example_prompt=_example_prompt(lib), suffix="Q: {input}"
    )
    assert prompt.format(input="a b") == "Q: 2 + 2\nA: 4\n\nQ: a b"
    assert prompt.format(input="a b c d e f g h i j k") == "Q: a b c d e f g h i j k"


def test_custom_selector_with_few_shot_chat(lib: Any) -> None:
    """A BaseExampleSelector subclass picks per call; the chat few-shot prompt nests in a chat prompt."""

    class Matching(lib.BaseExampleSelector):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            self.examples = list(EXAMPLES)

        def add_example(self, example: dict[str, str]) -> None:
            self.examples.append(example)

        def select_examples(self, input_variables: dict[str, str]) -> list[dict[str, Any]]:
            return [e for e in self.examples if input_variables["input"] in e["q"]]

    example_prompt = lib.ChatPromptTemplate.from_messages([("human", "{q}"), ("ai", "{a}")])
    few_shot = lib.FewShotChatMessagePromptTemplate(
        example_selector=Matching(), example_prompt=example_prompt, input_variables=["input"]
    )
    prompt = lib.ChatPromptTemplate.from_messages([("system", "Be brief."), few_shot, ("human", "{input}")])
    assert prompt.input_variables == ["input"]
    messages = prompt.invoke({"input": "France"}).to_messages()
    assert [(m.type, m.content) for m in messages] == [
        ("system", "Be brief."),
        ("human", "the capital of France"),
        ("ai", "Paris"),
        ("human", "France"),
    ]
    fixed = lib.FewShotChatMessagePromptTemplate(examples=EXAMPLES[:1], example_prompt=example_prompt)
    assert repr(fixed).startswith(
        "FewShotChatMessagePromptTemplate(examples=[{'q': '2 + 2', 'a': '4'}], input_variables=[]"
    )
    assert fixed.format() == "Human: 2 + 2\nAI: 4"
    with pytest.raises(NotImplementedError):
        fixed.pretty_repr()


# -- message and content templates, PromptTemplate methods ----------------------------------------


def test_message_templates_and_content_templates(lib: Any) -> None:
    """ChatMessage/Dict/Image templates, input_variables= and partial_variables= on messages."""
    chat = lib.ChatMessagePromptTemplate.from_template("hi {x}", role="robot")
    assert (
        repr(chat.format(x=1))
        == "ChatMessage(content='hi 1', additional_kwargs={}, response_metadata={}, role='robot')"
    )
    human = lib.HumanMessagePromptTemplate.from_template("{a} {b}", partial_variables={"a": 1})
    assert human.format(b=2).content == "1 2"
    ignored = lib.HumanMessagePromptTemplate.from_template("{a} {b}", input_variables=["a"])
    assert ignored.input_variables == ["a", "b"]
    assert lib.DictPromptTemplate(template={"k": "{x}", "n": ["{y}", 1]}, template_format="f-string").format(
        x=1, y=2
    ) == {"k": "1", "n": ["2", 1]}
    image = lib.ImagePromptTemplate(template={"url": "{u}", "detail": "low"}, input_variables=["u"])
    assert image.format(u="http://x/y.png") == {"url": "http://x/y.png", "detail": "low"}
    assert repr(image) == (
        "ImagePromptTemplate(input_variables=['u'], input_types={}, partial_variables={}, "
        "template={'url': '{u}', 'detail': 'low'})"
    )
    value = image.invoke({"u": "http://x/y.png"})
    assert repr(value) == "ImagePromptValue(image_url={'detail': 'low', 'url': 'http://x/y.png'})"
    assert value.to_string() == "http://x/y.png"
    assert repr(value.to_messages()[0].content) == "[{'detail': 'low', 'url': 'http://x/y.png'}]"
    assert lib.ImagePromptTemplate(template={"url": "{u}"}).input_variables == []
    with pytest.raises(ValueError, match="cannot contain any of 'url', 'path', or 'detail'"):
        lib.ImagePromptTemplate(input_variables=["url"])
    as_runnable = lib.DictPromptTemplate(template={"q": "{x}!"}, template_format="f-string")
    recorder = lib.Recorder()
    assert as_runnable.invoke({"x": "hi"}, config={"callbacks": [recorder]}) == {"q": "hi!"}
    assert [e.label for e in recorder.events.starts()] == ["DictPromptTemplate"]
    assert recorder.events.starts()[0].kwargs.get("run_type") == "prompt"
    with pytest.raises(ValueError, match="Partial variables are not supported for list of templates"):
        lib.HumanMessagePromptTemplate.from_template(["{a}", "{b}"], partial_variables={"a": 1})


def test_custom_string_prompt_template(lib: Any) -> None:
    """A StringPromptTemplate subclass that implements `format` invokes like a built-in one."""

    class Shout(lib.StringPromptTemplate):  # type: ignore[misc, name-defined]
        def format(self, **kwargs: Any) -> str:
            return str(kwargs["word"]).upper()

    prompt = Shout(input_variables=["word"])
    assert prompt.invoke({"word": "hi"}).to_string() == "HI"
    assert prompt.format_prompt(word="yo").to_string() == "YO"


def test_prompt_template_methods(lib: Any) -> None:
    """partial, format_prompt, +, pretty_repr and asdict give langchain-core's values."""
    prompt = lib.PromptTemplate.from_template("{a} and {b}")
    assert prompt.partial(a="1").pretty_repr() == "1 and {b}"
    assert prompt.format_prompt(a=1, b=2).to_string() == "1 and 2"
    combined = prompt + " then {c}"
    assert combined.input_variables == ["a", "b", "c"]
    assert combined.template == "{a} and {b} then {c}"
    assert prompt.asdict() == {
        "name": None,
        "input_variables": ["a", "b"],
        "optional_variables": [],
        "output_parser": None,
        "partial_variables": {},
        "metadata": None,
        "tags": None,
        "template": "{a} and {b}",
        "template_format": "f-string",
        "validate_template": False,
        "_type": "prompt",
    }
    few_shot = lib.FewShotPromptTemplate(
        examples=EXAMPLES[:1], example_prompt=_example_prompt(lib), suffix="{x}"
    )
    dumped = few_shot.asdict()
    assert dumped["_type"] == "few_shot"
    assert dumped["example_prompt"]["template"] == "Q: {q}\nA: {a}"
    assert "_type" not in dumped["example_prompt"]


def test_prompt_template_errors(lib: Any) -> None:
    """langchain-core's error types and texts (runwire adds how to fix)."""
    with pytest.raises(ValueError, match="Unsupported template format: handlebars"):
        lib.PromptTemplate.from_template("x", template_format="handlebars")
    with pytest.raises(ValueError, match="Mustache templates cannot be validated"):
        lib.PromptTemplate(
            template="{{a}}", input_variables=["a"], template_format="mustache", validate_template=True
        )
    with pytest.raises(ValueError, match="Cannot add templates of different formats"):
        lib.PromptTemplate.from_template("{a}") + lib.PromptTemplate.from_template(
            "{{b}}", template_format="mustache"
        )
    with pytest.raises(ValueError, match="Cannot have same variable partialed twice"):
        lib.PromptTemplate.from_template(
            "{a}", partial_variables={"a": 1}
        ) + lib.PromptTemplate.from_template("{a}", partial_variables={"a": 2})
    with pytest.raises(NotImplementedError, match="Unsupported operand type for \\+"):
        lib.PromptTemplate.from_template("{a}") + 3
    with pytest.raises(ValueError, match="Invalid template format 'mustache', should be one of"):
        lib.check_valid_template("{{a}}", "mustache", ["a"])


# -- mustache --------------------------------------------------------------------------------------

MUSTACHE_CASES = [
    ("Hello {{name}}!", {"name": "Ada"}),
    ("{{#items}}- {{name}}\n{{/items}}", {"items": [{"name": "a"}, {"name": "b"}]}),
    ("{{#items}}{{.}},{{/items}}", {"items": [0, 1, "", "x", None, False, True]}),
    ("{{^empty}}none{{/empty}}|{{^full}}never{{/full}}", {"empty": [], "full": [1]}),
    ("{{person.name}} is {{person.age}}; {{person.missing}}.", {"person": {"name": "Ada", "age": 36}}),
    (
        "{{list.1}} {{list.9}} {{zero}} {{false}} {{none}} {{empty}}",
        {"list": ["a", "b"], "zero": 0, "false": False},
    ),
    ("{{html}} {{{html}}} {{& html}}", {"html": '<b class="x">&\'</b>'}),
    ("{{#flag}}\n  on\n{{/flag}}\n  {{! comment }}\ntext\n", {"flag": True}),
    ("{{=<% %>=}}<% x %> {{x}}", {"x": "1"}),
    ("{{#obj}}{{k}} {{outer}}{{/obj}}", {"obj": {"k": "v"}, "outer": "o"}),
    ("{{#s}}[{{.}}]{{/s}}", {"s": "str"}),
    ("{{#a}}{{#b}}{{c}}{{/b}}{{/a}}", {"a": {"b": [{"c": 1}, {"c": 2}]}}),
    ("{{obj}} {{n}}", {"obj": {"a": 1}, "n": 2.5}),
    ("{{> partial}}x", {}),
    ("{{x.__class__}}|{{x.upper}}", {"x": "s"}),
    (
        "{{#wrap}}Hi {{name}} {{&raw}} {{#x}}in{{/x}}{{/wrap}}!",
        {"wrap": lambda text, render: f"<{render(text)}>|{text}", "name": "A<", "raw": "<r>", "x": 1},
    ),
    (
        "{{#wrap}}{{name}}{{/wrap}}",
        {"wrap": lambda text, render: render(text, {"name": "in"}), "name": "out"},
    ),
]


@pytest.mark.parametrize(("template", "data"), MUSTACHE_CASES)
def test_mustache_renders_like_langchain(lib: Any, template: str, data: dict[str, Any]) -> None:
    """Sections, inverted sections, dotted names, escaping, standalone lines, delimiters."""
    prompt = lib.PromptTemplate.from_template(template, template_format="mustache")
    expected_vars = sorted(lib.mustache_template_vars(template))
    assert prompt.input_variables == expected_vars
    assert prompt.format(**data) == lib.mustache_formatter(template, **data)
    if lib.name == "runwire":
        import langchain_core.prompts.string as reference

        assert prompt.format(**data) == reference.mustache_formatter(template, **data)
        assert expected_vars == sorted(reference.mustache_template_vars(template))


def test_mustache_variables_are_top_level_names(lib: Any) -> None:
    """Variables are the top-level names outside sections; a chat prompt checks them on invoke."""
    assert lib.get_template_variables("{{a.b}} {{#s}}{{inner}}{{/s}} {{^t}}{{/t}} {{{u}}}", "mustache") == [
        "a",
        "s",
        "t",
        "u",
    ]
    chat = lib.ChatPromptTemplate.from_messages(
        [("system", "{{role}}"), ("human", "{{q}}")], template_format="mustache"
    )
    assert chat.input_variables == ["q", "role"]
    assert [m.content for m in chat.invoke({"role": "r", "q": "<q>"}).to_messages()] == ["r", "&lt;q&gt;"]
    with pytest.raises(KeyError, match="q"):
        chat.invoke({"role": "r"})
    blocks = lib.ChatPromptTemplate.from_messages(
        [("human", [{"type": "text", "text": "{{x}}"}, {"k": "{{y}}"}])], template_format="mustache"
    )
    assert blocks.invoke({"x": "1", "y": "2"}).to_messages()[0].content == [
        {"type": "text", "text": "1"},
        {"k": "2"},
    ]


def test_mustache_and_jinja2_repr_pretty_repr_partial(lib: Any) -> None:
    """repr shows the format; pretty_repr shows {name} for each variable; partial keeps the format."""
    mustache = lib.PromptTemplate.from_template("Hi {{name}} {{#s}}x{{/s}}", template_format="mustache")
    assert repr(mustache) == (
        "PromptTemplate(input_variables=['name', 's'], input_types={}, partial_variables={}, "
        "template='Hi {{name}} {{#s}}x{{/s}}', template_format='mustache')"
    )
    assert mustache.pretty_repr() == "Hi {name} x"
    assert mustache.partial(name="z").format(s=1) == "Hi z x"
    jinja = lib.PromptTemplate.from_template("Hi {{ name }}", template_format="jinja2")
    assert jinja.pretty_repr(html=True) == "Hi \x1b[33;1m\x1b[1;3m{name}\x1b[0m"
    chat = lib.ChatPromptTemplate.from_messages([("human", "Hi {{name}}")], template_format="mustache")
    assert chat.pretty_repr().endswith("Human Message =================================\n\nHi {name}")


@pytest.mark.parametrize("template", ["{{#a}}x", "{{/a}}", "{{#a}}{{/b}}", "{{ }}", "{{x", "{{=<% %>}}"])
def test_mustache_malformed_templates_raise(lib: Any, template: str) -> None:
    """Unclosed, unopened, mismatched and empty tags raise a SyntaxError (ChevronError) when built."""
    with pytest.raises(SyntaxError):
        lib.PromptTemplate.from_template(template, template_format="mustache")


_pieces = st.sampled_from(
    [
        "{{a}}",
        "{{{a}}}",
        "{{&b}}",
        "{{a.x}}",
        "{{l.0}}",
        "{{.}}",
        "{{#a}}",
        "{{/a}}",
        "{{^b}}",
        "{{/b}}",
        "{{#l}}",
        "{{/l}}",
        "{{! note }}",
        "text",
        " ",
        "\n",
        "<&\">'",
    ]
)
_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["", "s", "<x>"]))
_values = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["a", "x", "b"]), inner, max_size=2)
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(_pieces, max_size=10),
    data=st.dictionaries(st.sampled_from(["a", "b", "l"]), _values, max_size=3),
)
def test_mustache_matches_langchain_on_generated_templates(pieces: list[str], data: dict[str, Any]) -> None:
    """Any template from these pieces renders (or fails) exactly as langchain-core's renderer."""
    import langchain_core.prompts.string as reference

    import runwire.prompts.string as ours

    template = "".join(pieces)
    try:
        expected: Any = reference.mustache_formatter(template, **data)
    except SyntaxError:
        expected = SyntaxError
    try:
        got: Any = ours.mustache_formatter(template, **data)
    except SyntaxError:
        got = SyntaxError
    assert got == expected


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("utils.mustache", ["render", "tokenize", "ChevronError"]),
        (
            "prompts.string",
            ["mustache_formatter", "mustache_template_vars", "jinja2_formatter", "get_template_variables"],
        ),
        ("prompts.few_shot", ["FewShotPromptTemplate", "FewShotChatMessagePromptTemplate"]),
        ("prompts.few_shot_with_templates", ["FewShotPromptWithTemplates"]),
        ("prompts.image", ["ImagePromptTemplate"]),
        ("prompts.dict", ["DictPromptTemplate"]),
        ("prompt_values", ["ImagePromptValue"]),
        ("example_selectors.base", ["BaseExampleSelector"]),
        ("example_selectors.length_based", ["LengthBasedExampleSelector"]),
        ("output_parsers.pydantic", ["PydanticOutputParser"]),
        ("output_parsers.xml", ["XMLOutputParser"]),
        ("output_parsers.transform", ["BaseCumulativeTransformOutputParser", "BaseTransformOutputParser"]),
        ("output_parsers.format_instructions", ["JSON_FORMAT_INSTRUCTIONS"]),
    ],
)
def test_module_paths(lib: Any, module: str, names: list[str]) -> None:
    """langchain-core's module paths for these names exist under runwire too."""
    import importlib

    loaded = importlib.import_module(f"{lib.name}.{module}")
    assert all(hasattr(loaded, name) for name in names)
    assert importlib.import_module(f"{lib.name}.utils.mustache").render("{{a}}", {"a": "<"}) == "&lt;"


# -- jinja2 ----------------------------------------------------------------------------------------


def test_jinja2_renders_in_a_sandbox(lib: Any) -> None:
    """Variables come from the template; rendering is sandboxed (dunder access is refused)."""
    prompt = lib.PromptTemplate.from_template(
        "Hi {{ name|upper }}{% for i in items %} {{ i }}{% endfor %}", template_format="jinja2"
    )
    assert prompt.input_variables == ["items", "name"]
    assert prompt.invoke({"name": "ada", "items": [1, 2]}).to_string() == "Hi ADA 1 2"
    escape = lib.PromptTemplate.from_template("{{ x.__class__.__mro__ }}", template_format="jinja2")
    from jinja2.exceptions import SecurityError, UndefinedError

    try:
        out = escape.format(x="")
    except (SecurityError, UndefinedError):
        out = "refused"
    assert "object" not in out
    assert lib.jinja2_formatter("{{ a }}-{{ b }}", a=1, b=2) == "1-2"


def test_jinja2_validation_warns_like_langchain(lib: Any) -> None:
    """validate_template=True warns (UserWarning) about missing and extra variables; no error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prompt = lib.PromptTemplate(
            template="{{ a }} {{ b }}",
            input_variables=["a", "c"],
            template_format="jinja2",
            validate_template=True,
        )
    assert [str(w.message) for w in caught] == ["Missing variables: {'b'} Extra variables: {'c'}"]
    assert all(w.category is UserWarning for w in caught)
    assert prompt.input_variables == ["a", "b"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lib.PromptTemplate.from_template("{{ a }}", template_format="jinja2").format(a=1)
    assert caught == []


def test_jinja2_refused_for_dict_templates(lib: Any) -> None:
    """A dict content block cannot be a jinja2 template (langchain-core's text)."""
    with pytest.raises(
        ValueError, match="jinja2 is unsafe and is not supported for templates expressed as dicts"
    ):
        lib.ChatPromptTemplate.from_messages([("human", [{"k": "{{ y }}"}])], template_format="jinja2")
