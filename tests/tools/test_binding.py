"""Chat models and tools: `bind_tools`, `with_structured_output`, tool calls on messages, and the
fake model streaming tool calls. runwire only: langchain-core's fakes cannot bind tools.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import pydantic
import pytest
from typing_extensions import TypedDict

from runwire.language_models import BaseChatModel, GenericFakeChatModel
from runwire.messages import AIMessage, AIMessageChunk, BaseMessage
from runwire.outputs import ChatGeneration, ChatResult
from runwire.tools import tool

from .conftest import ToolLib


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


class Weather(pydantic.BaseModel):
    """The weather somewhere."""

    city: str
    celsius: float


class WeatherDict(TypedDict):
    """The weather somewhere."""

    city: str
    celsius: float


class Recording(BaseChatModel):
    """Replies with scripted messages and records the keyword arguments of each call."""

    replies: Any
    calls: list[dict[str, Any]] = pydantic.Field(default_factory=list)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls.append(kwargs)
        reply = next(self.replies)
        return ChatResult(
            generations=[ChatGeneration(message=reply if isinstance(reply, AIMessage) else AIMessage(reply))]
        )


def _weather_call(args: dict[str, Any], name: str = "Weather") -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": "c1"}])


def test_bind_tools_offers_openai_format_tools_to_the_model() -> None:
    """The model is called with `tools=[OpenAI-format dicts]`, converted from the tools given."""
    model = Recording(replies=iter(["ok"]))
    model.bind_tools([add, Weather]).invoke("hi")
    assert [t["function"]["name"] for t in model.calls[0]["tools"]] == ["add", "Weather"]
    assert model.calls[0]["tools"][0]["function"]["parameters"]["required"] == ["a", "b"]


def test_bound_tools_appear_in_the_start_events_invocation_params(runwire: ToolLib) -> None:
    """What the model is called with reaches handlers through `invocation_params`."""
    handler = runwire.Recorder()
    Recording(replies=iter(["ok"])).bind_tools([add], tool_choice="add").invoke(
        "hi", {"callbacks": [handler]}
    )
    params = handler.events[0].kwargs["invocation_params"]
    assert params["tool_choice"] == {"type": "function", "function": {"name": "add"}}
    assert params["tools"][0]["function"]["name"] == "add"


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", "auto"),
        ("any", "required"),
        ("none", "none"),
        (True, {"type": "function", "function": {"name": "add"}}),
        ("add", {"type": "function", "function": {"name": "add"}}),
    ],
)
def test_tool_choice_is_normalised_to_openai_form(choice: Any, expected: Any) -> None:
    """Tool choices take langchain's forms and reach the model in OpenAI's."""
    model = Recording(replies=iter(["ok"]))
    model.bind_tools([add], tool_choice=choice).invoke("hi")
    assert model.calls[0]["tool_choice"] == expected


def test_tool_choice_naming_an_unbound_tool_is_an_error() -> None:
    """Choosing a tool that is not bound fails at binding time, listing the bound ones."""
    with pytest.raises(ValueError, match=r"'search' is not one of the bound tools \['add'\]"):
        Recording(replies=iter([])).bind_tools([add], tool_choice="search")


def test_structured_output_gives_a_pydantic_instance() -> None:
    """`with_structured_output(Model)` makes the model call a tool shaped like Model and returns
    an instance of it."""
    model = Recording(replies=iter([_weather_call({"city": "Oslo", "celsius": "3.5"})]))
    assert model.with_structured_output(Weather).invoke("weather?") == Weather(city="Oslo", celsius=3.5)
    assert model.calls[0]["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}


def test_structured_output_from_a_typeddict_gives_a_dict() -> None:
    """A TypedDict (or JSON schema) gives the call's arguments as a dict."""
    model = Recording(replies=iter([_weather_call({"city": "Oslo", "celsius": 3.5}, "WeatherDict")]))
    assert model.with_structured_output(WeatherDict).invoke("weather?") == {"city": "Oslo", "celsius": 3.5}


def test_structured_output_from_a_json_schema_gives_a_dict() -> None:
    """A JSON schema with a title is the tool's name and shape."""
    schema = {"title": "Weather", "type": "object", "properties": {"city": {"type": "string"}}}
    model = Recording(replies=iter([_weather_call({"city": "Oslo"})]))
    assert model.with_structured_output(schema).invoke("weather?") == {"city": "Oslo"}


def test_structured_output_with_raw_keeps_the_message() -> None:
    """`include_raw=True` gives `{"raw": message, "parsed": value, "parsing_error": None}`."""
    reply = _weather_call({"city": "Oslo", "celsius": 3})
    out = (
        Recording(replies=iter([reply])).with_structured_output(Weather, include_raw=True).invoke("weather?")
    )
    assert out == {"raw": reply, "parsed": Weather(city="Oslo", celsius=3), "parsing_error": None}


def test_structured_output_with_raw_reports_a_parsing_error() -> None:
    """With `include_raw=True` an output that does not fit the schema is reported, not raised."""
    reply = _weather_call({"city": "Oslo"})
    out = (
        Recording(replies=iter([reply])).with_structured_output(Weather, include_raw=True).invoke("weather?")
    )
    assert (out["raw"], out["parsed"]) == (reply, None)
    assert isinstance(out["parsing_error"], pydantic.ValidationError)


