"""Output parsers read model output like langchain-core's, and report as `run_type="parser"` runs.

Deliberate differences from langchain-core 1.8, pinned below:
* Invalid JSON raises `OutputParserException` whose message quotes the text (cut at 200
  characters), says what JSON was expected and where decoding failed; no troubleshooting URL.
* A non-str, non-message input is a TypeError saying what a parser takes (langchain-core
  raises a pydantic ValidationError).
* `aparse`/`aparse_result` run inline instead of in a thread: parsing does no I/O.
"""

from __future__ import annotations

import json
from typing import Any

import langchain_core.exceptions as lc_exceptions
import langchain_core.messages as lc_messages
import langchain_core.output_parsers as lc_parsers
import langchain_core.outputs as lc_outputs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runwire.messages as rw_messages
import runwire.output_parsers as rw_parsers
import runwire.outputs as rw_outputs
from runwire.callbacks import BaseCallbackHandler
from runwire.exceptions import ModelRefusalError
from runwire.exceptions import OutputParserException as ExceptionsOutputParserException
from runwire.messages import AIMessage, AIMessageChunk
from runwire.output_parsers import (
    BaseOutputParser,
    CommaSeparatedListOutputParser,
    JsonOutputParser,
    OutputParserException,
    StrOutputParser,
)
from runwire.outputs import ChatGeneration, Generation

# -- StrOutputParser ---------------------------------------------------------------------------------


def test_str_parser_returns_message_text() -> None:
    """A message parses to its text; a str to itself."""
    assert StrOutputParser().invoke(AIMessage("hello")) == "hello"
    assert StrOutputParser().invoke("plain") == "plain"


def test_str_parser_reads_text_blocks_of_list_content() -> None:
    """List content parses to its text blocks (other blocks skipped), legacy blocks included."""
    message = AIMessage(
        [{"text": "legacy "}, {"type": "reasoning", "reasoning": "hm"}, {"type": "text", "text": "new"}]
    )
    assert StrOutputParser().invoke(message) == "legacy new"


def test_str_parser_accepts_message_chunks() -> None:
    """A streamed chunk parses like a message."""
    assert StrOutputParser().invoke(AIMessageChunk("part")) == "part"


def test_parser_rejects_other_inputs_with_a_clear_type_error() -> None:
    """A dict (or anything but str/message) is a TypeError saying what a parser takes."""
    with pytest.raises(TypeError, match=r"StrOutputParser parses a str or a message, got dict"):
        StrOutputParser().invoke({"text": "x"})


# -- JsonOutputParser --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('```json\n{"a": [1, 2]}\n```', {"a": [1, 2]}),
        ("Sure:\n```json\n[true, null]\n```\nDone.", [True, None]),
        ('  {"a": "b"}  \n', {"a": "b"}),
        ('{"a": [1, 2', {"a": [1, 2]}),
    ],
)
def test_json_parser_reads_bare_fenced_and_truncated_json(text: str, expected: Any) -> None:
    """JSON parses bare, in a ```json fence (with text around it) or cut off mid-document."""
    assert JsonOutputParser().invoke(text) == expected


def test_json_parser_reads_message_content() -> None:
    """A message's text is parsed."""
    assert JsonOutputParser().invoke(AIMessage('{"ok": true}')) == {"ok": True}


def test_invalid_json_error_quotes_the_text_and_says_what_was_expected() -> None:
    """Text with no JSON raises OutputParserException quoting it, naming what JSON was
    expected and where decoding failed; llm_output keeps the text."""
    with pytest.raises(OutputParserException) as caught:
        JsonOutputParser().invoke("I cannot answer that.")
    assert str(caught.value) == (
        "Invalid json output: expected a JSON value (object, array, string, number, true, false or null), "
        "bare or in a ```json fence, but got 'I cannot answer that.' (Expecting value at line 1 column 1). "
        "Ask the model for JSON only, e.g. with get_format_instructions()."
    )
    assert caught.value.llm_output == "I cannot answer that."


def test_invalid_json_error_truncates_long_text() -> None:
    """A long invalid text is quoted up to 200 characters, with its full length."""
    with pytest.raises(OutputParserException, match=r"\.\.\. \(1000 chars\)"):
        JsonOutputParser().invoke("x" * 1000)


