"""OpenAI Chat Completions on the wire: runwire messages to request bodies, response bodies
and stream chunks to messages. Pure functions over plain dicts; no SDK, no I/O.

Also the wire of llama.cpp's `create_chat_completion`, which speaks the same dialect. Quirks
of OpenAI-compatible servers handled here: assistant content is sent as `""`, never `null`.
"""

from __future__ import annotations

import json
from typing import Any

from runwire.chat_models._tools import forced_tool
from runwire.chat_models.errors import MalformedResponseError
from runwire.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    InvalidToolCall,
    ToolCall,
    ToolCallChunk,
    UsageMetadata,
    invalid_tool_call,
    tool_call,
    tool_call_chunk,
)
from runwire.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool", "function": "function"}


def _content(content: Any) -> Any:
    """Message content as OpenAI content: a string, or parts with langchain text blocks kept."""
    if isinstance(content, str):
        return content
    parts: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, str):
            parts.append({"type": "text", "text": block})
        elif block.get("type") == "text":
            parts.append({"type": "text", "text": block.get("text", "")})
        elif block.get("type") in ("tool_use", "tool_call", "thinking", "reasoning"):
            continue  # carried by tool_calls, or not sendable back
        else:
            parts.append(block)
    return parts


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in _content(content) if p.get("type") == "text")


def message_to_wire(message: BaseMessage) -> dict[str, Any]:
    """One message as an OpenAI chat message dict."""
    kind = message.type
    role = getattr(message, "role", None) if kind == "chat" else _ROLES.get(kind)
    if role is None:
        raise TypeError(f"cannot send a {type(message).__name__} to an OpenAI-compatible API")
    wire: dict[str, Any] = {"role": role}
    if kind == "ai":
        calls: list[ToolCall] = getattr(message, "tool_calls", None) or []
        # Some servers reject null content next to tool calls; "" is valid everywhere.
        wire["content"] = _text(message.content) if calls else _content(message.content)
        if calls:
            wire["tool_calls"] = [
                {
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["name"], "arguments": json.dumps(call["args"])},
                }
                for call in calls
            ]
    elif kind == "tool":
        wire["content"] = _text(message.content)
        wire["tool_call_id"] = getattr(message, "tool_call_id", None)
    else:
        wire["content"] = _content(message.content)
    if message.name and kind != "tool":
        wire["name"] = message.name
    return wire


def tool_choice_to_wire(tool_choice: Any, tools: list[dict[str, Any]]) -> Any:
    """langchain's tool_choice forms as OpenAI's: a name or True forces it; "any" is "required"."""
    if tool_choice is None or tool_choice in ("auto", "none", "required"):
        return tool_choice
    name = forced_tool(tool_choice, tools)
    if name is not None:
        return {"type": "function", "function": {"name": name}}
    if tool_choice == "any":
        return "required"
    return tool_choice


def to_wire(
    messages: list[BaseMessage],
    *,
    params: dict[str, Any],
    stop: list[str] | None = None,
    stream: bool = False,
    stream_usage: bool = True,
) -> dict[str, Any]:
    """The request body of `chat.completions.create`: `params` (model, temperature, tools,
    tool_choice, response_format, ...) with None values dropped."""
    body: dict[str, Any] = {"messages": [message_to_wire(m) for m in messages]}
    body.update((key, value) for key, value in params.items() if value is not None)
    if stop:
        body["stop"] = stop
    if "tools" in body and "tool_choice" in body:
        body["tool_choice"] = tool_choice_to_wire(body["tool_choice"], body["tools"])
    elif "tool_choice" in body:
        del body["tool_choice"]
    if stream:
        body["stream"] = True
        if stream_usage:
            body["stream_options"] = {"include_usage": True}
    return body


# -- responses --------------------------------------------------------------------------------------


def usage_from_wire(usage: Any) -> UsageMetadata | None:
    """OpenAI `usage` as langchain's UsageMetadata (cached and reasoning tokens as details)."""
    if not isinstance(usage, dict):
        return None
    input_tokens = usage.get("prompt_tokens") or 0
    output_tokens = usage.get("completion_tokens") or 0
    result: dict[str, Any] = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": usage.get("total_tokens") or input_tokens + output_tokens,
    }
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    input_details = {
        k: v
        for k, v in (
            ("audio", prompt_details.get("audio_tokens")),
            ("cache_read", prompt_details.get("cached_tokens")),
        )
        if v is not None
    }
    output_details = {
        k: v
        for k, v in (
            ("audio", completion_details.get("audio_tokens")),
            ("reasoning", completion_details.get("reasoning_tokens")),
        )
        if v is not None
    }
    if input_details:
        result["input_token_details"] = input_details
    if output_details:
        result["output_token_details"] = output_details
    return result  # type: ignore[return-value]


