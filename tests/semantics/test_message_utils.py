"""Message utilities on langchain-core and on runwire: trimming, filtering, merging, OpenAI
conversion, usage arithmetic and content-block helpers. Each test is one program; both
libraries must give the same result (built with their own message classes)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest


def history(lib: Any) -> list[Any]:
    """langchain-core's trim_messages docstring conversation."""
    return [
        lib.SystemMessage("you're a good assistant, you always respond with a joke."),
        lib.HumanMessage("i wonder why it's called langchain"),
        lib.AIMessage(
            'Well, I guess they thought "WordRope" and "SentenceString" '
            "just didn't have the same ring to it!"
        ),
        lib.HumanMessage("and who is harrison chasing anyways"),
        lib.AIMessage(
            "Hmmm let me think.\n\nWhy, he's probably chasing after the last cup of coffee in the office!"
        ),
        lib.HumanMessage("what do you call a speechless parrot"),
    ]


def one_per_message(messages: list[Any]) -> int:
    return len(messages)


def words(messages: list[Any]) -> int:
    """Words of the text in each message's content (string or text blocks)."""
    total = 0
    for m in messages:
        parts = [m.content] if isinstance(m.content, str) else [b["text"] for b in m.content]
        total += sum(len(part.split()) for part in parts)
    return total


# -- trim_messages ------------------------------------------------------------------------------


def test_trim_last_by_message_count_keeping_system(lib: Any) -> None:
    msgs = history(lib)
    kept = lib.trim_messages(
        msgs,
        max_tokens=3,
        token_counter=one_per_message,
        strategy="last",
        include_system=True,
        start_on="human",
    )
    assert kept == [msgs[0], msgs[5]]
    kept = lib.trim_messages(msgs, max_tokens=4, token_counter=one_per_message, include_system=True)
    assert kept == [msgs[0], *msgs[3:]]


def test_trim_first_and_end_on(lib: Any) -> None:
    msgs = history(lib)
    assert lib.trim_messages(msgs, max_tokens=3, token_counter=one_per_message, strategy="first") == msgs[:3]
    kept = lib.trim_messages(
        msgs, max_tokens=5, token_counter=one_per_message, strategy="first", end_on="human"
    )
    assert kept == msgs[:4]
    kept = lib.trim_messages(
        msgs, max_tokens=100, token_counter=one_per_message, strategy="first", end_on=lib.AIMessage
    )
    assert kept == msgs[:5]


def test_trim_with_a_per_message_counter_and_partial_text(lib: Any) -> None:
    """A counter annotated with BaseMessage counts one message; allow_partial keeps the last
    lines of a message that does not fit whole."""
    BaseMessage = lib.BaseMessage  # noqa: N806

    def count(message: BaseMessage) -> int:  # type: ignore[valid-type]
        return len(str(message.content).split())  # type: ignore[attr-defined]

    count.__annotations__ = {"message": BaseMessage, "return": int}
    msgs = history(lib)
    whole = lib.trim_messages(msgs, max_tokens=12, token_counter=count)
    assert whole == msgs[5:]
    partial = lib.trim_messages(msgs, max_tokens=20, token_counter=count, allow_partial=True)
    assert partial[-1] == msgs[5]
    assert partial[0].content == "\nWhy, he's probably chasing after the last cup of coffee in the office!"
    assert len(partial) == 2
    first = lib.trim_messages(msgs, max_tokens=43, token_counter=count, strategy="first", allow_partial=True)
    assert first == [*msgs[:4], lib.AIMessage("Hmmm let me think.\n\n")]
    assert (
        lib.trim_messages(msgs, max_tokens=37, token_counter=count, strategy="first", allow_partial=True)
        == msgs[:3]
    )


def test_trim_approximate_counter_and_list_content_partial(lib: Any) -> None:
    msgs = [
        lib.HumanMessage(
            content=[{"type": "text", "text": "one " * 20}, {"type": "text", "text": "two " * 20}]
        ),
        lib.AIMessage("ok"),
    ]
    kept = lib.trim_messages(msgs, max_tokens=20, token_counter=words, strategy="first", allow_partial=True)
    assert kept == [lib.HumanMessage(content=[{"type": "text", "text": "one " * 20}])]
    approx = lib.trim_messages(history(lib), max_tokens=45, token_counter="approximate")
    assert approx == history(lib)[-2:]


