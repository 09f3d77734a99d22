"""Messages behave, print and merge exactly like langchain-core's, and cost less to make."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
import uuid
from typing import Any

import langchain_core.messages as lc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runwire.messages as rw
from runwire.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessageChunk,
    HumanMessage,
    HumanMessageChunk,
    SystemMessage,
    ToolMessage,
    ToolMessageChunk,
    convert_to_messages,
)


def build(class_name: str, /, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """The same object built by runwire and by langchain-core (from separate argument copies)."""
    return (
        getattr(rw, class_name)(*copy.deepcopy(args), **copy.deepcopy(kwargs)),
        getattr(lc, class_name)(*copy.deepcopy(args), **copy.deepcopy(kwargs)),
    )


def outcome(make: Any, *, error_kind: bool = True) -> tuple[Any, ...]:
    """repr and str of what `make()` returns, or the kind of error it raises.

    Rejected field values count as ValueError: langchain-core raises pydantic's
    ValidationError, runwire a ValidationError that is both TypeError and ValueError.
    """
    try:
        made = make()
    except Exception as error:
        if not error_kind:
            return ("error",)
        return ("error", "ValueError" if isinstance(error, ValueError) else type(error).__name__)
    return ("value", repr(made), str(made))


TOOL_CALL = {"name": "add", "args": {"a": 1, "b": [2]}, "id": "call_1"}
USAGE = {
    "total_tokens": 30,
    "input_tokens": 10,
    "output_tokens": 20,
    "output_token_details": {"reasoning": 4, "audio": 1},
    "input_token_details": {"cache_read": 3},
}
TOOL_CALL_BLOCK = {**TOOL_CALL, "type": "tool_call"}
RAW_OPENAI_CALLS = [
    {"id": "c1", "function": {"name": "f", "arguments": '{"x": 1}'}, "type": "function"},
    {"id": "c2", "function": {"name": "g", "arguments": "{bad"}, "type": "function"},
]
RAW_OPENAI_DELTAS = [{"index": 0, "function": {"name": "f", "arguments": '{"a'}}]

V1 = {"output_version": "v1"}

CASES: dict[str, Any] = {
    "human": lambda m: m.HumanMessage("What is 1 + 2?"),
    "human-name-id": lambda m: m.HumanMessage(content="hi", name="bob", id="m1"),
    "human-blocks": lambda m: m.HumanMessage(
        ["a", {"type": "text", "text": "b"}, {"type": "image_url", "image_url": {}}]
    ),
    "human-metadata": lambda m: m.HumanMessage(
        "x", additional_kwargs={"k": [1]}, response_metadata={"m": "v"}
    ),
    "human-empty-name-int-id": lambda m: m.HumanMessage("x", name="", id=7),
    "human-extras": lambda m: m.HumanMessage("x", example=True, custom={"a": 1}),
    "human-content-blocks": lambda m: m.HumanMessage(content_blocks=[{"type": "text", "text": "blocks"}]),
    "human-chunk": lambda m: m.HumanMessageChunk("x", id="c"),
    "system": lambda m: m.SystemMessage("be brief"),
    "system-chunk": lambda m: m.SystemMessageChunk(content="x", name="sys"),
    "ai": lambda m: m.AIMessage(content="1 + 2 = 3", id="run-x-0"),
    "ai-tool-calls-usage": lambda m: m.AIMessage("", tool_calls=[TOOL_CALL], usage_metadata=USAGE),
    "ai-invalid-calls": lambda m: m.AIMessage(
        "", invalid_tool_calls=[{"name": "f", "args": "{", "error": "bad"}]
    ),
    "ai-usage-extras": lambda m: m.AIMessage("", usage_metadata={**USAGE, "provider_extra": 1}),
    "ai-metadata-name": lambda m: m.AIMessage("", response_metadata={"model_name": "m"}, name="bot"),
    "ai-openai-calls": lambda m: m.AIMessage("", additional_kwargs={"tool_calls": RAW_OPENAI_CALLS}),
    "ai-content-blocks": lambda m: m.AIMessage(
        content_blocks=[{"type": "text", "text": "hi"}, TOOL_CALL_BLOCK]
    ),
    "ai-reasoning-kwarg": lambda m: m.AIMessage("x", additional_kwargs={"reasoning_content": "hmm"}),
    "ai-chunk": lambda m: m.AIMessageChunk("x"),
    "ai-chunk-last": lambda m: m.AIMessageChunk("", chunk_position="last", id="lc_run-1"),
    "ai-chunk-partial-args": lambda m: m.AIMessageChunk(
        "", tool_call_chunks=[{"name": "f", "args": '{"a": [1', "index": 0}]
    ),
    "ai-chunk-invalid-args": lambda m: m.AIMessageChunk("", tool_call_chunks=[{"args": "[1", "index": 3}]),
    "ai-chunk-no-args": lambda m: m.AIMessageChunk(
        "", tool_call_chunks=[{"name": "f", "args": None, "id": "c"}]
    ),
    "ai-chunk-from-calls": lambda m: m.AIMessageChunk(
        "", tool_calls=[TOOL_CALL], invalid_tool_calls=[{"args": "{"}]
    ),
    "ai-chunk-openai-calls": lambda m: m.AIMessageChunk(
        "", additional_kwargs={"tool_calls": RAW_OPENAI_DELTAS}
    ),
    "ai-chunk-streaming-blocks": lambda m: m.AIMessageChunk(
        "", tool_call_chunks=[{"name": "f", "args": "{", "index": 0}]
    ),
    "ai-chunk-v1-last": lambda m: m.AIMessageChunk(
        [{"type": "tool_call_chunk", "id": "c", "name": "f", "args": '{"a": 1}', "extras": {"k": 1}}],
        tool_call_chunks=[{"name": "f", "args": '{"a": 1}', "id": "c", "index": 0}],
        chunk_position="last",
        response_metadata=V1,
    ),
    "ai-chunk-v1-server-call": lambda m: m.AIMessageChunk(
        [{"type": "server_tool_call_chunk", "id": "s", "name": "search", "args": '{"q": "x"}'}],
        chunk_position="last",
        response_metadata=V1,
    ),
    "tool": lambda m: m.ToolMessage("42", tool_call_id="call_1"),
    "tool-coerced": lambda m: m.ToolMessage(3.5, tool_call_id=uuid.UUID(int=5)),
    "tool-list-artifact": lambda m: m.ToolMessage(
        ["a", 1, {"type": "text", "text": "t"}], tool_call_id=9, artifact={"r": 1}
    ),
    "tool-error": lambda m: m.ToolMessage(
        "x", tool_call_id="c", status="error", name="calc", additional_kwargs={"a": 1}
    ),
    "tool-chunk": lambda m: m.ToolMessageChunk("x", tool_call_id="c"),
    "chat": lambda m: m.ChatMessage("x", role="critic"),
    "chat-chunk": lambda m: m.ChatMessageChunk("x", role="critic", id="i"),
    "function": lambda m: m.FunctionMessage("result", name="fn"),
    "function-chunk": lambda m: m.FunctionMessageChunk("result", name="fn"),
    "remove": lambda m: m.RemoveMessage(id="m1"),
    "base": lambda m: m.BaseMessage("x", type="custom"),
}


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_repr_and_str_match_langchain(case: Any) -> None:
    """repr() and str() are character-for-character langchain-core's for the same fields."""
    ours, theirs = case(rw), case(lc)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_model_dump_matches_langchain(case: Any) -> None:
    """model_dump() gives langchain-core's dict, and message_to_dict wraps it with the type."""
    ours, theirs = case(rw), case(lc)
    assert ours.model_dump() == theirs.model_dump()
    assert rw.message_to_dict(ours) == lc.message_to_dict(theirs)


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_pretty_repr_text_and_content_blocks_match_langchain(case: Any) -> None:
    """pretty_repr() (plain and bold), .text and .content_blocks render as in langchain-core."""
    ours, theirs = case(rw), case(lc)
    assert ours.pretty_repr() == theirs.pretty_repr()
    assert ours.pretty_repr(html=True) == theirs.pretty_repr(html=True)
    assert ours.text == theirs.text
    assert ours.content_blocks == theirs.content_blocks


