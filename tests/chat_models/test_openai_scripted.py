"""ChatOpenAI through the real `openai` SDK against a scripted loopback server: exact stream
framing (usage chunk, `[DONE]`, tool call deltas) and the error paths a 135M model can't produce."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from runwire.chat_models.errors import (
    APIConnectionError,
    AuthenticationError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
)
from runwire.chat_models.openai import ChatOpenAI
from runwire.exceptions import OutputParserException

from .scripted_server import Reply, ScriptedServer

pytest.importorskip("openai")


def completion(content: str | None, tool_calls: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini-2024-07-18",
        "system_fingerprint": "fp_1",
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if tool_calls else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 12,
            "completion_tokens": 5,
            "total_tokens": 17,
            "prompt_tokens_details": {"cached_tokens": 4},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
    }


def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> tuple[None, dict[str, Any]]:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        **extra,
    }
    return None, body


USAGE: tuple[None, dict[str, Any]] = (
    None,
    {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
    },
)
DONE: tuple[None, str] = (None, "[DONE]")


@pytest.fixture
def chat(server: ScriptedServer) -> Iterator[ChatOpenAI]:
    model = ChatOpenAI(api_key="sk-test", base_url=f"{server.url}/v1", max_retries=0)
    yield model
    model.close()


def test_a_completion_becomes_a_message_with_usage_details(server: ScriptedServer, chat: ChatOpenAI) -> None:
    """Content, usage (cached tokens as cache_read) and langchain-openai's response_metadata."""
    server.script(Reply(json=completion("Hello")))
    reply = chat.invoke("Hi")
    assert reply.content == "Hello"
    assert reply.usage_metadata == {
        "input_tokens": 12,
        "output_tokens": 5,
        "total_tokens": 17,
        "input_token_details": {"cache_read": 4},
        "output_token_details": {"reasoning": 0},
    }
    assert reply.response_metadata["model_name"] == "gpt-4o-mini-2024-07-18"
    assert reply.response_metadata["finish_reason"] == "stop"
    assert server.requests[0].path == "/v1/chat/completions"
    assert server.requests[0].body == {
        "messages": [{"role": "user", "content": "Hi"}],
        "model": "gpt-4o-mini",
    }


def test_a_stream_asks_for_usage_and_ends_at_done(server: ScriptedServer, chat: ChatOpenAI) -> None:
    """Streams send stream_options.include_usage; the usage-only chunk before [DONE] gives the
    merged message its usage, and the finish chunk its metadata."""
    opening = chunk({"role": "assistant", "content": ""})
    server.script(
        Reply(
            sse=[opening, chunk({"content": "Hel"}), chunk({"content": "lo"}), chunk({}, "stop"), USAGE, DONE]
        )
    )
    chunks = list(chat.stream("Hi"))
    total = chunks[0]
    for piece in chunks[1:]:
        total = total + piece
    assert total.content == "Hello"
    assert total.usage_metadata == {"input_tokens": 12, "output_tokens": 5, "total_tokens": 17}
    assert total.response_metadata["finish_reason"] == "stop"
    assert total.response_metadata["model_name"] == "gpt-4o-mini-2024-07-18"
    assert server.requests[0].body["stream_options"] == {"include_usage": True}


def test_tool_call_deltas_become_tool_call_chunks(server: ScriptedServer, chat: ChatOpenAI) -> None:
    """OpenAI's streamed tool calls (id and name first, then argument pieces, two calls by index)
    become tool_call_chunks that add up to two parsed calls."""
    first = {"index": 0, "id": "call_a", "type": "function", "function": {"name": "add", "arguments": ""}}
    second = {"index": 1, "id": "call_b", "type": "function", "function": {"name": "add", "arguments": ""}}

    def args(index: int, text: str) -> dict[str, Any]:
        return {"tool_calls": [{"index": index, "function": {"arguments": text}}]}

    opening = chunk({"role": "assistant", "content": None, "tool_calls": [first]})
    pieces = [chunk(args(0, '{"a": 1,')), chunk(args(0, ' "b": 2}')), chunk({"tool_calls": [second]})]
    server.script(
        Reply(
            sse=[opening, *pieces, chunk(args(1, '{"a": 3, "b": 4}')), chunk({}, "tool_calls"), USAGE, DONE]
        )
    )
    chunks = list(
        chat.bind_tools([{"type": "function", "function": {"name": "add", "parameters": {}}}]).stream("x")
    )
    total = chunks[0]
    for piece in chunks[1:]:
        total = total + piece
    assert [(c["id"], c["args"]) for c in total.tool_calls] == [
        ("call_a", {"a": 1, "b": 2}),
        ("call_b", {"a": 3, "b": 4}),
    ]
    assert [c["index"] for c in total.tool_call_chunks] == [0, 1]