def _tool_calls(raw: list[dict[str, Any]]) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for item in raw:
        function = item.get("function") or {}
        name, arguments = function.get("name"), function.get("arguments") or "{}"
        try:
            args = json.loads(arguments)
        except (TypeError, ValueError) as exc:
            invalid.append(invalid_tool_call(name=name, args=arguments, id=item.get("id"), error=str(exc)))
            continue
        if isinstance(args, dict):
            calls.append(tool_call(name=name or "", args=args, id=item.get("id")))
        else:
            error = f"arguments must be a JSON object, got {type(args).__name__}"
            invalid.append(invalid_tool_call(name=name, args=arguments, id=item.get("id"), error=error))
    return calls, invalid


def _metadata(body: dict[str, Any], provider: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if "usage" in body and body["usage"] is not None:
        metadata["token_usage"] = body["usage"]
    if body.get("model") is not None:
        metadata["model_name"] = body["model"]
    for key in ("system_fingerprint", "id", "service_tier"):
        if body.get(key) is not None:
            metadata[key] = body[key]
    metadata["model_provider"] = provider
    return metadata


def from_wire(body: dict[str, Any], provider: str = "openai") -> ChatResult:
    """A `chat.completions` response body as a ChatResult (first choice), with usage and ids
    in `response_metadata` as langchain-openai puts them."""
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise MalformedResponseError(
            f"a chat completion needs a non-empty 'choices' list; got {json.dumps(body)[:300]}",
            provider=provider,
        )
    choice = choices[0]
    raw = choice.get("message")
    if not isinstance(raw, dict):
        raise MalformedResponseError(f"choice 0 has no 'message' object: {choice!r:.300}", provider=provider)
    calls, invalid = _tool_calls(raw.get("tool_calls") or [])
    metadata = _metadata(body, provider)
    metadata["finish_reason"] = choice.get("finish_reason")
    metadata["logprobs"] = choice.get("logprobs")
    additional: dict[str, Any] = {}
    if raw.get("refusal"):
        additional["refusal"] = raw["refusal"]
    message = AIMessage(
        content=raw.get("content") or "",
        tool_calls=calls,
        invalid_tool_calls=invalid,
        usage_metadata=usage_from_wire(body.get("usage")),
        additional_kwargs=additional,
        response_metadata=metadata,
    )
    info = {"finish_reason": choice.get("finish_reason"), "logprobs": choice.get("logprobs")}
    llm_output: dict[str, Any] = {
        k: metadata[k] for k in ("token_usage", "model_name", "system_fingerprint", "id") if k in metadata
    }
    return ChatResult(
        generations=[ChatGeneration(message=message, generation_info=info)], llm_output=llm_output
    )


def chunk_from_wire(
    body: dict[str, Any], provider: str = "openai", seen: set[int] | None = None
) -> ChatGenerationChunk | None:
    """One streamed `chat.completion.chunk` as a chunk, or None when it carries nothing
    (a role-only opening delta). The usage-only last chunk (no choices) carries usage.

    `seen` (one set per stream) holds the tool call indexes already opened: a server that
    repeats a call's name and id in every delta (llama.cpp does) would otherwise have the
    names concatenated when chunks merge."""
    choices = body.get("choices")
    if not isinstance(choices, list):
        raise MalformedResponseError(
            f"a stream chunk needs a 'choices' list; got {body!r:.300}", provider=provider
        )
    usage = usage_from_wire(body.get("usage"))
    if not choices:
        if usage is None:
            return None
        return ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=usage))
    choice = choices[0]
    delta = choice.get("delta") or {}
    finish = choice.get("finish_reason")
    chunks: list[ToolCallChunk] = []
    for raw in delta.get("tool_calls") or []:
        function = raw.get("function") or {}
        name, id_, index = function.get("name"), raw.get("id"), raw.get("index")
        if seen is not None:
            if index in seen:
                name = id_ = None
            else:
                seen.add(index)
        chunks.append(tool_call_chunk(name=name, args=function.get("arguments"), id=id_, index=index))
    content = delta.get("content") or ""
    if not content and not chunks and finish is None and usage is None:
        return None
    metadata: dict[str, Any] = {}
    info: dict[str, Any] | None = None
    if finish is not None:
        # Metadata once per stream (merged strings would concatenate); usage is in usage_metadata.
        metadata = _metadata(body, provider)
        metadata.pop("token_usage", None)
        metadata["finish_reason"] = finish
        info = {"finish_reason": finish}
    message = AIMessageChunk(
        content=content, tool_call_chunks=chunks, usage_metadata=usage, response_metadata=metadata
    )
    return ChatGenerationChunk(message=message, generation_info=info)
