"""ChatLlamaCpp's translation steps that need no model: recognising a tool call in a reply
when tools were offered without forcing one."""

from __future__ import annotations

from runwire.chat_models.llamacpp import _auto_tool_call
from runwire.messages import AIMessage
from runwire.outputs import ChatGeneration, ChatResult


def _reply(text: str) -> ChatResult:
    return ChatResult(
        generations=[ChatGeneration(message=AIMessage(text, response_metadata={"finish_reason": "stop"}))]
    )


def test_a_reply_that_is_a_tool_call_object_becomes_a_tool_call() -> None:
    """`{"name": <offered tool>, "arguments": {...}}` as the whole reply is a tool call."""
    message = (
        _auto_tool_call(_reply(' {"name": "add", "arguments": {"a": 1, "b": 2}} '), ["add"])
        .generations[0]
        .message
    )
    assert isinstance(message, AIMessage)
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [("add", {"a": 1, "b": 2})]
    assert message.content == ""
    assert message.response_metadata["finish_reason"] == "tool_calls"


def test_other_replies_stay_text() -> None:
    """Prose, JSON naming no offered tool, or arguments that are not an object stay as text."""
    for text in (
        "The answer is 3.",
        '{"name": "mul", "arguments": {}}',
        '{"name": "add", "arguments": "1, 2"}',
        "{not json",
    ):
        message = _auto_tool_call(_reply(text), ["add"]).generations[0].message
        assert message.content == text
        assert not getattr(message, "tool_calls", None)
