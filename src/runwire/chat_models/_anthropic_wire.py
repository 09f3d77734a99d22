"""Anthropic's Messages API on the wire: runwire messages to request bodies, response bodies and
stream events to messages. Pure functions over plain dicts; no SDK, no I/O.

Shapes follow langchain-anthropic: system messages go to the top-level `system`; tool results
are user turns of `tool_result` blocks; consecutive turns of one role are merged (the API
wants them alternating). A reply with only text has string content, otherwise its blocks;
`response_metadata` is `{id, model, stop_reason, stop_sequence, usage}`.
"""

from __future__ import annotations

import json
from typing import Any

from runwire.chat_models._tools import forced_tool
from runwire.chat_models.errors import MalformedResponseError
from runwire.messages import AIMessage, AIMessageChunk, BaseMessage, UsageMetadata, tool_call, tool_call_chunk
from runwire.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

_SKIP_IN_AI = frozenset({"tool_call", "tool_call_chunk", "invalid_tool_call"})


def _blocks(content: Any) -> list[dict[str, Any]]:
    """Content as Anthropic blocks: strings and langchain text blocks become text blocks
    (empty ones dropped: the API rejects them); other blocks pass as they are."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    blocks: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, str):
            if block:
                blocks.append({"type": "text", "text": block})
        elif block.get("type") == "text":
            if block.get("text"):
                blocks.append({"type": "text", "text": block["text"]})
        elif block.get("type") not in _SKIP_IN_AI:
            blocks.append({k: v for k, v in block.items() if k != "index"})
    return blocks


def _ai_content(message: BaseMessage) -> Any:
    calls = getattr(message, "tool_calls", None) or []
    if isinstance(message.content, str) and not calls:
        return message.content
    blocks = _blocks(message.content)
    present = {b.get("id") for b in blocks if b.get("type") == "tool_use"}
    blocks.extend(
        {"type": "tool_use", "id": c["id"], "name": c["name"], "input": c["args"]}
        for c in calls
        if c["id"] not in present
    )
    return blocks


def _tool_result(message: BaseMessage) -> dict[str, Any]:
    content = message.content if isinstance(message.content, str) else _blocks(message.content)
    block: dict[str, Any] = {
        "type": "tool_result",
        "tool_use_id": getattr(message, "tool_call_id", None),
        "content": content,
    }
    if getattr(message, "status", "success") == "error":
        block["is_error"] = True
    return block


def _turn(message: BaseMessage) -> dict[str, Any]:
    kind = message.type
    if kind == "human":
        return {
            "role": "user",
            "content": message.content if isinstance(message.content, str) else _blocks(message.content),
        }
    if kind == "ai":
        return {"role": "assistant", "content": _ai_content(message)}
    if kind == "tool":
        return {"role": "user", "content": [_tool_result(message)]}
    if kind == "chat" and getattr(message, "role", None) in ("user", "assistant"):
        return {"role": getattr(message, "role", None), "content": message.content}
    raise TypeError(
        f"cannot send a {type(message).__name__} to Anthropic's Messages API; "
        "use System/Human/AI/ToolMessage (a system message goes to `system`)"
    )


def _merged(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for turn in turns:
        if merged and merged[-1]["role"] == turn["role"]:
            last = merged[-1]
            last["content"] = _blocks(last["content"]) + _blocks(turn["content"])
        else:
            merged.append(dict(turn))
    return merged


def _system(messages: list[BaseMessage]) -> Any:
    systems = [m.content for m in messages if m.type == "system"]
    if not systems:
        return None
    if all(isinstance(s, str) for s in systems):
        return "\n\n".join(systems)  # type: ignore[arg-type]
    return [b for s in systems for b in _blocks(s)]


def tool_to_wire(tool: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-format tool as an Anthropic tool (`name`, `description`, `input_schema`)."""
    function = tool["function"]
    wire: dict[str, Any] = {"name": function["name"]}
    if function.get("description"):
        wire["description"] = function["description"]
    wire["input_schema"] = function.get("parameters") or {"type": "object", "properties": {}}
    return wire


def tool_choice_to_wire(tool_choice: Any, tools: list[dict[str, Any]]) -> dict[str, Any] | None:
    """langchain's tool_choice forms as Anthropic's `{"type": "auto"|"any"|"tool"|"none"}`."""
    if tool_choice is None:
        return None
    if isinstance(tool_choice, dict) and tool_choice.get("type") in ("auto", "any", "tool", "none"):
        return tool_choice
    if tool_choice in ("auto", "none"):
        return {"type": tool_choice}
    name = forced_tool(tool_choice, tools)
    if name is not None:
        return {"type": "tool", "name": name}
    if tool_choice in ("any", "required"):
        return {"type": "any"}
    raise ValueError(f"unsupported tool_choice {tool_choice!r} for Anthropic")


