"""ChatOpenAI through the official `openai` SDK against a real OpenAI-compatible server:
`python -m llama_cpp.server` serving SmolLM2 on 127.0.0.1 (chatml-function-calling format).

Known server quirks (reference/embedded_model.md): no usage in streams, `json_schema`
response formats are rejected (500), streamed `tool_choice="auto"` is empty."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from runwire.chat_models.openai import ChatOpenAI
from runwire.messages import AIMessageChunk

from .conftest import Events
from .schemas import ADD, PLACE


def _model(base_url: str, max_tokens: int = 32) -> ChatOpenAI:
    pytest.importorskip("openai")
    return ChatOpenAI(
        model="smollm2",
        base_url=base_url,
        api_key="sk-local",
        max_retries=0,
        temperature=0,
        max_tokens=max_tokens,
    )


@pytest.fixture
def model(llama_server: str) -> Iterator[ChatOpenAI]:
    chat = _model(llama_server)
    yield chat
    chat.close()


@pytest.fixture
async def amodel(llama_server: str) -> AsyncIterator[ChatOpenAI]:
    """The model for async tests: its async client is closed on the test's own loop."""
    chat = _model(llama_server)
    yield chat
    await chat.aclose()


def test_invoke_answers_with_usage(model: ChatOpenAI) -> None:
    """A plain call answers 1 + 2 with a 3 and reports token usage and the model name."""
    message = model.invoke("What is 1 + 2?")
    assert "3" in str(message.content)
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] > 0
    assert message.usage_metadata["total_tokens"] == (
        message.usage_metadata["input_tokens"] + message.usage_metadata["output_tokens"]
    )
    assert message.response_metadata["model_name"] == "smollm2"
    assert message.response_metadata["finish_reason"] == "stop"


def test_stream_joins_to_the_invoke_text(model: ChatOpenAI) -> None:
    """SSE chunks arrive one token at a time, are heard as token events, and join to invoke's text."""
    events = Events()
    chunks = list(model.stream("What is 1 + 2?", config={"callbacks": [events]}))
    assert len(chunks) > 1
    joined = chunks[0]
    for chunk in chunks[1:]:
        joined = joined + chunk
    assert joined.content == model.invoke("What is 1 + 2?").content
    assert events.names.count("on_llm_new_token") == len(chunks)
    assert events.names[-1] == "on_llm_end"


async def test_async_stream_and_ainvoke(amodel: ChatOpenAI) -> None:
    """AsyncOpenAI streams the same text ainvoke returns."""
    chunks = [chunk async for chunk in amodel.astream("What is 1 + 2?")]
    text = "".join(str(chunk.content) for chunk in chunks)
    assert len(chunks) > 1
    assert text == (await amodel.ainvoke("What is 1 + 2?")).content


def test_stop_is_sent_and_honoured(model: ChatOpenAI) -> None:
    """`stop` reaches the server, which ends the count before 5."""
    text = str(model.invoke("Count from 1 to 10, separated by commas.", stop=["5"]).content)
    assert "5" not in text


def test_a_forced_tool_call_is_parsed(model: ChatOpenAI) -> None:
    """A forced tool comes back as a tool call with dict arguments."""
    message = model.bind_tools([ADD], tool_choice="add").invoke("What is 17 + 25?", max_tokens=48)
    assert [call["name"] for call in message.tool_calls] == ["add"]
    assert set(message.tool_calls[0]["args"]) == {"a", "b"}
    assert message.response_metadata["finish_reason"] == "tool_calls"


def test_a_streamed_tool_call_assembles_from_deltas(model: ChatOpenAI) -> None:
    """Streamed tool call deltas become tool_call_chunks that add up to one parsed call."""
    chunks = list(model.bind_tools([ADD], tool_choice="add").stream("What is 17 + 25?", max_tokens=48))
    joined = chunks[0]
    for chunk in chunks[1:]:
        joined = joined + chunk
    assert isinstance(joined, AIMessageChunk)
    assert [c["name"] for c in joined.tool_call_chunks] == ["add"]
    assert [call["name"] for call in joined.tool_calls] == ["add"]
    assert set(joined.tool_calls[0]["args"]) == {"a", "b"}


def test_json_mode_structured_output_gives_a_dict(llama_server: str) -> None:
    """`method="json_mode"` (response_format json_object) gives parsed JSON."""
    extract = _model(llama_server, max_tokens=96).with_structured_output(PLACE, method="json_mode")
    value = extract.invoke("Reply in JSON with keys city and country: Berlin is in Germany.")
    assert isinstance(value, dict)


def test_json_schema_falls_back_to_function_calling_on_this_server(llama_server: str) -> None:
    """The server rejects OpenAI's `json_schema` format (HTTP 500); with_structured_output's
    default method falls back to a forced tool call, which this server accepts."""
    model = ChatOpenAI(
        model="smollm2", base_url=llama_server, api_key="sk-local", temperature=0, max_tokens=64
    )
    value = model.with_structured_output(ADD).invoke("Add 2 and 3.")
    assert isinstance(value, dict)
    assert set(value) <= {"a", "b"}
    model.close()
