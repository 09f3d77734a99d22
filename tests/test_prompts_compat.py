"""Prompts print and format exactly as langchain-core's for the same code.

Each case is one expression, evaluated once against `runwire` and once against
`langchain_core` (`P` is the prompts module, `M` the messages module); `repr` and `str` of the
results must be equal. Known difference, not covered here: `input_types` of a chat prompt
with a placeholder holds `list[AnyMessage]` spelled with runwire's message classes, where
langchain-core shows pydantic's annotated union.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import langchain_core.messages as lc_messages
import langchain_core.prompts as lc_prompts
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runwire.messages as rw_messages
import runwire.prompts as rw_prompts

pytestmark = pytest.mark.reference

CASES = [
    # prompt values, including the seed example's output
    'P.ChatPromptTemplate.from_template("What is 1 + {number}?").invoke({"number": "2"})',
    'P.PromptTemplate.from_template("hi {x}").invoke({"x": 1})',
    'chat([("system", "s"), ("ai", "{a}")]).invoke({"a": [1]})',
    "chat([]).invoke({})",
    'P.ChatPromptTemplate.from_template("{x}").invoke({"x": 1}).to_string()',
    'P.PromptTemplate.from_template("{x}").invoke({"x": 1}).to_messages()',
    # templates
    'P.PromptTemplate.from_template("a {x} {y}", partial_variables={"y": "Y"})',
    'P.PromptTemplate.from_template("a {x} {y}").partial(x="1")',
    'P.PromptTemplate.from_template("a {x}", name="nm", tags=["t"], metadata={"m": 1})',
    'P.PromptTemplate.from_template("a {x}") + "b {y}"',
    'P.ChatPromptTemplate.from_template("What is 1 + {number}?")',
    'chat([("system", "s {a}"), ("human", "{q}"), ("ai", "ok"), M.SystemMessage("x")])',
    'chat([("system", "s"), ("human", "{q}")]).partial(q="x")',
    'chat([("human", "a")]) + [("ai", "{b}")]',
    'P.ChatMessagePromptTemplate.from_template("x {y}", role="r")',
    'P.HumanMessagePromptTemplate.from_template("x {y}", additional_kwargs={"k": 1})',
    'P.MessagesPlaceholder("h", optional=True, n_messages=3)',
    'P.MessagesPlaceholder("h")',
    # formatting results
    'P.PromptTemplate.from_template("{x!r} {y:>5} {{z}}").format(x="a", y="b")',
    'chat([("system", "s"), ("human", "{q}")]).format(q="Q")',
    'chat([P.MessagesPlaceholder("h", n_messages=1), ("user", "{q}")]).invoke({"q": 1, "h": ["x", "y"]})',
    'chat([{"role": "assistant", "content": "{q}"}, "plain {w}"]).format_messages(q=1, w=2)',
    'chat([("human", ["{t}", {"type": "image_url", "image_url": {"url": "{u}"}}])]).invoke({"t": 1, "u": 2})',
    'chat([("human", [{"type": "custom", "x": "{t}", "l": ["{t}", 1]}])]).invoke({"t": "T"})',
    # pretty_repr
    'chat([("human", "a {x}"), ("placeholder", "{h}"), ("ai", "b")]).pretty_repr()',
    'chat([("system", "a {x}"), ("placeholder", "{h}")]).pretty_repr(html=True)',
]


def evaluate(expression: str, prompts: Any, messages: Any) -> Any:
    """`expression` with P = the prompts module, M = the messages module, chat = from_messages."""
    return eval(expression, {"P": prompts, "M": messages, "chat": prompts.ChatPromptTemplate.from_messages})


@pytest.mark.parametrize("expression", CASES)
def test_repr_and_str_match_langchain_core(expression: str) -> None:
    """The same expression prints identically (`repr` and `str`) on runwire and langchain-core."""
    ours = evaluate(expression, rw_prompts, rw_messages)
    theirs = evaluate(expression, lc_prompts, lc_messages)
    assert (repr(ours), str(ours)) == (repr(theirs), str(theirs))


def test_seed_example_prints_the_documented_prompt_value() -> None:
    """`str(ChatPromptValue)` is the line the seed example's expected output shows."""
    value = rw_prompts.ChatPromptTemplate.from_template("What is 1 + {number}?").invoke({"number": "2"})
    assert (
        str(value)
        == "messages=[HumanMessage(content='What is 1 + 2?', additional_kwargs={}, response_metadata={})]"
    )


# -- property: any literal-plus-fields template formats as langchain-core's does ------------------------

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True).filter(lambda n: n != "stop")
literals = st.text(max_size=12).map(lambda s: s.replace("{", "{{").replace("}", "}}"))
fields = st.tuples(names, st.sampled_from(["", "!r", "!s", ":>3", ":^5"])).map(
    lambda f: "{" + f[0] + f[1] + "}"
)
templates = st.lists(st.one_of(literals, fields), max_size=8).map("".join)
values = st.one_of(st.text(max_size=8), st.integers(), st.floats(allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(template=templates, data=st.data())
def test_any_fstring_template_formats_like_langchain_core(template: str, data: st.DataObject) -> None:
    """For any template of literal text (braces escaped) and `{name}` fields, runwire's
    PromptTemplate finds the same variables and formats to the same string."""
    ours = rw_prompts.PromptTemplate.from_template(template)
    theirs = lc_prompts.PromptTemplate.from_template(template)
    assert ours.input_variables == theirs.input_variables
    kwargs = {name: data.draw(values) for name in ours.input_variables}
    assert ours.format(**kwargs) == theirs.format(**kwargs)


@settings(max_examples=100, deadline=None)
@given(system=templates, human=templates, data=st.data())
def test_any_chat_template_formats_like_langchain_core(system: str, human: str, data: st.DataObject) -> None:
    """A chat prompt of such templates gives the same messages as langchain-core's."""
    spec = [("system", system), ("human", human)]
    ours = rw_prompts.ChatPromptTemplate.from_messages(spec)
    theirs = lc_prompts.ChatPromptTemplate.from_messages(spec)
    kwargs = {name: data.draw(values) for name in ours.input_variables}
    assert repr(ours.invoke(kwargs)) == repr(theirs.invoke(kwargs))


# -- import cost -----------------------------------------------------------------------------------------


def test_prompts_import_no_heavy_modules_of_their_own() -> None:
    """Importing runwire.prompts (after the runtime and messages it builds on) loads no
    pydantic, asyncio, inspect or logging, nor any optional extra's package (jinja2,
    defusedxml, jsonpatch) or the XML parser."""
    heavy = "{'pydantic', 'asyncio', 'inspect', 'logging', 'jinja2', 'defusedxml', 'jsonpatch', 'xml.etree'}"
    code = (
        "import sys, runwire.runnables.base, runwire.messages, runwire.output_parsers.base\n"
        "before = set(sys.modules)\n"
        "import runwire.prompts, runwire.output_parsers, runwire.example_selectors\n"
        f"print(sorted({heavy} & (set(sys.modules) - before)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_prompts_import_no_pydantic_or_asyncio_at_all() -> None:
    """`import runwire.prompts` in a fresh interpreter loads neither pydantic nor asyncio."""
    code = "import sys, runwire.prompts\nprint(sorted({'pydantic', 'asyncio'} & set(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