texts = st.text(max_size=10)
scalars = st.none() | st.booleans() | st.integers(-5, 5) | texts
metadata = st.dictionaries(st.sampled_from(["a", "b", "model_name", "index"]), scalars, max_size=3)
blocks = (
    texts
    | st.fixed_dictionaries({"type": st.just("text"), "text": texts})
    | st.fixed_dictionaries(
        {"type": st.sampled_from(["image", "custom", "reasoning"])}, optional={"text": texts}
    )
)
contents = texts | st.lists(blocks, max_size=3)
common = {
    "content": contents,
    "additional_kwargs": metadata,
    "response_metadata": metadata,
    "name": st.none() | texts,
    "id": st.none() | texts,
}
tool_calls = st.lists(
    st.fixed_dictionaries(
        {"name": texts, "args": st.dictionaries(texts, scalars, max_size=2), "id": st.none() | texts}
    ),
    max_size=2,
)
call_chunks = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.none() | texts,
            "args": st.none() | st.sampled_from(['{"a": 1', "[1", "", '{"b": "x"}', "nope"]),
            "id": st.none() | texts,
            "index": st.none() | st.integers(0, 2),
        }
    ),
    max_size=2,
)
usages = st.none() | st.fixed_dictionaries(
    {
        "input_tokens": st.integers(0, 9),
        "output_tokens": st.integers(0, 9),
        "total_tokens": st.integers(0, 9),
    },
    optional={"output_token_details": st.fixed_dictionaries({"reasoning": st.integers(0, 9)})},
)
message_kwargs = st.one_of(
    st.tuples(
        st.sampled_from(["HumanMessage", "SystemMessage", "HumanMessageChunk"]), st.fixed_dictionaries(common)
    ),
    st.tuples(
        st.just("AIMessage"),
        st.fixed_dictionaries({**common, "tool_calls": tool_calls, "usage_metadata": usages}),
    ),
    st.tuples(
        st.just("AIMessageChunk"),
        st.fixed_dictionaries(
            {
                **common,
                "tool_call_chunks": call_chunks,
                "usage_metadata": usages,
                "chunk_position": st.sampled_from([None, "last"]),
            }
        ),
    ),
    st.tuples(
        st.sampled_from(["ToolMessage", "ToolMessageChunk"]),
        st.fixed_dictionaries(
            {
                **common,
                "tool_call_id": texts,
                "artifact": scalars,
                "status": st.sampled_from(["success", "error"]),
            }
        ),
    ),
    st.tuples(
        st.sampled_from(["ChatMessage", "ChatMessageChunk"]), st.fixed_dictionaries({**common, "role": texts})
    ),
    st.tuples(st.just("FunctionMessage"), st.fixed_dictionaries({**common, "name": texts})),
)