def test_trim_as_a_runnable_and_bad_options(lib: Any) -> None:
    trimmer = lib.trim_messages(max_tokens=2, token_counter=one_per_message)
    assert trimmer.invoke(history(lib)) == history(lib)[-2:]
    assert asyncio.run(trimmer.ainvoke(history(lib))) == history(lib)[-2:]
    with pytest.raises(ValueError, match="start_on parameter is only valid with strategy='last'"):
        lib.trim_messages(history(lib), max_tokens=2, token_counter=len, strategy="first", start_on="human")
    with pytest.raises(ValueError, match="include_system parameter is only valid"):
        lib.trim_messages(
            history(lib), max_tokens=2, token_counter=len, strategy="first", include_system=True
        )
    with pytest.raises(ValueError, match="Invalid token_counter shortcut 'exact'"):
        lib.trim_messages(history(lib), max_tokens=2, token_counter="exact")
    with pytest.raises(ValueError, match="'token_counter' expected to be a model"):
        lib.trim_messages(history(lib), max_tokens=2, token_counter=42)
    with pytest.raises(ValueError, match="Unrecognized strategy='middle'"):
        lib.trim_messages(history(lib), max_tokens=2, token_counter=len, strategy="middle")


def test_count_tokens_approximately(lib: Any) -> None:
    msgs = [
        *history(lib),
        lib.AIMessage("", tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c1"}]),
        lib.ToolMessage("result", tool_call_id="c1", name="f"),
        lib.HumanMessage(content=[{"type": "image_url", "image_url": {"url": "http://x"}}, "look"]),
    ]
    # Characters / 4 per message (content, tool calls, role, name) + 3 each + 85 per image,
    # computed here independently of either library.
    import math

    expected = 0
    for m in msgs:
        content = m.content
        chars = len(content) if isinstance(content, str) else len("look")
        if getattr(m, "tool_calls", None):
            chars += len(repr(m.tool_calls))
        if m.type == "tool":
            chars += len(m.tool_call_id)
        chars += len({"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}[m.type])
        chars += len(m.name or "")
        expected += math.ceil(chars / 4) + 3
    assert lib.count_tokens_approximately(msgs) == expected + 85


# -- filter_messages and merge_message_runs ---------------------------------------------------


def filter_history(lib: Any) -> list[Any]:
    return [
        lib.SystemMessage("you're a good assistant.", id="s"),
        lib.HumanMessage("what's your name", id="foo", name="example_user"),
        lib.AIMessage("steve-o", id="bar", name="example_assistant"),
        lib.HumanMessage("what's your favorite color", id="baz"),
        lib.AIMessage(
            "silicon blue",
            id="blah",
            tool_calls=[{"name": "t", "args": {}, "id": "c1"}, {"name": "u", "args": {}, "id": "c2"}],
        ),
        lib.ToolMessage("done", tool_call_id="c1", id="tm"),
    ]


def test_filter_messages(lib: Any) -> None:
    msgs = filter_history(lib)
    ids = lambda found: [m.id for m in found]  # noqa: E731
    assert ids(lib.filter_messages(msgs, include_names=("example_user", "example_assistant"))) == [
        "foo",
        "bar",
    ]
    assert ids(lib.filter_messages(msgs, include_types=["system", lib.ToolMessage])) == ["s", "tm"]
    assert ids(lib.filter_messages(msgs, exclude_ids=["bar"], include_types="human")) == ["foo", "baz"]
    assert ids(lib.filter_messages(msgs, exclude_tool_calls=True)) == ["s", "foo", "bar", "baz"]
    trimmed = lib.filter_messages(msgs, exclude_tool_calls=["c1"])
    assert ids(trimmed) == ["s", "foo", "bar", "baz", "blah"]
    assert [c["id"] for c in trimmed[-1].tool_calls] == ["c2"]
    assert [c["id"] for c in msgs[4].tool_calls] == ["c1", "c2"]  # the input is not changed
    assert lib.filter_messages(include_types="ai").invoke(msgs) == [msgs[2], msgs[4]]


def test_merge_message_runs(lib: Any) -> None:
    msgs = [
        lib.SystemMessage("you're a good assistant."),
        lib.HumanMessage("what's your favorite color", id="foo"),
        lib.HumanMessage("wait your favorite food", id="bar"),
        lib.AIMessage(
            "my favorite colo",
            tool_calls=[{"name": "blah_tool", "args": {"x": 2}, "id": "123"}],
            id="baz",
            response_metadata={"a": 1},
        ),
        lib.AIMessage(
            [{"type": "text", "text": "my favorite dish is lasagna"}],
            tool_calls=[{"name": "blah_tool", "args": {"x": -10}, "id": "456"}],
            id="blur",
            response_metadata={"b": 2},
        ),
        lib.ToolMessage("a", tool_call_id="123"),
        lib.ToolMessage("b", tool_call_id="456"),
    ]
    merged = lib.merge_message_runs(msgs)
    assert len(merged) == 5
    assert merged[1] == lib.HumanMessage("what's your favorite color\nwait your favorite food", id="foo")
    ai = merged[2]
    assert type(ai) is lib.AIMessage
    assert ai.content == ["my favorite colo", {"type": "text", "text": "my favorite dish is lasagna"}]
    assert [c["id"] for c in ai.tool_calls] == ["123", "456"]
    assert ai.response_metadata == {"a": 1}
    assert ai.id == "baz"
    assert merged[3:] == msgs[5:]
    assert lib.merge_message_runs([]) == []
    assert lib.merge_message_runs(chunk_separator=" | ").invoke([("human", "a"), ("human", "b")]) == [
        lib.HumanMessage("a | b")
    ]


# -- OpenAI format ------------------------------------------------------------------------------


def test_convert_to_openai_messages(lib: Any) -> None:
    msgs = [
        lib.SystemMessage([{"type": "text", "text": "foo"}]),
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "whats in this"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,'/9j/4AAQSk'"}},
            ],
        },
        lib.AIMessage(
            "", tool_calls=[{"name": "analyze", "args": {"baz": "buz"}, "id": "1", "type": "tool_call"}]
        ),
        lib.ToolMessage("foobar", tool_call_id="1", name="bar"),
        {"role": "assistant", "content": "thats nice"},
        lib.HumanMessage(
            [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "abc"}}]
        ),
        lib.AIMessage(
            [
                {"type": "tool_use", "id": "2", "name": "f", "input": {"q": "é"}},
                {"type": "thinking", "thinking": "hm"},
            ],
            id="x",
        ),
        lib.HumanMessage([{"type": "tool_result", "tool_use_id": "2", "content": "ok", "is_error": True}]),
    ]
    assert lib.convert_to_openai_messages(msgs) == [
        {"role": "system", "content": "foo"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "whats in this"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,'/9j/4AAQSk'"}},
            ],
        },
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "type": "function",
                    "id": "1",
                    "function": {"name": "analyze", "arguments": '{"baz": "buz"}'},
                }
            ],
            "content": "",
        },
        {"role": "tool", "name": "bar", "tool_call_id": "1", "content": "foobar"},
        {"role": "assistant", "content": "thats nice"},
        {
            "role": "user",
            "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,abc"}}],
        },
        {
            "role": "assistant",
            "tool_calls": [
                {"type": "function", "id": "2", "function": {"name": "f", "arguments": '{"q": "é"}'}}
            ],
            "content": [{"type": "thinking", "thinking": "hm"}],
        },
        {"role": "tool", "tool_call_id": "2", "content": "ok"},
    ]
    single = lib.convert_to_openai_messages(
        lib.AIMessage("hi", id="m1"), text_format="block", include_id=True
    )
    assert single == {"role": "assistant", "id": "m1", "content": [{"type": "text", "text": "hi"}]}
    assert lib.convert_to_openai_messages("hello") == {"role": "user", "content": "hello"}


