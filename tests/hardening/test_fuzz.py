"""Property tests on the parsers an attacker feeds: f-string templates, partial JSON, the
providers' stream translators, and chunk merging. Bounded here; `make fuzz` runs them longer."""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from runwire._json import parse_partial_json
from runwire.chat_models import _anthropic_wire, _openai_wire
from runwire.chat_models._common import parse_body
from runwire.chat_models.errors import MalformedResponseError
from runwire.messages import AIMessageChunk
from runwire.messages._merge import merge_dicts
from runwire.prompts import PromptTemplate

from .conftest import fuzz

_TEMPLATE_TEXT = st.text(alphabet=string.ascii_letters[:6] + "{}[]!:.0_ %", max_size=30)


@fuzz
@given(_TEMPLATE_TEXT)
def test_any_template_is_accepted_or_refused_with_a_value_error(template: str) -> None:
    """Construction either succeeds and rendering with every variable works, or it is a ValueError."""
    try:
        prompt = PromptTemplate.from_template(template)
    except ValueError as exc:
        refused = str(exc)
        assert "invalid prompt template" in refused
        return
    values = dict.fromkeys(prompt.input_variables, "v")
    try:
        prompt.invoke(values)
    except ValueError:  # a format spec that does not fit a str, e.g. {a:d} or {a:_}
        pass


# Printable text without escapes: a cut inside `\u00` drops the whole value, as in langchain-core
# (whose results parse_partial_json reproduces exactly); that is the documented exception.
_PLAIN = st.text(alphabet=string.ascii_letters + string.digits + " :,{}[]", max_size=8)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _PLAIN,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_PLAIN, inner, max_size=4),
    max_leaves=12,
)


def _keys(value: Any) -> set[str]:
    return set(value) if isinstance(value, dict) else set()


@fuzz
@given(_JSON.filter(lambda v: isinstance(v, dict)), st.data())
def test_partial_json_only_ever_extends(document: dict[str, Any], data: st.DataObject) -> None:
    """Every prefix of a JSON object parses; a longer prefix never loses a top-level key a shorter
    one had (the documented exception: a key whose value is still a bare number or literal may
    change value, never disappear), and the whole text gives the document."""
    text = json.dumps(document)
    cuts = sorted(data.draw(st.lists(st.integers(1, len(text)), min_size=2, max_size=6)))
    seen: set[str] = set()
    for cut in cuts:
        parsed = parse_partial_json(text[:cut])
        assert parsed is None or isinstance(parsed, dict)
        assert seen <= _keys(parsed), (text[:cut], seen)
        seen = _keys(parsed)
    assert parse_partial_json(text) == document


@fuzz
@given(st.text(max_size=40))
def test_partial_json_on_any_text_returns_or_raises_a_decode_error(text: str) -> None:
    try:
        parse_partial_json(text)
    except json.JSONDecodeError:
        pass


_EVENT_VALUE = st.recursive(
    st.none()
    | st.integers()
    | st.text(max_size=5)
    | st.sampled_from(["text_delta", "input_json_delta", "tool_use", "text"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "delta",
                    "index",
                    "text",
                    "partial_json",
                    "content_block",
                    "message",
                    "usage",
                    "name",
                    "id",
                    "choices",
                    "tool_calls",
                    "function",
                    "arguments",
                    "content",
                    "finish_reason",
                    "output_tokens",
                    "input_tokens",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=15,
)
_ANTHROPIC_EVENT = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["message_start", "content_block_start", "content_block_delta", "message_delta", "x"]
        )
    },
    optional={
        "message": _EVENT_VALUE,
        "content_block": _EVENT_VALUE,
        "delta": _EVENT_VALUE,
        "usage": _EVENT_VALUE,
        "index": _EVENT_VALUE,
    },
)


@fuzz
@given(st.lists(_ANTHROPIC_EVENT, max_size=6))
def test_anthropic_stream_events_give_chunks_or_a_malformed_response_error(
    events: list[dict[str, Any]],
) -> None:
    """Whatever the events hold, the translator yields chunks or raises MalformedResponseError."""
    translate = _anthropic_wire.StreamTranslator()
    for event in events:
        try:
            parse_body(translate, event, "anthropic")
        except MalformedResponseError:
            pass


@fuzz
@given(
    st.lists(st.dictionaries(st.sampled_from(["choices", "usage", "model", "id"]), _EVENT_VALUE), max_size=5)
)
def test_openai_stream_chunks_give_chunks_or_a_malformed_response_error(bodies: list[dict[str, Any]]) -> None:
    seen: set[int] = set()
    for body in bodies:
        try:
            parse_body(lambda b: _openai_wire.chunk_from_wire(b, "openai", seen), body, "openai")
        except MalformedResponseError:
            pass


@fuzz
@given(st.dictionaries(st.sampled_from(["choices", "usage", "model", "content", "type"]), _EVENT_VALUE))
def test_whole_replies_give_a_result_or_a_malformed_response_error(body: dict[str, Any]) -> None:
    for parse, provider in ((_openai_wire.from_wire, "openai"), (_anthropic_wire.from_wire, "anthropic")):
        try:
            parse_body(parse, body, provider)
        except MalformedResponseError:
            pass


_MERGEABLE = st.dictionaries(
    st.sampled_from(["a", "b", "c"]),
    st.text(max_size=3) | st.dictionaries(st.sampled_from(["x", "y"]), st.text(max_size=3), max_size=2),
    max_size=3,
)


@fuzz
@given(_MERGEABLE, _MERGEABLE, _MERGEABLE)
def test_merging_dicts_of_strings_is_associative(
    a: dict[str, Any], b: dict[str, Any], c: dict[str, Any]
) -> None:
    """Where every key keeps one type (str, or dicts of str), (a+b)+c == a+(b+c)."""
    for key in set(a) & set(b) | set(b) & set(c) | set(a) & set(c):
        kinds = {type(d[key]) for d in (a, b, c) if key in d}
        if len(kinds) > 1:
            return
    assert merge_dicts(merge_dicts(a, b), c) == merge_dicts(a, merge_dicts(b, c))


_CHUNK = st.builds(
    AIMessageChunk,
    content=st.text(max_size=4),
    tool_call_chunks=st.lists(
        st.fixed_dictionaries(
            {
                "name": st.none() | st.sampled_from(["f", "g"]),
                "args": st.text('{}"a:1', max_size=4),
                "id": st.none() | st.sampled_from(["1", "2"]),
                "index": st.none() | st.integers(0, 1),
            }
        ).map(lambda call: {**call, "id": call["id"] and f"call{call['index']}"}),  # one id per index
        max_size=2,
        unique_by=lambda call: call["index"],  # one entry per index within a chunk, as providers send
    ),
)


@fuzz
@given(_CHUNK, _CHUNK, _CHUNK)
def test_adding_message_chunks_is_associative(
    a: AIMessageChunk, b: AIMessageChunk, c: AIMessageChunk
) -> None:
    left, right = (a + b) + c, a + (b + c)
    assert left.content == right.content
    assert left.tool_call_chunks == right.tool_call_chunks
    assert left.tool_calls == right.tool_calls
