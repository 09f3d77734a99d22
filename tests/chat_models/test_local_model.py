"""The embedded local model (llama.cpp + SmolLM2-135M) for real: required in CI
(RUNWIRE_REQUIRE_LOCAL_MODEL=1), skipped elsewhere when llama-cpp-python is not installed.

The model is tiny, so assertions are robust facts ("3" is in the answer), not whole strings."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from runwire.chat_models.errors import ModelBusyError
from runwire.chat_models.llamacpp import ChatLlamaCpp
from runwire.messages import AIMessageChunk
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate
from runwire.tracers import TraceStore
from runwire.tracers.sqlite import SQLiteTracer

from .conftest import Events
from .schemas import ADD, PLACE


@pytest.fixture(scope="module")
def model(gguf_path: str) -> ChatLlamaCpp:
    return ChatLlamaCpp(temperature=0, max_tokens=24)


def _joined(chunks: list[Any]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total  # type: ignore[no-any-return]


def test_seed_chain_answers_three(model: ChatLlamaCpp) -> None:
    """The seed chain on the local model at temperature 0 answers "What is 1 + 2?" with a 3."""
    chain = ChatPromptTemplate.from_template("What is 1 + {number}?") | model | StrOutputParser()
    assert "3" in chain.invoke({"number": "2"})


def test_seed_handler_sees_the_seed_event_sequence(model: ChatLlamaCpp) -> None:
    """The seed's handler hears the page's sequence; the reply id is the model run's."""
    events = Events()
    chain = ChatPromptTemplate.from_template("What is 1 + {number}?") | model
    message = chain.invoke({"number": "2"}, config={"callbacks": [events]})
    assert events.names == [
        "on_chain_start", "on_chain_start", "on_chain_end",
        "on_chat_model_start", "on_llm_end", "on_chain_end",
    ]  # fmt: skip
    llm_run = events.payloads[3][2]["run_id"]
    assert message.id == f"run-{llm_run}-0"
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] > 0
    assert message.usage_metadata["output_tokens"] > 0


def test_streamed_chunks_join_to_the_invoke_output(model: ChatLlamaCpp) -> None:
    """Streaming gives several chunks whose text joins to what invoke returns; each is a token event."""
    events = Events()
    chunks = list(model.stream("What is 1 + 2?", config={"callbacks": [events]}))
    assert len(chunks) > 1
    assert _joined(chunks).content == model.invoke("What is 1 + 2?").content
    assert events.names.count("on_llm_new_token") == len(chunks)


@pytest.mark.parametrize(
    "question", ["What is 1 + 2?", "Count from 1 to 30, separated by commas."], ids=["stops", "length"]
)
def test_a_stream_reports_the_usage_invoke_reports(
    model: ChatLlamaCpp, question: str, tmp_path: Path
) -> None:
    """A streamed reply carries the token counts of the same reply invoked (llama.cpp streams no
    usage; runwire counts), and the trace store records them for both runs."""
    tracer = SQLiteTracer(tmp_path / "t.db")
    streamed = _joined(list(model.stream(question, config={"callbacks": [tracer]})))
    invoked = model.invoke(question, config={"callbacks": [tracer]})
    tracer.close()
    assert streamed.content == invoked.content
    assert streamed.usage_metadata == invoked.usage_metadata
    with TraceStore(tmp_path / "t.db") as store:
        usages = [r["usage"] for r in store.traces()]
    assert usages == [dict(invoked.usage_metadata or {})] * 2


async def test_async_stream_and_ainvoke_agree(model: ChatLlamaCpp) -> None:
    """astream (generation in a worker thread) joins to the same text as ainvoke."""
    chunks = [chunk async for chunk in model.astream("What is 1 + 2?")]
    assert len(chunks) > 1
    assert _joined(chunks).content == (await model.ainvoke("What is 1 + 2?")).content


def test_stop_is_honoured(model: ChatLlamaCpp) -> None:
    """`stop=["5"]` ends the count before 5."""
    text = str(model.invoke("Count from 1 to 10, separated by commas.", stop=["5"]).content)
    assert "4" in text
    assert "5" not in text