@pytest.mark.reference
@settings(max_examples=300, deadline=None)
@given(spec=message_kwargs)
def test_generated_messages_print_like_langchain(spec: tuple[str, dict[str, Any]]) -> None:
    """Any field values give langchain-core's repr, str and model_dump."""
    name, kwargs = spec
    ours, theirs = build(name, **kwargs)
    assert (repr(ours), str(ours)) == (repr(theirs), str(theirs))
    assert ours.model_dump() == theirs.model_dump()


def test_content_can_be_positional() -> None:
    """HumanMessage("hi") sets content, like HumanMessage(content="hi")."""
    assert HumanMessage("hi") == HumanMessage(content="hi")


def test_equality_needs_same_class_and_fields() -> None:
    """Messages are equal when class and every field agree; a chunk never equals a message."""
    assert AIMessage("x", id="1") == AIMessage("x", id="1")
    assert AIMessage("x", id="1") != AIMessage("x", id="2")
    assert AIMessage("x") != AIMessageChunk("x")
    assert HumanMessage("x", foo=1) != HumanMessage("x")


@pytest.mark.reference
def test_dict_of_a_message_lists_its_fields_like_langchain() -> None:
    """dict(message) gives the (field, value) pairs a pydantic model iterates, extras last."""
    assert dict(AIMessage("x", id="1", example=True)) == dict(lc.AIMessage("x", id="1", example=True))


def test_messages_are_unhashable() -> None:
    """Messages are mutable, so like pydantic models they cannot be hashed."""
    with pytest.raises(TypeError):
        hash(HumanMessage("x"))


