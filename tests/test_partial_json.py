"""Partial JSON: truncated documents parse the way langchain-core parses them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.utils import json as lc_json

from runwire._json import parse_json_markdown, parse_partial_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


def outcome(parse: Any, text: str) -> tuple[str, Any]:
    """What a parser does with `text`: its value, or the kind of error it raised."""
    try:
        return ("value", parse(text))
    except Exception as error:
        return ("error", type(error).__name__)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('{"a": [1, 2', {"a": [1, 2]}),
        ('{"a": "hel', {"a": "hel"}),
        ('{"a": 1, "b', {"a": 1}),
        ('{"a": 1, "b":', {"a": 1}),
        ('{"a": tr', {}),
        ('[{"x": "y"}, {"x"', [{"x": "y"}, {}]),
        ('{"a": "line\nbreak', {"a": "line\nbreak"}),
        ('{"a": "ends with \\', {"a": "ends with "}),
        ("[", []),
        ("{", {}),
    ],
)
def test_truncated_documents_are_closed(text: str, expected: Any) -> None:
    """Open strings, arrays and objects are closed; a dangling key or value is dropped."""
    assert parse_partial_json(text) == expected


def test_mismatched_brackets_give_none() -> None:
    """A closing bracket that does not match its opener makes the text unparseable: None."""
    assert parse_partial_json('{"a": [1}') is None


def test_text_with_no_json_prefix_raises_decode_error() -> None:
    """Text that does not start like JSON raises json.JSONDecodeError, as json.loads would."""
    with pytest.raises(json.JSONDecodeError):
        parse_partial_json("hello")


def test_strict_mode_still_accepts_raw_newlines_in_truncated_strings() -> None:
    """In strict mode a raw newline inside an unterminated string is escaped before parsing."""
    assert parse_partial_json('{"a": "x\ny', strict=True) == {"a": "x\ny"}


@pytest.mark.reference
@settings(max_examples=300, deadline=None)
@given(value=json_values, indent=st.sampled_from([None, 2]))
def test_every_prefix_parses_like_langchain(value: Any, indent: int | None) -> None:
    """Each prefix of a JSON document gives langchain-core's result (value, None or error)."""
    document = json.dumps(value, indent=indent)
    for end in range(len(document) + 1):
        prefix = document[:end]
        assert outcome(parse_partial_json, prefix) == outcome(lc_json.parse_partial_json, prefix), prefix


@pytest.mark.reference
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet='{}[]",:\\ \nabc01-.e', max_size=30))
def test_arbitrary_bracket_soup_parses_like_langchain(text: str) -> None:
    """Malformed text gives langchain-core's result too: same value, None, or error kind."""
    assert outcome(parse_partial_json, text) == outcome(lc_json.parse_partial_json, text)


@settings(max_examples=200, deadline=None)
@given(value=json_values)
def test_a_complete_document_round_trips(value: Any) -> None:
    """Untruncated JSON parses to exactly what was dumped."""
    assert parse_partial_json(json.dumps(value)) == value


@settings(max_examples=200, deadline=None)
@given(value=st.dictionaries(st.text(max_size=5), json_values, max_size=5))
def test_prefixes_of_an_object_never_invent_keys(value: dict[str, Any]) -> None:
    """While an object streams in, every parsed prefix holds only keys the full object has."""
    document = json.dumps(value)
    for end in range(1, len(document) + 1):
        parsed = parse_partial_json(document[:end])
        assert isinstance(parsed, dict)
        assert parsed.keys() <= value.keys()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('```json\n{"a": 1}\n```', {"a": 1}),
        ('Here it is:\n```json\n{"a": [1, 2\n```', {"a": [1, 2]}),
        ('```\n{"a": 1}\n```', {"a": 1}),
        ('  {"a": "b"}  ', {"a": "b"}),
        ('{"action": "x", "action_input": "one\n\ttwo"}', {"action": "x", "action_input": "one\n\ttwo"}),
    ],
)
def test_markdown_fences_are_stripped(text: str, expected: Any) -> None:
    """JSON is read from inside a ``` or ```json fence, or bare; raw newlines in strings are kept."""
    assert parse_json_markdown(text) == expected


def test_markdown_without_partial_needs_whole_json() -> None:
    """partial=False rejects truncated JSON with json.JSONDecodeError."""
    with pytest.raises(json.JSONDecodeError):
        parse_json_markdown('```json\n{"a": [1, 2\n```', partial=False)


@pytest.mark.reference
@settings(max_examples=200, deadline=None)
@given(
    value=json_values,
    before=st.sampled_from(["", "Sure:\n", "  "]),
    fence=st.sampled_from(["```json\n", "```\n", ""]),
    cut=st.integers(min_value=0, max_value=40),
)
def test_markdown_parses_like_langchain(value: Any, before: str, fence: str, cut: int) -> None:
    """Fenced, prefixed and truncated model output gives langchain-core's result."""
    body = json.dumps(value)
    text = before + fence + body[: max(len(body) - cut, 0)] + ("\n```" if fence and not cut else "")
    assert outcome(parse_json_markdown, text) == outcome(lc_json.parse_json_markdown, text)
