# ruff: noqa: E501  # snapshots hold whole error messages and wire bodies verbatim
"""The request bodies `to_wire` builds, pinned as snapshots: what each provider is sent for one
conversation with a system prompt, a tool call and its result, and bound tools."""

from __future__ import annotations

from typing import Any

from inline_snapshot import snapshot

from runwire.chat_models import _anthropic_wire, _openai_wire
from runwire.chat_models.errors import translate_error
from runwire.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
CONVERSATION = [
    SystemMessage("You are terse."),
    HumanMessage("Weather in Paris and Rome?"),
    AIMessage(
        "Checking both.",
        tool_calls=[
            {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"},
            {"name": "get_weather", "args": {"city": "Rome"}, "id": "call_2"},
        ],
    ),
    ToolMessage("sunny", tool_call_id="call_1"),
    ToolMessage("no such city", tool_call_id="call_2", status="error"),
]


def test_openai_request_body() -> None:
    """Roles as OpenAI's, tool calls with JSON-string arguments, a forced tool as a function
    choice, and usage asked for on streams."""
    body = _openai_wire.to_wire(
        CONVERSATION,
        params={
            "model": "gpt-4o-mini",
            "temperature": 0,
            "max_tokens": None,
            "tools": [TOOL],
            "tool_choice": "get_weather",
        },
        stop=["END"],
        stream=True,
    )
    assert body == snapshot(
        {
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Weather in Paris and Rome?"},
                {
                    "role": "assistant",
                    "content": "Checking both.",
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                        },
                        {
                            "id": "call_2",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'},
                        },
                    ],
                },
                {"role": "tool", "content": "sunny", "tool_call_id": "call_1"},
                {"role": "tool", "content": "no such city", "tool_call_id": "call_2"},
            ],
            "model": "gpt-4o-mini",
            "temperature": 0,
            "tools": [
                {
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
            ],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
            "stop": ["END"],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
    )


def test_anthropic_request_body() -> None:
    """System to the top level, tool calls as tool_use blocks, both tool results merged into one
    user turn (an error result flagged), the tool as input_schema, a forced choice as type tool."""
    body = _anthropic_wire.to_wire(
        CONVERSATION,
        params={
            "model": "claude-3-5-haiku-latest",
            "max_tokens": 1024,
            "tools": [TOOL],
            "tool_choice": "any",
        },
        stop=["END"],
    )
    assert body == snapshot(
        {
            "model": "claude-3-5-haiku-latest",
            "max_tokens": 1024,
            "system": "You are terse.",
            "messages": [
                {"role": "user", "content": "Weather in Paris and Rome?"},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": "Checking both."},
                        {
                            "type": "tool_use",
                            "id": "call_1",
                            "name": "get_weather",
                            "input": {"city": "Paris"},
                        },
                        {
                            "type": "tool_use",
                            "id": "call_2",
                            "name": "get_weather",
                            "input": {"city": "Rome"},
                        },
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": "call_1", "content": "sunny"},
                        {
                            "type": "tool_result",
                            "tool_use_id": "call_2",
                            "content": "no such city",
                            "is_error": True,
                        },
                    ],
                },
            ],
            "stop_sequences": ["END"],
            "tools": [
                {
                    "name": "get_weather",
                    "description": "Current weather in a city.",
                    "input_schema": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                        "required": ["city"],
                    },
                }
            ],
            "tool_choice": {"type": "tool", "name": "get_weather"},
        }
    )


class _StatusError(Exception):
    """Shaped like the SDKs' APIStatusError."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"Error code: {status}")
        self.status_code, self.body, self.response, self.request_id = status, body, None, "req_1"


def test_error_messages_say_what_happened_and_what_to_do() -> None:
    """Each error class's message: provider, status, attempts, the API's words, and advice."""
    messages = [
        str(
            translate_error(_StatusError(status, {"error": {"type": kind, "message": words}}), "anthropic", 2)
        )
        for status, kind, words in [
            (400, "invalid_request_error", "messages: field required"),
            (401, "authentication_error", "invalid x-api-key"),
            (429, "rate_limit_error", "Number of requests has exceeded your rate limit"),
            (529, "overloaded_error", "Overloaded"),
        ]
    ]
    assert messages == snapshot(
        [
            "Anthropic returned HTTP 400 (invalid_request_error: messages: field required). The request was rejected; check the model name and arguments. Retrying will not help.",
            "Anthropic returned HTTP 401 (authentication_error: invalid x-api-key). Check the API key (api_key= or the provider's environment variable).",
            "Anthropic returned HTTP 429 after 3 attempts (rate_limit_error: Number of requests has exceeded your rate limit). Wait and retry, send fewer requests, or raise max_retries= so the SDK waits for you.",
            "Anthropic returned HTTP 529 after 3 attempts (overloaded_error: Overloaded). The provider failed; retry later or raise max_retries=.",
        ]
    )


def test_local_model_request_for_a_forced_tool(gguf_path: str) -> None:
    """The local model gets the tool described in its system prompt (SmolLM2's template has no
    tools), the forced tool as a function choice (llama.cpp's grammar), and only the sampling
    arguments that were set."""
    from runwire.chat_models.llamacpp import ChatLlamaCpp

    model = ChatLlamaCpp(temperature=0, max_tokens=48, seed=7)
    request, auto = model._request(
        [HumanMessage("Weather in Paris?")],
        None,
        {"tools": [TOOL], "tool_choice": "get_weather"},
        stream=False,
    )
    assert auto is None
    assert request == snapshot(
        {
            "messages": [
                {
                    "role": "system",
                    "content": """\
You can call these tools:
- get_weather: Current weather in a city. Arguments: {"city": {"type": "string"}}
Call get_weather now: reply with its arguments as one JSON object.\
""",
                },
                {"role": "user", "content": "Weather in Paris?"},
            ],
            "temperature": 0,
            "max_tokens": 48,
            "seed": 7,
            "tools": [
                {
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
            ],
            "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        }
    )