def test_extra_keyword_arguments_are_kept_as_attributes() -> None:
    """Unknown keywords are kept (as pydantic's extra="allow" does) and readable as attributes."""
    message = HumanMessage("x", example=True)
    assert message.example is True
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        _ = message.missing


def test_constructor_copies_mutable_arguments() -> None:
    """Content lists, their dict blocks and metadata dicts are copied, as pydantic validation does."""
    block = {"type": "text", "text": "a"}
    metadata = {"k": 1}
    message = HumanMessage([block], additional_kwargs=metadata)
    block["text"] = "changed"
    metadata["k"] = 2
    assert message.content == [{"type": "text", "text": "a"}]
    assert message.additional_kwargs == {"k": 1}


def test_empty_metadata_is_a_real_dict_on_first_read() -> None:
    """additional_kwargs / response_metadata / tool_calls read as fresh empty containers that stick."""
    message = AIMessage("x")
    message.additional_kwargs["k"] = 1
    message.tool_calls.append({"name": "f", "args": {}, "id": None, "type": "tool_call"})
    assert message.additional_kwargs == {"k": 1}
    assert len(message.tool_calls) == 1
    assert AIMessage("y").additional_kwargs == {}


def test_model_copy_applies_update_without_touching_the_original() -> None:
    """model_copy(update=...) returns a changed copy; unknown keys become extras."""
    original = AIMessage("x", id="1")
    updated = original.model_copy(update={"content": "y", "flag": True})
    assert (updated.content, updated.id, updated.flag) == ("y", "1", True)
    assert original.content == "x"
    assert "flag" not in repr(original)


def test_deep_model_copy_does_not_share_containers() -> None:
    """model_copy(deep=True) copies nested dicts; a shallow copy shares them, as in pydantic."""
    original = HumanMessage("x", additional_kwargs={"k": [1]})
    assert original.model_copy(deep=True).additional_kwargs["k"] is not original.additional_kwargs["k"]
    assert original.model_copy().additional_kwargs is original.additional_kwargs


def test_messages_pickle() -> None:
    """A message survives pickling with every field, extras included."""
    message = AIMessageChunk(
        "x", id="1", tool_call_chunks=[{"name": "f", "args": "{}", "index": 0}], extra_field=2
    )
    assert pickle.loads(pickle.dumps(message)) == message


def test_text_can_still_be_called_with_a_deprecation_warning() -> None:
    """`.text` is a str; calling it like the pre-1.0 method works but warns."""
    message = AIMessage(["a", {"type": "text", "text": "b"}, {"type": "image", "url": "u"}])
    assert message.text == "ab"
    with pytest.warns(DeprecationWarning, match="property"):
        assert message.text() == "ab"


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: HumanMessage(42), "content must be a str or a list of str/dict content blocks, got int"),
        (lambda: HumanMessage(None), "got NoneType"),
        (lambda: HumanMessage(["ok", 3]), "content[1] is a int"),
        (lambda: HumanMessage("x", name=3), "name must be a str or None"),
        (lambda: HumanMessage("x", type="ai"), "HumanMessage has type 'human', got type='ai'"),
        (lambda: AIMessage("x", tool_calls=[{"name": "f", "args": {}}]), "keys ['name', 'args', 'id']"),
        (
            lambda: AIMessage("x", usage_metadata={"input_tokens": 1}),
            "missing ['output_tokens', 'total_tokens']",
        ),
        (lambda: AIMessageChunk("x", chunk_position="first"), "chunk_position must be 'last' or None"),
        (lambda: ToolMessage("x", tool_call_id="1", status="ok"), "status must be 'success' or 'error'"),
        (lambda: BaseMessage("x"), "needs type="),
        (lambda: ToolMessage("x"), "ToolMessage needs tool_call_id="),
    ],
)
def test_bad_fields_are_rejected_with_what_was_expected(make: Any, fragment: str) -> None:
    """Wrong field values raise an error that is a TypeError and (like pydantic's) a ValueError,
    naming the field, what was expected and what came; malformed tool calls a plain TypeError."""
    with pytest.raises(TypeError) as caught:
        make()
    assert isinstance(caught.value, ValueError) != fragment.startswith("keys")
    assert fragment in str(caught.value)