def test_output_parser_exception_is_a_value_error_importable_from_exceptions() -> None:
    """OutputParserException is a ValueError, and the same class in runwire.exceptions."""
    assert OutputParserException is ExceptionsOutputParserException
    assert issubclass(OutputParserException, ValueError)


def test_output_parser_exception_send_to_llm_needs_observation_and_output() -> None:
    """send_to_llm=True without observation and llm_output is a ValueError."""
    with pytest.raises(ValueError, match="send_to_llm=True needs both"):
        OutputParserException("bad", send_to_llm=True)


def test_json_parser_partial_result_is_none_for_non_json() -> None:
    """parse_result(partial=True) gives None, not an error, while no JSON has arrived yet."""
    assert JsonOutputParser().parse_result([Generation(text="Thinking")], partial=True) is None


def test_json_parser_raises_model_refusal_for_a_refusal_block() -> None:
    """A refusal content block raises ModelRefusalError carrying the message."""
    message = AIMessage([{"type": "refusal", "refusal": "I won't."}])
    with pytest.raises(ModelRefusalError, match=r"I won't\.") as caught:
        JsonOutputParser().invoke(message)
    assert caught.value.raw_message is message


def test_json_format_instructions_without_schema() -> None:
    """Without pydantic_object the instructions ask for a JSON object."""
    assert JsonOutputParser().get_format_instructions() == "Return a JSON object."


# -- CommaSeparatedListOutputParser ----------------------------------------------------------------------


def test_comma_list_parser_splits_and_keeps_quoted_commas() -> None:
    """Items are split on commas, spaces after commas dropped, quoted items kept whole."""
    assert CommaSeparatedListOutputParser().invoke('a, b,c, "d, e"') == ["a", "b", "c", "d, e"]


# -- compared with langchain-core ----------------------------------------------------------------------

SAME_AS_LANGCHAIN = [
    'O.StrOutputParser().invoke(M.AIMessage([{"type": "text", "text": "a"}, "b"]))',
    'O.JsonOutputParser().invoke("{\\"a\\": ]")',
    'O.JsonOutputParser().invoke(M.AIMessage("[1, {\\"b\\": \\"c\\"}]"))',
    'O.JsonOutputParser().parse_result([G.Generation(text="{\\"a\\"")], partial=True)',
    'O.CommaSeparatedListOutputParser().invoke("a, \\"b, c\\", d")',
    "O.CommaSeparatedListOutputParser().get_format_instructions()",
    'O.NumberedListOutputParser().invoke("1. a\\n2. b")',
    'O.MarkdownListOutputParser().invoke("- a\\n* b")',
    "O.StrOutputParser()",
    "O.JsonOutputParser(diff=True)",
    'O.StrOutputParser(name="nm")',
    "str(O.StrOutputParser())",
    'str(O.JsonOutputParser(name="n", diff=True))',
]


@pytest.mark.reference
@pytest.mark.parametrize("expression", SAME_AS_LANGCHAIN)
def test_parser_results_and_reprs_match_langchain_core(expression: str) -> None:
    """The same expression gives the same repr on runwire and on langchain-core."""

    def evaluate(parsers: Any, messages: Any, outputs: Any) -> str:
        return repr(eval(expression, {"O": parsers, "M": messages, "G": outputs}))

    assert evaluate(rw_parsers, rw_messages, rw_outputs) == evaluate(lc_parsers, lc_messages, lc_outputs)


# -- langchain-style subclasses --------------------------------------------------------------------------


def test_subclass_with_parse_and_a_field_parses_str_and_messages() -> None:
    """A subclass that declares a field and implements parse (the langchain way) is built with
    keyword arguments and parses both strs and messages."""

    class Split(BaseOutputParser[list[str]]):
        separator: str = ","

        def parse(self, text: str) -> list[str]:
            return text.split(self.separator)

    parser = Split(separator=";")
    assert parser.invoke("a;b") == ["a", "b"]
    assert parser.invoke(AIMessage("c;d")) == ["c", "d"]


def test_subclass_overriding_parse_result_receives_generations() -> None:
    """A subclass that overrides parse_result gets a ChatGeneration for a message and a
    Generation for a str, as in langchain-core."""
    seen: list[Any] = []

    class Recording(BaseOutputParser[str]):
        def parse_result(self, result: list[Generation], *, partial: bool = False) -> str:
            seen.append(result[0])
            return result[0].text

        def parse(self, text: str) -> str:
            raise AssertionError("parse_result is the entry point")

    message = AIMessage("hi")
    assert Recording().invoke(message) == "hi"
    assert Recording().invoke("there") == "there"
    assert isinstance(seen[0], ChatGeneration)
    assert seen[0].message is message
    assert type(seen[1]) is Generation