def test_structured_output_in_json_mode_parses_the_content() -> None:
    """`method="json_mode"` asks for JSON and parses the reply's content into the schema."""
    model = Recording(replies=iter(['{"city": "Oslo", "celsius": 1}']))
    assert model.with_structured_output(Weather, method="json_mode").invoke("weather?") == Weather(
        city="Oslo", celsius=1
    )
    assert model.calls[0]["response_format"] == {"type": "json_object"}


def test_fake_model_can_be_bound_and_scripted_to_call_tools() -> None:
    """GenericFakeChatModel binds tools and replies with scripted tool calls."""
    model = GenericFakeChatModel(messages=iter([_weather_call({"city": "Oslo", "celsius": 3})]))
    reply = model.bind_tools([Weather]).invoke("hi")
    assert reply.tool_calls == [
        {"name": "Weather", "args": {"city": "Oslo", "celsius": 3}, "id": "c1", "type": "tool_call"}
    ]


def test_fake_model_streams_tool_call_arguments_word_by_word() -> None:
    """Streaming a tool call: a chunk with its name and id, then its JSON arguments word by word
    (spaces kept), all with the call's index; only the last chunk is marked last."""
    model = GenericFakeChatModel(messages=iter([_weather_call({"city": "Oslo", "celsius": 3})]))
    chunks = list(model.stream("hi"))
    assert [c.tool_call_chunks[0]["args"] for c in chunks] == [
        "",
        '{"city":',
        " ",
        '"Oslo",',
        " ",
        '"celsius":',
        " ",
        "3}",
    ]
    assert chunks[0].tool_call_chunks[0]["name"] == "Weather"
    assert [c.chunk_position for c in chunks] == [None] * 7 + ["last"]


def test_streamed_tool_call_chunks_add_up_to_the_scripted_calls() -> None:
    """The chunks of a reply with text and two calls merge back into the same content and calls."""
    scripted = AIMessage(
        content="Let me check",
        tool_calls=[
            {"name": "add", "args": {"a": 1, "b": 2}, "id": "c1"},
            {"name": "Weather", "args": {"city": "Oslo", "celsius": 1.5}, "id": "c2"},
        ],
    )
    chunks = list(GenericFakeChatModel(messages=iter([scripted])).stream("hi"))
    merged = chunks[0] + chunks[1:]
    assert (merged.content, merged.tool_calls) == (scripted.content, scripted.tool_calls)


def test_streamed_tool_calls_fire_a_token_event_per_chunk(runwire: ToolLib) -> None:
    """Each tool-call chunk reaches handlers as `on_llm_new_token` (with an empty token) before
    the consumer sees it."""
    handler = runwire.Recorder()
    model = GenericFakeChatModel(messages=iter([_weather_call({"city": "Oslo", "celsius": 3})]))
    chunks = list(model.stream("hi", {"callbacks": [handler]}))
    tokens = handler.events.of("llm_new_token")
    assert len(tokens) == len(chunks)
    assert [t.kwargs["chunk"].message.tool_call_chunks for t in tokens] == [
        c.tool_call_chunks for c in chunks
    ]


def test_streamed_tool_calls_under_astream() -> None:
    """The async stream gives the same chunks."""
    scripted = _weather_call({"city": "Oslo", "celsius": 3})

    async def collect() -> list[Any]:
        model = GenericFakeChatModel(messages=itertools.repeat(scripted))
        return [chunk async for chunk in model.astream("hi")]

    chunks = asyncio.run(collect())
    assert (chunks[0] + chunks[1:]).tool_calls == scripted.tool_calls


def test_ai_message_tool_calls_get_their_type() -> None:
    """Tool calls given without `type` are stored with `type='tool_call'`."""
    message = AIMessage(content="", tool_calls=[{"name": "add", "args": {"a": 1}, "id": "c1"}])
    assert message.tool_calls == [{"name": "add", "args": {"a": 1}, "id": "c1", "type": "tool_call"}]


def test_unparseable_tool_call_chunks_become_invalid_tool_calls() -> None:
    """Chunks whose arguments are not JSON give an invalid tool call carrying the raw text."""
    chunk = AIMessageChunk(
        content="", tool_call_chunks=[{"name": "add", "args": "oops", "id": "c1", "index": 0}]
    )
    assert chunk.tool_calls == []
    assert chunk.invalid_tool_calls == [
        {"name": "add", "args": "oops", "id": "c1", "error": None, "type": "invalid_tool_call"}
    ]


def test_tool_call_chunks_merge_by_index() -> None:
    """Chunks with the same index concatenate their arguments; different indexes stay apart."""
    first = AIMessageChunk(
        content="", tool_call_chunks=[{"name": "add", "args": '{"a"', "id": "c1", "index": 0}]
    )
    second = AIMessageChunk(
        content="", tool_call_chunks=[{"name": None, "args": ": 1}", "id": None, "index": 0}]
    )
    third = AIMessageChunk(
        content="", tool_call_chunks=[{"name": "mul", "args": "{}", "id": "c2", "index": 1}]
    )
    merged = first + second + third
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [("add", {"a": 1}), ("mul", {})]