def test_derived_tool_calls_grow_as_arguments_stream() -> None:
    """A chunk's tool_calls come from partially parsed tool_call_chunks."""
    chunk = AIMessageChunk(
        "", tool_call_chunks=[{"name": "f", "args": '{"city": "Par', "id": "c", "index": 0}]
    )
    assert chunk.tool_calls == [{"name": "f", "args": {"city": "Par"}, "id": "c", "type": "tool_call"}]


def calls(*pieces: tuple[str | None, str | None, str | None, int]) -> list[dict[str, Any]]:
    """Tool call chunks from (name, args, id, index) tuples."""
    return [{"name": n, "args": a, "id": i, "index": x} for n, a, i, x in pieces]


BLOCK_A, BLOCK_B, BLOCK_C = (
    {"type": "text", "text": t, "index": i} for t, i in (("a", 0), ("b", 0), ("c", 1))
)
KWARGS_1 = {"n": 1, "s": "a", "d": {"k": "v"}, "l": [1], "index": 3, "created": 1, "id": "x"}
KWARGS_2 = {"n": 2, "s": "b", "d": {"k": "w"}, "l": [2], "index": 4, "created": 2, "id": "x"}

STREAMS: dict[str, Any] = {
    "provider-id-wins": lambda m: [
        m.AIMessageChunk("Hel", id="lc_run-1"),
        m.AIMessageChunk("lo", id="prov-1"),
    ],
    "run-id-beats-auto-id": lambda m: [
        m.AIMessageChunk("a", id="lc_x"),
        m.AIMessageChunk("b", id="lc_run-2"),
    ],
    "tool-call-pieces": lambda m: [
        m.AIMessageChunk("", tool_call_chunks=calls(("f", '{"a"', "c", 0))),
        m.AIMessageChunk("", tool_call_chunks=calls((None, ": 1}", None, 0))),
        m.AIMessageChunk("", tool_call_chunks=calls(("g", "{}", "d", 1))),
    ],
    "tool-call-conflicting-ids": lambda m: [
        m.AIMessageChunk("", tool_call_chunks=calls(("f", "{", "c1", 0))),
        m.AIMessageChunk("", tool_call_chunks=calls(("g", "}", "c2", 0))),
    ],
    "usage-summed": lambda m: [
        m.AIMessageChunk("", usage_metadata=USAGE),
        m.AIMessageChunk("", usage_metadata={**USAGE, "input_token_details": {"audio": 2}}),
        m.AIMessageChunk("", chunk_position="last"),
    ],
    "blocks-by-index": lambda m: [
        m.AIMessageChunk([BLOCK_A]),
        m.AIMessageChunk([BLOCK_B, BLOCK_C]),
        m.AIMessageChunk("tail"),
    ],
    "metadata-merged": lambda m: [
        m.AIMessageChunk("x", additional_kwargs=KWARGS_1, response_metadata={"model_provider": "p"}),
        m.AIMessageChunk("y", additional_kwargs=KWARGS_2, response_metadata={"model_provider": "p"}),
    ],
    "metadata-type-conflict": lambda m: [
        m.AIMessageChunk("x", additional_kwargs={"n": 1}),
        m.AIMessageChunk("", additional_kwargs={"n": "s"}),
    ],
    "metadata-bools-conflict": lambda m: [
        m.AIMessageChunk("", additional_kwargs={"b": True}),
        m.AIMessageChunk("", additional_kwargs={"b": False}),
    ],
    "ai-plus-human": lambda m: [m.AIMessageChunk("x", name="n"), m.HumanMessageChunk("y")],
    "human-drops-name": lambda m: [m.HumanMessageChunk("x", name="n", id="1"), m.HumanMessageChunk(["y"])],
    "system-list-and-str": lambda m: [
        m.SystemMessageChunk(["a"]),
        m.SystemMessageChunk("b"),
        m.SystemMessageChunk(""),
    ],
    "tool-artifacts": lambda m: [
        m.ToolMessageChunk("a", tool_call_id="1", artifact=[1]),
        m.ToolMessageChunk("b", tool_call_id="1", artifact=[2], status="error"),
    ],
    "tool-different-calls": lambda m: [
        m.ToolMessageChunk("a", tool_call_id="1"),
        m.ToolMessageChunk("b", tool_call_id="2"),
    ],
    "chat-same-role": lambda m: [m.ChatMessageChunk("a", role="r"), m.ChatMessageChunk("b", role="r")],
    "chat-different-roles": lambda m: [m.ChatMessageChunk("a", role="r"), m.ChatMessageChunk("b", role="s")],
    "chat-plus-ai": lambda m: [m.ChatMessageChunk("a", role="r"), m.AIMessageChunk("b")],
    "function-same-name": lambda m: [
        m.FunctionMessageChunk("a", name="f"),
        m.FunctionMessageChunk("b", name="f"),
    ],
    "function-different-names": lambda m: [
        m.FunctionMessageChunk("a", name="f"),
        m.FunctionMessageChunk("b", name="g"),
    ],
}


