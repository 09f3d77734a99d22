"""ChatAnthropic through the real `anthropic` SDK against a scripted loopback Messages API:
JSON and SSE replies, tool use, and every failure a caller can meet, as typed errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from runwire.chat_models.anthropic import ChatAnthropic
from runwire.chat_models.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    MalformedResponseError,
    MissingCredentialsError,
    RateLimitError,
    ServerError,
)
from runwire.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from runwire.prompts import ChatPromptTemplate

from .anthropic_script import MODEL, error, message, text, text_stream, tool_stream, tool_use
from .conftest import Events
from .scripted_server import Reply, ScriptedServer

pytest.importorskip("anthropic")

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
SEED_METADATA = {
    "id": "msg_01D8Tt5FdtBk5gLTfBPm2tac",
    "model": MODEL,
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 16, "output_tokens": 13},
}


def _chat(server: ScriptedServer, **kwargs: Any) -> ChatAnthropic:
    options: dict[str, Any] = {
        "model": MODEL,
        "api_key": "sk-ant-test",
        "base_url": server.url,
        "max_retries": 0,
    }
    return ChatAnthropic(**{**options, **kwargs})


@pytest.fixture
def chat(server: ScriptedServer) -> Iterator[ChatAnthropic]:
    model = _chat(server)
    yield model
    model.close()


@pytest.fixture
async def achat(server: ScriptedServer) -> AsyncIterator[ChatAnthropic]:
    model = _chat(server)
    yield model
    await model.aclose()


def _add(chunks: list[Any]) -> Any:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


# -- replies -------------------------------------------------------------------------------------


def test_the_seed_chain_gets_the_pages_metadata_and_a_run_id(
    server: ScriptedServer, chat: ChatAnthropic
) -> None:
    """The seed chain's reply has the page's response_metadata and llm_output, and id run-<run>-0."""
    server.script(Reply(json=message([text("1 + 2 = 3")])))
    events = Events()
    chain = ChatPromptTemplate.from_template("What is 1 + {number}?") | chat
    reply = chain.invoke({"number": "2"}, config={"callbacks": [events]})
    assert reply.content == "1 + 2 = 3"
    assert reply.response_metadata == SEED_METADATA
    assert reply.usage_metadata == {"input_tokens": 16, "output_tokens": 13, "total_tokens": 29}
    (_, (result,), end_kwargs) = next(p for p in events.payloads if p[0] == "on_llm_end")
    assert result.llm_output == SEED_METADATA
    assert reply.id == f"run-{end_kwargs['run_id']}-0"
    assert server.requests[0].path == "/v1/messages"
    assert server.requests[0].body == {
        "model": MODEL,
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": "What is 1 + 2?"}],
    }


def test_system_messages_go_to_the_top_level_system(server: ScriptedServer, chat: ChatAnthropic) -> None:
    """System messages leave the turn list; temperature and stop go as Anthropic names them."""
    server.script(Reply(json=message([text("Ahoy")])))
    chat.invoke([SystemMessage("Talk like a pirate."), HumanMessage("Hi")], stop=["!"], temperature=0.5)
    body = server.requests[0].body
    assert body["system"] == "Talk like a pirate."
    assert body["messages"] == [{"role": "user", "content": "Hi"}]
    assert body["stop_sequences"] == ["!"]
    assert body["temperature"] == 0.5


def test_streaming_text_deltas_become_chunks_and_token_events(
    server: ScriptedServer, chat: ChatAnthropic
) -> None:
    """SSE text deltas stream as chunks (pings skipped), each heard as a token; they add up to the
    same content, metadata and usage as a non-streamed reply."""
    server.script(Reply(sse=text_stream("1 + 2", " = 3")))
    events = Events()
    chunks = list(chat.stream("What is 1 + 2?", config={"callbacks": [events]}))
    total = _add(chunks)
    assert [c.content for c in chunks if c.content] == ["1 + 2", " = 3"]
    assert total.content == "1 + 2 = 3"
    assert total.response_metadata == SEED_METADATA
    assert total.usage_metadata == {"input_tokens": 16, "output_tokens": 13, "total_tokens": 29}
    assert events.names.count("on_llm_new_token") == len(chunks)
    assert server.requests[0].body["stream"] is True


def test_streaming_true_makes_invoke_stream(server: ScriptedServer) -> None:
    """With `streaming=True`, invoke reads the SSE stream and returns the whole message."""
    server.script(Reply(sse=text_stream("1 + 2", " = 3")))
    reply = _chat(server, streaming=True).invoke("What is 1 + 2?")
    assert isinstance(reply, AIMessage)
    assert reply.content == "1 + 2 = 3"
    assert reply.response_metadata == SEED_METADATA


async def test_async_invoke_and_stream(server: ScriptedServer, achat: ChatAnthropic) -> None:
    """AsyncAnthropic serves ainvoke and astream with the same translation."""
    server.script(Reply(json=message([text("1 + 2 = 3")])), Reply(sse=text_stream("1 + 2", " = 3")))
    assert (await achat.ainvoke("What is 1 + 2?")).content == "1 + 2 = 3"
    chunks = [chunk async for chunk in achat.astream("What is 1 + 2?")]
    assert _add(chunks).content == "1 + 2 = 3"


# -- tools -----------------------------------------------------------------------------------------


def test_tool_use_blocks_become_tool_calls(server: ScriptedServer, chat: ChatAnthropic) -> None:
    """A tool_use reply gives tool_calls and keeps the blocks as content; the tool is sent in
    Anthropic's shape and a forced choice as {"type": "tool"}."""
    server.script(
        Reply(json=message([text("Checking."), tool_use("get_weather", {"city": "Paris"})], "tool_use"))
    )
    reply = chat.bind_tools([WEATHER], tool_choice="get_weather").invoke("Weather in Paris?")
    assert reply.tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "toolu_01", "type": "tool_call"}
    ]
    assert reply.content == [text("Checking."), tool_use("get_weather", {"city": "Paris"})]
    body = server.requests[0].body
    assert body["tools"] == [
        {
            "name": "get_weather",
            "description": "Current weather in a city.",
            "input_schema": WEATHER["function"]["parameters"],  # type: ignore[index]
        }
    ]
    assert body["tool_choice"] == {"type": "tool", "name": "get_weather"}


