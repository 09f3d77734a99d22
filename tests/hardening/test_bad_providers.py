"""Provider replies an attacker or a broken proxy could send, through the real SDKs against a
scripted loopback server: each is a typed ChatModelError saying what was wrong, the run ends in an
error event, and nothing hangs. The shape errors were bare AttributeError/TypeError before."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chat_models.anthropic_script import message, text, text_stream
from chat_models.scripted_server import Reply, ScriptedServer
from runwire.chat_models.errors import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    ChatModelError,
    MalformedResponseError,
    RateLimitError,
    ServerError,
)

from .conftest import Recorder

pytest.importorskip("anthropic")
pytest.importorskip("openai")

from runwire.chat_models.anthropic import ChatAnthropic
from runwire.chat_models.openai import ChatOpenAI


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()
    yield scripted
    scripted.close()


def _anthropic(server: ScriptedServer, **kw: Any) -> ChatAnthropic:
    options: dict[str, Any] = {"model": "m", "api_key": "sk-ant-x", "base_url": server.url, "max_retries": 0}
    return ChatAnthropic(**{**options, "timeout": 1, **kw})


def _openai(server: ScriptedServer, **kw: Any) -> ChatOpenAI:
    return ChatOpenAI(model="m", api_key="sk-x", base_url=server.url + "/v1", max_retries=0, timeout=1, **kw)


_START = ("message_start", {"type": "message_start", "message": {**message([]), "content": []}})


def _chunk(delta: Any, **extra: Any) -> tuple[None, dict[str, Any]]:
    choice = {"index": 0, "delta": delta, "finish_reason": None}
    return None, {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [choice],
        **extra,
    }


def _completion(**message_fields: Any) -> dict[str, Any]:
    choice = {"index": 0, "message": {"role": "assistant", **message_fields}, "finish_reason": "stop"}
    return {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": [choice]}


ANTHROPIC_REPLIES: dict[str, tuple[Reply, bool, type[ChatModelError], str]] = {
    "content is a str": (
        Reply(json={**message([]), "content": "hi"}),
        False,
        MalformedResponseError,
        "content",
    ),
    "usage counts are str": (
        Reply(json={**message([text("x")]), "usage": {"input_tokens": "5", "output_tokens": 1}}),
        False,
        MalformedResponseError,
        "TypeError",
    ),
    "tool input is a list": (
        Reply(json=message([{"type": "tool_use", "id": "t", "name": "f", "input": [1]}])),
        False,
        MalformedResponseError,
        "tool call",
    ),
    "a JSON array": (Reply(json=[1, 2]), False, MalformedResponseError, "JSON object"),
    "an empty body": (Reply(raw=b""), False, MalformedResponseError, "not valid"),
    "an HTML page": (Reply(raw=b"<html>proxy</html>"), False, MalformedResponseError, "not valid"),
    "HTTP 500 HTML": (Reply(status=500, raw=b"<html>oops</html>"), False, ServerError, "HTTP 500"),
    "HTTP 503": (
        Reply(status=503, json={"error": {"type": "overloaded_error", "message": "busy"}}),
        False,
        ServerError,
        "busy",
    ),
    "HTTP 418 odd body": (
        Reply(status=418, json={"error": {"type": 5, "message": [1]}}),
        False,
        BadRequestError,
        "418",
    ),
    "HTTP 429 bare": (Reply(status=429, json={"error": "slow"}), False, RateLimitError, "429"),
    "HTTP 429 bad retry-after": (
        Reply(status=429, headers={"retry-after": "soon"}, json={"error": "slow"}),
        False,
        RateLimitError,
        "429",
    ),
    "a delta that is a str": (
        Reply(
            sse=[_START, ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": "x"})]
        ),
        True,
        MalformedResponseError,
        "AttributeError",
    ),
    "a block that is a str": (
        Reply(
            sse=[
                _START,
                ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": "x"}),
            ]
        ),
        True,
        MalformedResponseError,
        "AttributeError",
    ),
    "a message that is a str": (
        Reply(sse=[("message_start", {"type": "message_start", "message": "x"})]),
        True,
        MalformedResponseError,
        "",
    ),
    "invalid JSON in SSE": (
        Reply(sse=[_START, ("content_block_delta", "{nope")]),
        True,
        MalformedResponseError,
        "not valid",
    ),
    "a stream cut midway": (
        Reply(sse=text_stream("a", "b"), drop_after=3),
        True,
        APIConnectionError,
        "dropped",
    ),
    "a reset before any byte": (Reply(drop=True), False, APIConnectionError, "could not talk"),
    "a slow server": (Reply(json=message([text("late")]), delay=1.5), False, APITimeoutError, "in time"),
}

OPENAI_REPLIES: dict[str, tuple[Reply, bool, type[ChatModelError], str]] = {
    "tool_calls is a str": (
        Reply(json=_completion(content="", tool_calls="x")),
        False,
        MalformedResponseError,
        "",
    ),
    "a tool call is a str": (
        Reply(json=_completion(content="", tool_calls=["x"])),
        False,
        MalformedResponseError,
        "",
    ),
    "usage counts are str": (
        Reply(json={**_completion(content="hi"), "usage": {"prompt_tokens": "1", "completion_tokens": None}}),
        False,
        MalformedResponseError,
        "",
    ),
    "choices hold a str": (
        Reply(json={**_completion(content="x"), "choices": ["a"]}),
        False,
        MalformedResponseError,
        "choices",
    ),
    "a streamed choice is a str": (
        Reply(sse=[(None, {"id": "c", "choices": ["x"]})]),
        True,
        MalformedResponseError,
        "",
    ),
    "a delta that is a str": (Reply(sse=[_chunk("x"), (None, "[DONE]")]), True, MalformedResponseError, ""),
    "a tool index that is a list": (
        Reply(
            sse=[
                _chunk({"tool_calls": [{"index": [1], "function": {"name": "f", "arguments": "{"}}]}),
                (None, "[DONE]"),
            ]
        ),
        True,
        MalformedResponseError,
        "unhashable",
    ),
    "an error event in the stream": (
        Reply(sse=[(None, {"error": {"message": "boom", "type": "server_error"}})]),
        True,
        ServerError,
        "boom",
    ),
    "invalid JSON in SSE": (
        Reply(sse=[(None, "{nope"), (None, "[DONE]")]),
        True,
        MalformedResponseError,
        "not valid",
    ),
    "HTTP 429 with retry-after": (
        Reply(status=429, headers={"retry-after": "7"}, json={"error": {"message": "slow"}}),
        False,
        RateLimitError,
        "wait 7s",
    ),
    "a slow stream": (Reply(sse=[_chunk({"content": "a"})], delay=1.5), True, APITimeoutError, "in time"),
}


def _check(model: Any, server: ScriptedServer, case: tuple[Reply, bool, type[ChatModelError], str]) -> None:
    reply, stream, error, match = case
    server.script(reply)
    recorder = Recorder()
    config: Any = {"callbacks": [recorder]}
    call = (lambda: list(model.stream("hi", config))) if stream else (lambda: model.invoke("hi", config))
    with pytest.raises(error, match=match or None) as caught:
        call()
    advice = ("base_url", "retry", "raise", "check", "needs")
    assert any(word in str(caught.value).lower() for word in advice), caught.value
    recorder.assert_paired(error=True)


@pytest.mark.parametrize("case", sorted(ANTHROPIC_REPLIES))
def test_anthropic_bad_replies_are_typed_errors(server: ScriptedServer, case: str) -> None:
    _check(_anthropic(server), server, ANTHROPIC_REPLIES[case])


@pytest.mark.parametrize("case", sorted(OPENAI_REPLIES))
def test_openai_bad_replies_are_typed_errors(server: ScriptedServer, case: str) -> None:
    _check(_openai(server), server, OPENAI_REPLIES[case])


async def test_async_shape_errors_are_typed_too(server: ScriptedServer) -> None:
    server.script(
        Reply(json=_completion(content="", tool_calls="x")), Reply(sse=[_chunk("x"), (None, "[DONE]")])
    )
    model = _openai(server)
    with pytest.raises(MalformedResponseError):
        await model.ainvoke("hi")
    with pytest.raises(MalformedResponseError):
        async for _ in model.astream("hi"):
            pass


def test_unknown_stream_events_are_skipped(server: ScriptedServer) -> None:
    """Event types the API may add later are ignored, not errors."""
    events = [_START, ("wat", {"type": "wat"}), *text_stream("ok")[1:]]
    server.script(Reply(sse=events))
    assert "".join(str(c.content) for c in _anthropic(server).stream("hi")) == "ok"


def test_a_retried_429_honours_retry_after_and_then_succeeds(server: ScriptedServer) -> None:
    server.script(
        Reply(
            status=429,
            headers={"retry-after": "0.05"},
            json={"error": {"type": "rate_limit_error", "message": "x"}},
        ),
        Reply(json=message([text("fine")])),
    )
    assert _anthropic(server, max_retries=1).invoke("hi").content == "fine"  # type: ignore[arg-type]