def add_up(chunks: list[Any], as_list: bool) -> Any:
    """The chunks summed one by one, or as first + [the rest]."""
    if as_list:
        return chunks[0] + chunks[1:]
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


@pytest.mark.reference
@pytest.mark.parametrize("as_list", [False, True])
@pytest.mark.parametrize("stream", STREAMS.values(), ids=STREAMS.keys())
def test_chunk_addition_matches_langchain(stream: Any, as_list: bool) -> None:
    """Adding chunks (one by one, or a list at once) gives langchain-core's result, or fails too.

    (The error kind may differ: langchain-core fails some list additions with a KeyError.)
    """
    ours = outcome(lambda: add_up(stream(rw), as_list), error_kind=False)
    assert ours == outcome(lambda: add_up(stream(lc), as_list), error_kind=False)


ai_chunk_kwargs = st.fixed_dictionaries(
    {
        "content": texts
        | st.lists(
            st.fixed_dictionaries({"type": st.just("text"), "text": texts, "index": st.integers(0, 2)}),
            max_size=2,
        )
    },
    optional={
        "additional_kwargs": st.dictionaries(st.sampled_from(["s", "n", "id", "index"]), scalars, max_size=3),
        "tool_call_chunks": call_chunks,
        "usage_metadata": usages,
        "id": st.sampled_from([None, "", "lc_run-1", "lc_2", "prov-a", "prov-b"]),
        "chunk_position": st.sampled_from([None, "last"]),
    },
)


@pytest.mark.reference
@settings(max_examples=300, deadline=None)
@given(specs=st.lists(ai_chunk_kwargs, min_size=2, max_size=4), as_list=st.booleans())
def test_generated_ai_chunk_streams_merge_like_langchain(specs: list[dict[str, Any]], as_list: bool) -> None:
    """Random AI chunk streams merge to langchain-core's message (or fail the same way)."""
    ours = outcome(lambda: add_up([rw.AIMessageChunk(**copy.deepcopy(kw)) for kw in specs], as_list))
    assert ours == outcome(lambda: add_up([lc.AIMessageChunk(**copy.deepcopy(kw)) for kw in specs], as_list))


def typed_kwargs(key: str) -> st.SearchStrategy[Any]:
    """Values of one fixed type per key, so merging never hits a type conflict.

    No ints: langchain keeps two equal ints and adds unequal ones, which is not associative
    ((1 + 1) + -1 gives 0, 1 + (1 + -1) gives 1), and runwire keeps that rule.
    """
    return {"s": texts, "d": st.dictionaries(st.just("k"), texts, max_size=1)}[key]


lawful_chunks = st.builds(
    lambda content, extra, calls, usage, id_, last: AIMessageChunk(
        content,
        additional_kwargs=extra,
        tool_call_chunks=calls,
        usage_metadata=usage,
        id=id_,
        chunk_position="last" if last else None,
    ),
    texts,
    st.fixed_dictionaries({}, optional={key: typed_kwargs(key) for key in ("s", "d")}),
    st.lists(
        st.fixed_dictionaries(
            {
                "name": st.none() | texts,
                "args": st.none() | texts,
                "id": st.none(),
                "index": st.integers(0, 1),
            }
        ),
        max_size=2,
        unique_by=lambda call: call["index"],
    ),  # one piece per tool call per chunk, as streamed
    usages,
    st.sampled_from([None, "lc_run-1", "lc_2", "prov-a", "prov-b"]),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(a=lawful_chunks, b=lawful_chunks, c=lawful_chunks)
def test_chunk_addition_is_associative(a: AIMessageChunk, b: AIMessageChunk, c: AIMessageChunk) -> None:
    """(a + b) + c == a + (b + c): a stream can be merged in any grouping."""
    assert (a + b) + c == a + (b + c)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(texts, min_size=1, max_size=6))