def test_streamed_input_json_deltas_assemble_into_a_tool_call(
    server: ScriptedServer, chat: ChatAnthropic
) -> None:
    """A streamed tool_use block and its input_json_delta pieces become tool_call_chunks whose
    sum is the parsed call; the partial arguments parse as they grow."""
    server.script(Reply(sse=tool_stream("get_weather", ['{"ci', 'ty": "Pa', 'ris"}'])))
    chunks = list(chat.bind_tools([WEATHER]).stream("Weather in Paris?"))
    total = _add(chunks)
    assert total.content == "Let me check."
    assert total.tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "toolu_01", "type": "tool_call"}
    ]
    assert total.tool_call_chunks[0]["index"] == 1
    assert total.response_metadata["stop_reason"] == "tool_use"
    assert total.usage_metadata == {"input_tokens": 40, "output_tokens": 20, "total_tokens": 60}


def test_tool_calls_and_results_go_back_as_blocks(server: ScriptedServer, chat: ChatAnthropic) -> None:
    """An AI tool call and its ToolMessage are sent as tool_use and tool_result blocks."""
    server.script(Reply(json=message([text("It is sunny.")])))
    history = [
        HumanMessage("Weather in Paris?"),
        AIMessage("", tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "toolu_01"}]),
        ToolMessage("sunny", tool_call_id="toolu_01"),
    ]
    assert chat.invoke(history).content == "It is sunny."
    assert server.requests[0].body["messages"] == [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [tool_use("get_weather", {"city": "Paris"})]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "sunny"}]},
    ]


def test_structured_output_uses_a_forced_tool(server: ScriptedServer, chat: ChatAnthropic) -> None:
    """with_structured_output forces the schema's tool and returns its input."""
    server.script(Reply(json=message([tool_use("get_weather", {"city": "Paris"})], "tool_use")))
    assert chat.with_structured_output(WEATHER).invoke("Paris") == {"city": "Paris"}


def test_structured_output_into_a_pydantic_model_with_the_raw_message(
    server: ScriptedServer, chat: ChatAnthropic
) -> None:
    """A pydantic schema becomes the tool (named by its class) and the reply is validated into
    it; include_raw keeps the message and any parse error."""
    from pydantic import BaseModel

    class Weather(BaseModel):
        """Weather in a city."""

        city: str

    server.script(
        Reply(json=message([tool_use("Weather", {"city": "Paris"})], "tool_use")),
        Reply(json=message([tool_use("Weather", {"town": "Paris"})], "tool_use")),
    )
    result = chat.with_structured_output(Weather, include_raw=True).invoke("Paris")
    assert result["parsed"] == Weather(city="Paris")
    assert result["parsing_error"] is None
    assert result["raw"].tool_calls[0]["name"] == "Weather"
    assert server.requests[0].body["tool_choice"] == {"type": "tool", "name": "Weather"}
    failed = chat.with_structured_output(Weather, include_raw=True).invoke("Paris")
    assert failed["parsed"] is None
    assert "does not fit Weather" in str(failed["parsing_error"])


# -- errors ------------------------------------------------------------------------------------------


def test_a_bad_request_is_a_typed_error_with_the_apis_message(
    server: ScriptedServer, chat: ChatAnthropic
) -> None:
    """400 becomes BadRequestError with status, API error type and message; the run ends in error."""
    server.script(Reply(status=400, json=error("invalid_request_error", "max_tokens: must be positive")))
    events = Events()
    with pytest.raises(BadRequestError, match="max_tokens: must be positive") as caught:
        chat.invoke("x", config={"callbacks": [events]})
    assert (caught.value.status_code, caught.value.error_type) == (400, "invalid_request_error")
    assert caught.value.retryable is False
    assert events.names == ["on_chat_model_start", "on_llm_error"]