def to_wire(
    messages: list[BaseMessage],
    *,
    params: dict[str, Any],
    stop: list[str] | None = None,
    stream: bool = False,
) -> dict[str, Any]:
    """The request body of `messages.create`: `params` (model, max_tokens, temperature, tools in
    OpenAI's format, tool_choice, ...) with None values dropped."""
    body: dict[str, Any] = {key: value for key, value in params.items() if value is not None}
    system = _system(messages)
    if system:
        body["system"] = system
    body["messages"] = _merged([_turn(m) for m in messages if m.type != "system"])
    if stop:
        body["stop_sequences"] = stop
    tools = body.pop("tools", None)
    tool_choice = body.pop("tool_choice", None)
    if tools:
        body["tools"] = [t if "input_schema" in t else tool_to_wire(t) for t in tools]
        openai_tools = [t for t in tools if "function" in t]
        choice = tool_choice_to_wire(tool_choice, openai_tools)
        if choice is not None:
            body["tool_choice"] = choice
    if stream:
        body["stream"] = True
    return body


# -- responses --------------------------------------------------------------------------------------


def usage_from_wire(usage: dict[str, Any]) -> UsageMetadata:
    """Anthropic usage as UsageMetadata: cache reads and writes count as input tokens."""
    cache_read = usage.get("cache_read_input_tokens") or 0
    cache_creation = usage.get("cache_creation_input_tokens") or 0
    input_tokens = (usage.get("input_tokens") or 0) + cache_read + cache_creation
    output_tokens = usage.get("output_tokens") or 0
    result: dict[str, Any] = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
    }
    if cache_read or cache_creation:
        result["input_token_details"] = {"cache_creation": cache_creation, "cache_read": cache_read}
    return result  # type: ignore[return-value]


def _metadata(body: dict[str, Any], usage: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": body.get("id"),
        "model": body.get("model"),
        "stop_reason": body.get("stop_reason"),
        "stop_sequence": body.get("stop_sequence"),
        "usage": {k: v for k, v in usage.items() if v is not None},
    }


def from_wire(body: dict[str, Any]) -> ChatResult:
    """A `messages.create` response body as a ChatResult."""
    content = body.get("content")
    usage = body.get("usage")
    if (
        not isinstance(content, list)
        or not isinstance(usage, dict)
        or body.get("type", "message") != "message"
    ):
        raise MalformedResponseError(
            f"an Anthropic message needs a 'content' list and a 'usage' object; got {json.dumps(body)[:300]}",
            provider="anthropic",
        )
    blocks = [b for b in content if isinstance(b, dict)]
    calls = [
        tool_call(name=b.get("name", ""), args=b.get("input") or {}, id=b.get("id"))
        for b in blocks
        if b.get("type") == "tool_use"
    ]
    if len(blocks) == 1 and blocks[0].get("type") == "text" and not blocks[0].get("citations"):
        text: Any = blocks[0].get("text", "")
    else:
        text = [{k: v for k, v in b.items() if v is not None} for b in blocks]
    metadata = _metadata(body, usage)
    message = AIMessage(
        content=text, tool_calls=calls, usage_metadata=usage_from_wire(usage), response_metadata=metadata
    )
    return ChatResult(generations=[ChatGeneration(message=message)], llm_output=dict(metadata))


class StreamTranslator:
    """Stream events (`message_start`, `content_block_*`, `message_delta`, ...) to chunks: text
    deltas as text, `tool_use` blocks and their `input_json_delta`s as tool call chunks, usage
    split so that adding the chunks up gives the reply's usage."""

    __slots__ = ("_input_usage", "_message")

    def __init__(self) -> None:
        self._message: dict[str, Any] = {}
        self._input_usage: dict[str, Any] = {}

    def __call__(self, event: dict[str, Any]) -> ChatGenerationChunk | None:
        kind = event.get("type")
        if kind == "message_start":
            self._message = event.get("message") or {}
            self._input_usage = dict(self._message.get("usage") or {})
            opening = usage_from_wire({**self._input_usage, "output_tokens": 0})
            return ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=opening))
        if kind == "content_block_start":
            block = event.get("content_block") or {}
            if block.get("type") == "tool_use":
                start = tool_call_chunk(
                    name=block.get("name"), args="", id=block.get("id"), index=event.get("index")
                )
                return ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=[start]))
            if block.get("type") == "text" and block.get("text"):
                return ChatGenerationChunk(message=AIMessageChunk(content=block["text"]))
            return None
        if kind == "content_block_delta":
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta":
                return ChatGenerationChunk(message=AIMessageChunk(content=delta.get("text", "")))
            if delta.get("type") == "input_json_delta":
                piece = tool_call_chunk(args=delta.get("partial_json", ""), index=event.get("index"))
                return ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=[piece]))
            return None  # thinking and signature deltas are not surfaced
        if kind == "message_delta":
            delta = event.get("delta") or {}
            output: dict[str, Any] = dict(event.get("usage") or {})
            usage = {**self._input_usage, **{k: v for k, v in output.items() if v is not None}}
            body = {**self._message, **delta}
            chunk = AIMessageChunk(
                content="",
                usage_metadata={
                    "input_tokens": 0,
                    "output_tokens": output.get("output_tokens") or 0,
                    "total_tokens": output.get("output_tokens") or 0,
                },
                response_metadata=_metadata(body, usage),
            )
            return ChatGenerationChunk(message=chunk)
        return None