def test_convert_to_openai_messages_errors(lib: Any) -> None:
    with pytest.raises(ValueError, match="Unrecognized text_format='xml'"):
        lib.convert_to_openai_messages([], text_format="xml")
    with pytest.raises(
        ValueError, match=r"messages\[0\].content\[1\] has 'type': 'tool_use', but is missing"
    ):
        lib.convert_to_openai_messages([lib.AIMessage(["x", {"type": "tool_use", "id": "1"}])])
    with pytest.raises(ValueError, match="does not match OpenAI, Anthropic"):
        lib.convert_to_openai_messages(
            [lib.HumanMessage([{"type": "weird"}])], pass_through_unknown_blocks=False
        )
    with pytest.raises(ValueError, match="can only support text and image data"):
        lib.convert_to_openai_messages(
            [lib.HumanMessage([{"type": "media", "mime_type": "audio/wav", "data": b"x"}])]
        )


def test_content_block_helpers(lib: Any) -> None:
    assert {"text", "image", "tool_call", "non_standard"} <= lib.KNOWN_BLOCK_TYPES
    assert "citation" not in lib.KNOWN_BLOCK_TYPES
    assert lib.is_data_content_block({"type": "image", "url": "http://x"})
    assert lib.is_data_content_block({"type": "file", "source_type": "id", "id": "f1"})
    assert not lib.is_data_content_block({"type": "text", "text": "hi"})
    assert not lib.is_data_content_block({"type": "image"})
    assert lib.convert_to_openai_image_block({"type": "image", "base64": "AA", "mime_type": "image/png"}) == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64,AA"},
    }
    audio = {"type": "audio", "base64": "AA", "mime_type": "audio/wav"}
    assert lib.convert_to_openai_data_block(audio) == {
        "type": "input_audio",
        "input_audio": {"data": "AA", "format": "wav"},
    }
    pdf = {"type": "file", "base64": "AA", "mime_type": "application/pdf", "filename": "a.pdf"}
    assert lib.convert_to_openai_data_block(pdf, api="responses") == {
        "type": "input_file",
        "file_data": "data:application/pdf;base64,AA",
        "filename": "a.pdf",
    }
    with pytest.raises(ValueError, match="does not support file URLs"):
        lib.convert_to_openai_data_block({"type": "file", "url": "http://x"})
    text = lib.create_text_block("hi", index=0, custom="c")
    assert text["id"].startswith("lc_")
    assert {k: v for k, v in text.items() if k != "id"} == {
        "type": "text",
        "text": "hi",
        "index": 0,
        "extras": {"custom": "c"},
    }
    assert lib.create_image_block(url="http://x", id="i")["url"] == "http://x"
    with pytest.raises(ValueError, match="Must provide one of: url, base64, or file_id"):
        lib.create_file_block()
    with pytest.raises(ValueError, match="mime_type is required"):
        lib.create_file_block(base64="AA")