def test_a_refused_key_is_an_authentication_error(server: ScriptedServer, chat: ChatAnthropic) -> None:
    """401 becomes AuthenticationError pointing at the key."""
    server.script(Reply(status=401, json=error("authentication_error", "invalid x-api-key")))
    with pytest.raises(AuthenticationError, match="Check the API key"):
        chat.invoke("x")


def test_a_rate_limit_reports_the_servers_wait(server: ScriptedServer, chat: ChatAnthropic) -> None:
    """429 with retry-after becomes RateLimitError carrying `retry_after` seconds."""
    server.script(
        Reply(status=429, json=error("rate_limit_error", "slow down"), headers={"retry-after": "7"})
    )
    with pytest.raises(RateLimitError, match="wait 7s") as caught:
        chat.invoke("x")
    assert caught.value.retry_after == 7.0
    assert caught.value.retryable is True


def test_the_sdk_retries_a_rate_limit_after_the_asked_wait(server: ScriptedServer) -> None:
    """With max_retries=2 the SDK waits the server's retry-after-ms and the retry succeeds."""
    server.script(
        Reply(status=429, json=error("rate_limit_error", "slow down"), headers={"retry-after-ms": "20"}),
        Reply(json=message([text("ok")])),
    )
    assert _chat(server, max_retries=2).invoke("x").content == "ok"
    assert len(server.requests) == 2


def test_server_errors_are_retryable_typed_errors(server: ScriptedServer, chat: ChatAnthropic) -> None:
    """500 and 529 (overloaded) become ServerError, marked retryable."""
    server.script(
        Reply(status=500, json=error("api_error", "internal")),
        Reply(status=529, json=error("overloaded_error", "Overloaded")),
    )
    with pytest.raises(ServerError, match="HTTP 500 after 1 attempt"):
        chat.invoke("x")
    with pytest.raises(ServerError, match="overloaded_error: Overloaded"):
        chat.invoke("x")


def test_an_error_event_in_a_stream_is_typed(server: ScriptedServer, chat: ChatAnthropic) -> None:
    """An SSE `error` event after some text becomes a ServerError from the stream."""
    events = [*text_stream("1 + 2")[:4], ("error", error("overloaded_error", "Overloaded"))]
    server.script(Reply(sse=events))
    with pytest.raises(ServerError, match="a stream error"):
        list(chat.stream("x"))


def test_malformed_json_is_a_malformed_response_error(server: ScriptedServer, chat: ChatAnthropic) -> None:
    """A body that is not JSON, or JSON without the message fields, is MalformedResponseError."""
    server.script(Reply(raw=b"{not json"), Reply(json={"type": "message", "content": "oops"}))
    with pytest.raises(MalformedResponseError, match="not valid for its API"):
        chat.invoke("x")
    with pytest.raises(MalformedResponseError, match="needs a 'content' list"):
        chat.invoke("x")


def test_a_dropped_connection_is_a_connection_error(server: ScriptedServer, chat: ChatAnthropic) -> None:
    """A connection closed before any answer becomes APIConnectionError."""
    server.script(Reply(drop=True))
    with pytest.raises(
        APIConnectionError, match=r"could not talk to the Anthropic-compatible server at 127\.0\.0\.1"
    ):
        chat.invoke("x")


def test_a_stream_cut_midway_is_a_connection_error(server: ScriptedServer, chat: ChatAnthropic) -> None:
    """A stream whose connection drops after a few events fails with APIConnectionError; the
    chunks already received were yielded."""
    server.script(Reply(sse=text_stream("1 + 2", " = 3"), drop_after=4))
    received: list[Any] = []
    with pytest.raises(APIConnectionError, match="dropped mid-answer"):
        received.extend(chat.stream("x"))
    assert "".join(str(c.content) for c in received) == "1 + 2"


def test_a_slow_server_is_a_timeout(server: ScriptedServer) -> None:
    """No answer within `timeout` seconds becomes APITimeoutError."""
    server.script(Reply(json=message([text("late")]), delay=1.0))
    with pytest.raises(APITimeoutError, match="did not answer in time"):
        _chat(server, timeout=0.2).invoke("x")


def test_a_missing_key_is_reported_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without api_key= or ANTHROPIC_API_KEY the constructor says which variable to set."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingCredentialsError, match="ANTHROPIC_API_KEY"):
        ChatAnthropic(model=MODEL)


def test_langchain_constructor_aliases(server: ScriptedServer) -> None:
    """langchain-anthropic's aliases (model_name, anthropic_api_key, max_tokens_to_sample) work."""
    chat = ChatAnthropic(
        model_name=MODEL, anthropic_api_key="k", anthropic_api_url=server.url, max_tokens_to_sample=9
    )
    assert (chat.model, chat.max_tokens, chat.base_url) == (MODEL, 9, server.url)