def test_unparseable_tool_arguments_are_invalid_tool_calls(server: ScriptedServer, chat: ChatOpenAI) -> None:
    """A tool call whose arguments are not JSON is kept as an invalid tool call, not raised."""
    bad = [{"id": "call_a", "type": "function", "function": {"name": "add", "arguments": "{oops"}}]
    server.script(Reply(json=completion("", bad)))
    reply = chat.invoke("x")
    assert reply.tool_calls == []
    assert reply.invalid_tool_calls[0]["args"] == "{oops"


def test_json_schema_structured_output(server: ScriptedServer, chat: ChatOpenAI) -> None:
    """The default method sends response_format json_schema and parses the JSON reply."""
    server.script(Reply(json=completion('{"city": "Berlin"}')))
    schema = {"title": "Place", "type": "object", "properties": {"city": {"type": "string"}}}
    assert chat.with_structured_output(schema, strict=True).invoke("x") == {"city": "Berlin"}
    assert server.requests[0].body["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "Place",
            "schema": {"type": "object", "properties": {"city": {"type": "string"}}},
            "strict": True,
        },
    }


def test_error_statuses_are_typed(server: ScriptedServer, chat: ChatOpenAI) -> None:
    """401, 429 (with its wait) and 503 become AuthenticationError, RateLimitError, ServerError."""
    refused = {"error": {"type": "invalid_request_error", "code": "invalid_api_key", "message": "bad key"}}
    limited = {"error": {"type": "requests", "message": "Rate limit reached"}}
    server.script(
        Reply(status=401, json=refused),
        Reply(status=429, json=limited, headers={"retry-after": "3"}),
        Reply(status=503, json={"error": {"type": "server_error", "message": "busy"}}),
    )
    with pytest.raises(AuthenticationError, match="bad key"):
        chat.invoke("x")
    with pytest.raises(RateLimitError) as caught:
        chat.invoke("x")
    assert caught.value.retry_after == 3.0
    with pytest.raises(ServerError, match="HTTP 503"):
        chat.invoke("x")


def test_the_sdk_retries_a_server_error(server: ScriptedServer) -> None:
    """With max_retries=1 a 500 is retried by the SDK and the second answer is returned."""
    server.script(Reply(status=500, json={"error": {"message": "boom"}}, headers={"retry-after-ms": "10"}),
                  Reply(json=completion("ok")))  # fmt: skip
    model = ChatOpenAI(api_key="sk-test", base_url=f"{server.url}/v1", max_retries=1)
    assert model.invoke("x").content == "ok"
    assert len(server.requests) == 2


def test_malformed_bodies_and_dropped_connections(server: ScriptedServer, chat: ChatOpenAI) -> None:
    """Bad JSON and a body without choices are MalformedResponseError; a drop is APIConnectionError."""
    server.script(
        Reply(raw=b"<html>gateway</html>"), Reply(json={"id": "x", "choices": []}), Reply(drop=True)
    )
    with pytest.raises(MalformedResponseError):
        chat.invoke("x")
    with pytest.raises(MalformedResponseError, match="non-empty 'choices'"):
        chat.invoke("x")
    with pytest.raises(APIConnectionError):
        chat.invoke("x")


def test_a_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without api_key= or OPENAI_API_KEY the constructor says what to set."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    from runwire.chat_models.errors import MissingCredentialsError

    with pytest.raises(MissingCredentialsError, match="OPENAI_API_KEY"):
        ChatOpenAI()


def test_a_rejected_json_schema_falls_back_to_function_calling_at_once(server: ScriptedServer) -> None:
    """A server answering `json_schema` with HTTP 500 gets one such request (not max_retries + 1),
    then the same question as a forced tool call, whose arguments are the result."""
    call = [
        {"id": "call_a", "type": "function", "function": {"name": "Place", "arguments": '{"city": "Berlin"}'}}
    ]
    server.script(
        Reply(status=500, json={"error": {"message": "response_format: json_schema"}}),
        Reply(json=completion(None, call)),
    )
    model = ChatOpenAI(api_key="sk-test", base_url=f"{server.url}/v1", max_retries=2)
    schema = {"title": "Place", "type": "object", "properties": {"city": {"type": "string"}}}
    assert model.with_structured_output(schema).invoke("x") == {"city": "Berlin"}
    first, second = (seen.body for seen in server.requests)
    assert first["response_format"]["type"] == "json_schema"
    assert "response_format" not in second
    assert second["tool_choice"] == {"type": "function", "function": {"name": "Place"}}


def test_json_cut_by_the_length_limit_says_so(server: ScriptedServer, chat: ChatOpenAI) -> None:
    """A JSON reply that stopped at max_tokens is reported as truncated, not only as bad JSON."""
    cut = completion('{"city": "Ber')
    cut["choices"][0]["finish_reason"] = "length"
    server.script(Reply(json=cut))
    schema = {"title": "Place", "type": "object", "properties": {"city": {"type": "string"}}}
    with pytest.raises(OutputParserException, match="truncated by the length limit") as caught:
        chat.with_structured_output(schema, method="json_mode").invoke("x")
    assert "max_tokens=" in str(caught.value)