def test_a_forced_tool_call_has_parsed_arguments(model: ChatLlamaCpp) -> None:
    """With the tool forced, the reply is a call to it whose arguments are integers a and b."""
    message = model.bind_tools([ADD], tool_choice="add").invoke("What is 17 + 25?", max_tokens=48)
    assert [call["name"] for call in message.tool_calls] == ["add"]
    args = message.tool_calls[0]["args"]
    assert set(args) == {"a", "b"}
    assert all(isinstance(value, int) for value in args.values())


def test_a_streamed_forced_tool_call_assembles_from_chunks(model: ChatLlamaCpp) -> None:
    """Streamed tool call chunks (llama.cpp repeats name and id in each) add up to one call."""
    chunks = list(model.bind_tools([ADD], tool_choice="add").stream("What is 17 + 25?", max_tokens=48))
    joined = _joined(chunks)
    assert [call["name"] for call in joined.tool_calls] == ["add"]
    assert set(joined.tool_calls[0]["args"]) == {"a", "b"}


def test_any_of_several_tools_is_a_call_to_one_of_them(model: ChatLlamaCpp) -> None:
    """tool_choice="any" over two tools: a grammar over {"name", "arguments"} picks one."""
    weather = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather in a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
    message = model.bind_tools([ADD, weather], tool_choice="any").invoke("Weather in Paris?", max_tokens=64)
    assert len(message.tool_calls) == 1
    call = message.tool_calls[0]
    assert set(call["args"]) == ({"a", "b"} if call["name"] == "add" else {"city"})


def test_json_schema_extraction_gives_a_dict(model: ChatLlamaCpp) -> None:
    """with_structured_output constrains the reply by the schema's grammar: a dict comes out."""
    extract = model.with_structured_output(PLACE)
    place = extract.invoke("Extract the city and country: Berlin is the capital of Germany.", max_tokens=48)
    assert isinstance(place, dict)
    assert set(place) == {"city", "country"}
    assert "Berlin" in place["city"]


def test_the_same_seed_gives_the_same_text(gguf_path: str) -> None:
    """At temperature 0.8, seed=42 twice samples the same text."""
    sampled = ChatLlamaCpp(temperature=0.8, max_tokens=16, seed=42)
    first = sampled.invoke("Tell me about the sea.").content
    assert sampled.invoke("Tell me about the sea.").content == first


def test_the_model_file_is_loaded_once_per_process(gguf_path: str, model: ChatLlamaCpp) -> None:
    """Two ChatLlamaCpp on the same file share one loaded llama.cpp model."""
    assert ChatLlamaCpp(temperature=0.5).client is model.client


def test_concurrent_calls_take_turns(model: ChatLlamaCpp) -> None:
    """Calls from several threads are serialised on the shared model and all get the answer."""
    answers: list[str] = []

    def ask() -> None:
        answers.append(str(model.invoke("What is 1 + 2?").content))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 3
    assert len(set(answers)) == 1


def test_calling_the_model_inside_its_own_open_stream_raises(model: ChatLlamaCpp) -> None:
    """A second call from the thread that is still reading a stream fails at once, not deadlocks."""
    stream = model.stream("What is 1 + 2?")
    next(stream)
    with pytest.raises(ModelBusyError, match="still reading a stream"):
        model.invoke("What is 1 + 2?")
    stream.close()
    assert "3" in str(model.invoke("What is 1 + 2?").content)


async def test_an_abandoned_async_stream_frees_the_model(model: ChatLlamaCpp) -> None:
    """Leaving an async stream after one chunk stops its worker; the next call proceeds."""
    stream = model.astream("Count from 1 to 10, separated by commas.")
    async for _ in stream:
        break
    await stream.aclose()  # type: ignore[attr-defined]
    answer = await asyncio.wait_for(model.ainvoke("What is 1 + 2?"), timeout=60)
    assert "3" in str(answer.content)