def test_merged_content_is_the_concatenation(pieces: list[str]) -> None:
    """Merging string-content chunks yields the concatenated text, whatever the grouping."""
    chunks = [AIMessageChunk(piece) for piece in pieces]
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    assert total.content == "".join(pieces)
    assert (chunks[0] + chunks[1:]).content == "".join(pieces)


def test_adding_a_non_chunk_is_a_type_error() -> None:
    """A chunk adds only to chunks; the error names both operand types."""
    with pytest.raises(TypeError, match='"HumanMessageChunk" and "str"'):
        HumanMessageChunk("x") + "y"


@pytest.mark.reference
@pytest.mark.parametrize(
    ("first", "rest"),
    [
        ("a", ["b", "c"]),
        ("a", [["b"], "c"]),
        (["a"], ["b"]),
        ([{"index": 0, "text": "a"}], [[{"index": 0, "text": "b"}], "tail"]),
        ([], ["x"]),
        ([{"type": "text", "text": "a"}], [""]),
    ],
)
def test_merge_content_matches_langchain(first: Any, rest: list[Any]) -> None:
    """merge_content concatenates strings and merges block lists as langchain-core does."""
    assert rw.merge_content(copy.deepcopy(first), *copy.deepcopy(rest)) == lc.merge_content(first, *rest)


@pytest.mark.reference
@pytest.mark.parametrize(
    "left",
    [None, USAGE, {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}],
)
@pytest.mark.parametrize("right", [None, USAGE, {"input_tokens": 5, "output_tokens": 0, "total_tokens": 5}])
def test_usage_arithmetic_matches_langchain(left: Any, right: Any) -> None:
    """add_usage and subtract_usage give langchain-core's counts."""
    assert rw.add_usage(left, right) == lc.ai.add_usage(left, right)
    assert rw.subtract_usage(left, right) == lc.ai.subtract_usage(left, right)


MESSAGE_LIKES: list[Any] = [
    "hello",
    ("human", "hi"),
    ("user", "hi"),
    ("ai", "hello"),
    ("assistant", [{"type": "text", "text": "x"}]),
    ("system", "be brief"),
    ("developer", "be brief"),
    ["function", "out"],
    {"role": "user", "content": "hi", "name": "bob", "id": "1"},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "c", "function": {"name": "f", "arguments": '{"a": 1}'}}],
    },
    {"role": "tool", "content": "42", "tool_call_id": "c", "artifact": {"x": 1}, "status": "error"},
    {
        "type": "human",
        "content": "hi",
        "example": True,
        "response_metadata": {"r": 1},
        "additional_kwargs": {"k": 1},
    },
    {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain", "schema", "messages", "AIMessage"],
        "kwargs": {"content": "x"},
    },
    {"role": "remove", "content": "", "id": "m1"},
    ("robot", "hi"),
    ("a", "b", "c"),
    {"content": "no role"},
    42,
]


@pytest.mark.reference
@pytest.mark.parametrize("message", MESSAGE_LIKES)
def test_convert_to_messages_matches_langchain(message: Any) -> None:
    """Strings, role tuples, role dicts and serialized envelopes convert as in langchain-core."""
    ours = outcome(lambda: convert_to_messages([copy.deepcopy(message)]))
    theirs = outcome(lambda: lc.convert_to_messages([copy.deepcopy(message)]))
    assert ours == theirs


def test_unknown_role_error_lists_accepted_roles() -> None:
    """An unknown role names itself and every accepted role."""
    with pytest.raises(ValueError, match=r"'robot'.*'human', 'user', 'ai', 'assistant'"):
        convert_to_messages([("robot", "hi")])


def test_convert_to_messages_reads_prompt_values() -> None:
    """Anything with to_messages() (a prompt value) gives its messages."""

    class PromptValue:
        def to_messages(self) -> list[BaseMessage]:
            return [SystemMessage("s")]

    assert convert_to_messages(PromptValue()) == [SystemMessage("s")]