# -- chunks, usage, buffers ---------------------------------------------------------------------


def test_message_chunk_to_message(lib: Any) -> None:
    chunk = lib.AIMessageChunk(
        content="hi", id="1", tool_call_chunks=[{"name": "f", "args": '{"a": 1}', "id": "c", "index": 0}]
    )
    message = lib.message_chunk_to_message(chunk)
    assert type(message) is lib.AIMessage
    assert message.tool_calls == [{"name": "f", "args": {"a": 1}, "id": "c", "type": "tool_call"}]
    assert type(lib.message_chunk_to_message(lib.HumanMessageChunk(content="x"))) is lib.HumanMessage
    same = lib.HumanMessage("x")
    assert lib.message_chunk_to_message(same) is same


def test_add_and_subtract_usage(lib: Any) -> None:
    left = {
        "input_tokens": 5,
        "output_tokens": 10,
        "total_tokens": 15,
        "input_token_details": lib.InputTokenDetails(cache_read=3),
    }
    right = {
        "input_tokens": 3,
        "output_tokens": 12,
        "total_tokens": 15,
        "output_token_details": lib.OutputTokenDetails(reasoning=4),
    }
    assert lib.add_usage(left, right) == {
        "input_tokens": 8,
        "output_tokens": 22,
        "total_tokens": 30,
        "input_token_details": {"cache_read": 3},
        "output_token_details": {"reasoning": 4},
    }
    assert lib.subtract_usage(left, right) == {
        "input_tokens": 2,
        "output_tokens": 0,
        "total_tokens": 0,
        "input_token_details": {"cache_read": 3},
        "output_token_details": {"reasoning": 0},
    }
    assert lib.add_usage(None, None) == {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}


def test_get_buffer_string_options(lib: Any) -> None:
    msgs = [
        lib.SystemMessage("s"),
        lib.HumanMessage("h"),
        lib.AIMessage("a"),
        lib.ChatMessage(role="critic", content="c"),
    ]
    assert lib.get_buffer_string(msgs) == "System: s\nHuman: h\nAI: a\ncritic: c"
    assert lib.get_buffer_string(msgs, human_prefix="User", ai_prefix="Bot", message_separator=" | ") == (
        "System: s | User: h | Bot: a | critic: c"
    )
    with pytest.raises(ValueError, match="Unrecognized format"):
        lib.get_buffer_string(msgs, format="json")


def test_remove_message(lib: Any) -> None:
    removal = lib.RemoveMessage(id="m1")
    assert removal.type == "remove"
    assert removal.id == "m1"
    with pytest.raises(ValueError):
        lib.RemoveMessage(id="m1", content="x")


def test_trim_counts_with_a_models_get_num_tokens_from_messages(lib: Any) -> None:
    """A model as token_counter: its get_num_tokens_from_messages counts (here letters of each
    `Role: text` line)."""

    def letters(text: str) -> list[int]:
        return [ord(c) for c in text if c.isalpha()]

    model = lib.FakeListChatModel(responses=["x"], custom_get_token_ids=letters)
    msgs = [lib.HumanMessage("aaaa"), lib.AIMessage("bb"), lib.HumanMessage("cc")]
    # "Humancc" = 7, "AIbb" = 4, "Humanaaaa" = 9
    assert lib.trim_messages(msgs, max_tokens=11, token_counter=model) == msgs[1:]
    assert lib.trim_messages(msgs, max_tokens=10, token_counter=model) == msgs[2:]