def test_str_parser_subclass_overriding_parse_is_used() -> None:
    """A StrOutputParser subclass's own parse replaces the built-in fast path."""

    class Upper(StrOutputParser):
        def parse(self, text: str) -> str:
            return text.upper()

    assert Upper().invoke(AIMessage("hi")) == "HI"


# -- runs ----------------------------------------------------------------------------------------------


class Recorder(BaseCallbackHandler):
    """Records chain events as `(event, payload, kwargs)`."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any, dict[str, Any]]] = []

    def on_chain_start(self, serialized: dict[str, Any], inputs: Any, **kwargs: Any) -> None:
        self.events.append(("start", inputs, kwargs))

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.events.append(("end", outputs, kwargs))

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        self.events.append(("error", error, kwargs))


def test_parser_reports_a_parser_run_with_input_message_and_output() -> None:
    """A parser's run is named after its class, typed "parser", starts with the message and
    ends with the parsed value."""
    recorder = Recorder()
    message = AIMessage("hi")
    StrOutputParser().invoke(message, config={"callbacks": [recorder]})
    assert [(e, p) for e, p, _ in recorder.events] == [("start", message), ("end", "hi")]
    assert (recorder.events[0][2]["name"], recorder.events[0][2]["run_type"]) == ("StrOutputParser", "parser")


def test_parse_failure_ends_the_run_with_one_error_event() -> None:
    """An OutputParserException fires exactly one terminal event, on_chain_error."""
    recorder = Recorder()
    with pytest.raises(OutputParserException):
        JsonOutputParser().invoke("nope", config={"callbacks": [recorder]})
    assert [e for e, _, _ in recorder.events] == ["start", "error"]
    assert isinstance(recorder.events[1][1], OutputParserException)


@pytest.mark.parametrize(
    ("parser", "output"),
    [
        (StrOutputParser(), AIMessage("x")),
        (JsonOutputParser(), '```json\n{"a": 1}\n```'),
        (CommaSeparatedListOutputParser(), "a, b"),
    ],
)
async def test_ainvoke_gives_the_same_value_and_events_as_invoke(parser: Any, output: Any) -> None:
    """ainvoke parses to the same value and fires the same events as invoke."""
    sync_recorder, async_recorder = Recorder(), Recorder()
    sync_value = parser.invoke(output, config={"callbacks": [sync_recorder]})
    async_value = await parser.ainvoke(output, config={"callbacks": [async_recorder]})
    assert async_value == sync_value

    def shape(recorder: Recorder) -> list[tuple[str, Any, Any]]:
        return [(e, p, k.get("run_type")) for e, p, k in recorder.events]

    assert shape(async_recorder) == shape(sync_recorder)


async def test_async_parse_methods_match_sync_ones() -> None:
    """aparse and aparse_result give what parse and parse_result give."""
    parser = JsonOutputParser()
    assert await parser.aparse('{"a": 1}') == parser.parse('{"a": 1}') == {"a": 1}
    assert await parser.aparse_result([Generation(text="[1]")]) == [1]


# -- property: any JSON document parses as langchain-core parses it ------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
layouts = st.sampled_from(
    ["{}", "  {}\n", "```json\n{}\n```", "Here:\n```json\n{}\n```\nDone.", "```\n{}\n```"]
)


@pytest.mark.reference
@settings(max_examples=300, deadline=None)
@given(value=json_values, layout=layouts, indent=st.sampled_from([None, 2]), cut=st.integers(0, 6))
def test_any_json_document_parses_like_langchain_core(value: Any, layout: str, indent: Any, cut: int) -> None:
    """A JSON document, bare or fenced, whole or with its last few characters cut off, parses
    to what langchain-core's JsonOutputParser gives (or both raise OutputParserException)."""
    document = json.dumps(value, indent=indent)
    text = layout.replace("{}", document[: len(document) - cut] if cut < len(document) else document)

    def outcome(parser: Any) -> Any:
        try:
            return ("ok", parser.invoke(text))
        except (OutputParserException, lc_exceptions.OutputParserException):
            return ("error", None)

    assert outcome(JsonOutputParser()) == outcome(lc_parsers.JsonOutputParser())