@pytest.mark.reference
@pytest.mark.parametrize("fmt", ["prefix", "xml"])
def test_get_buffer_string_matches_langchain(fmt: str) -> None:
    """Transcripts (prefix and XML) are langchain-core's, tool calls included."""

    def transcript(m: Any) -> list[Any]:
        return [
            m.SystemMessage("be <brief> & kind"),
            m.HumanMessage(["hi", {"type": "image", "url": "http://i"}, {"type": "image", "base64": "AA"}]),
            m.AIMessage("ok", tool_calls=[{**TOOL_CALL, "id": "x" * 70}]),
            m.AIMessage("", additional_kwargs={"function_call": {"name": "f", "arguments": "{}"}}),
            m.ToolMessage("42", tool_call_id="c"),
            m.FunctionMessage("r", name="fn"),
            m.ChatMessage("hm", role="Critic"),
            m.AIMessage(
                [{"type": "reasoning", "reasoning": "think"}, {"type": "server_tool_result", "output": [1]}]
            ),
        ]

    ours, theirs = transcript(rw), transcript(lc)
    kwargs = {"human_prefix": "User", "ai_prefix": "Bot", "format": fmt}
    assert rw.get_buffer_string(ours, **kwargs) == lc.get_buffer_string(theirs, **kwargs)


ROUND_TRIP_CASES = {name: case for name, case in CASES.items() if name != "base"}


@pytest.mark.reference
@pytest.mark.parametrize("case", ROUND_TRIP_CASES.values(), ids=ROUND_TRIP_CASES.keys())
def test_dict_round_trip_matches_langchain(case: Any) -> None:
    """messages_from_dict(messages_to_dict(m)) rebuilds m as langchain-core rebuilds it."""
    rebuilt = rw.messages_from_dict(rw.messages_to_dict([case(rw)]))
    assert repr(rebuilt) == repr(lc.messages_from_dict(lc.messages_to_dict([case(lc)])))


def test_dict_round_trip_restores_an_equal_message() -> None:
    """A message with tool calls, usage and extras comes back equal from its dict form."""
    message = AIMessage("x", id="1", tool_calls=[TOOL_CALL], usage_metadata=USAGE, example=True)
    assert rw.messages_from_dict(rw.messages_to_dict([message])) == [message]


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_message_chunk_to_message_matches_langchain(case: Any) -> None:
    """A chunk becomes the matching complete message; other messages come back unchanged."""
    assert repr(rw.message_chunk_to_message(case(rw))) == repr(lc.message_chunk_to_message(case(lc)))


def test_chunk_positions_and_roles_survive_merging_of_special_chunks() -> None:
    """Tool chunks keep their call id and worst status; chat chunks keep their role."""
    tool = ToolMessageChunk("a", tool_call_id="1") + ToolMessageChunk("b", tool_call_id="1", status="error")
    assert (tool.content, tool.tool_call_id, tool.status) == ("ab", "1", "error")
    chat = ChatMessageChunk("a", role="critic") + HumanMessageChunk("b")
    assert (chat.content, chat.role) == ("ab", "critic")


def test_importing_messages_and_outputs_loads_nothing_heavy() -> None:
    """Import pulls in no pydantic, asyncio, inspect or logging."""
    heavy = ("pydantic", "asyncio", "inspect", "logging", "langchain_core")
    code = f"import sys, runwire.messages, runwire.outputs; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_message_plus_message_is_a_chat_prompt_template() -> None:
    """Adding two (non-chunk) messages makes a chat prompt template holding both, in order."""
    first, second = HumanMessage("a"), AIMessage("b")
    prompt = first + second
    assert type(prompt).__name__ == "ChatPromptTemplate"
    assert prompt.messages == [first, second]


@pytest.mark.reference
def test_pretty_print_matches_langchain(capsys: pytest.CaptureFixture[str]) -> None:
    """pretty_print() writes what langchain-core writes (outside a REPL, without bold)."""
    AIMessage("hi", name="bot", tool_calls=[TOOL_CALL]).pretty_print()
    ours = capsys.readouterr().out
    lc.AIMessage("hi", name="bot", tool_calls=[TOOL_CALL]).pretty_print()
    assert ours == capsys.readouterr().out
