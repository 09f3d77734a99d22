"""The OpenTelemetry GenAI semantic conventions, as runwire's callback payloads map onto them.

Pure functions from what a start or end event carries (`ls_*` metadata, invocation params, an
`LLMResult`, messages, tool calls) to attribute dicts keyed by the conventions' names. Nothing
here imports OpenTelemetry or decides what content may leave the process: the exporter
(`runwire.tracers.otel`) owns spans and applies the content policy to what `input_messages`,
`output_messages` and friends build. Names follow the GenAI conventions of
open-telemetry/semantic-conventions-genai (status: development).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# -- attribute names --------------------------------------------------------------------------

OPERATION = "gen_ai.operation.name"
PROVIDER = "gen_ai.provider.name"
REQUEST_MODEL = "gen_ai.request.model"
REQUEST_STREAM = "gen_ai.request.stream"
RESPONSE_ID = "gen_ai.response.id"
RESPONSE_MODEL = "gen_ai.response.model"
FINISH_REASONS = "gen_ai.response.finish_reasons"
TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk"
INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
CACHE_READ_TOKENS = "gen_ai.usage.cache_read.input_tokens"
CACHE_WRITE_TOKENS = "gen_ai.usage.cache_write.input_tokens"
REASONING_TOKENS = "gen_ai.usage.reasoning.output_tokens"
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
TOOL_NAME = "gen_ai.tool.name"
TOOL_CALL_ID = "gen_ai.tool.call.id"
TOOL_DESCRIPTION = "gen_ai.tool.description"
TOOL_TYPE = "gen_ai.tool.type"
TOOL_ARGUMENTS = "gen_ai.tool.call.arguments"
TOOL_RESULT = "gen_ai.tool.call.result"
AGENT_NAME = "gen_ai.agent.name"
RETRIEVAL_QUERY = "gen_ai.retrieval.query.text"
RETRIEVAL_DOCUMENTS = "gen_ai.retrieval.documents"
ERROR_TYPE = "error.type"

CHAT = "chat"
TEXT_COMPLETION = "text_completion"
EXECUTE_TOOL = "execute_tool"
INVOKE_AGENT = "invoke_agent"
RETRIEVAL = "retrieval"

# runwire's `ls_provider` values (and langchain integrations') -> the conventions' provider names.
PROVIDERS = {
    "azure": "azure.ai.openai",
    "azure_openai": "azure.ai.openai",
    "azurechatopenai": "azure.ai.openai",
    "azure_ai": "azure.ai.inference",
    "google_genai": "gcp.gen_ai",
    "google_vertexai": "gcp.vertex_ai",
    "vertexai": "gcp.vertex_ai",
    "amazon_bedrock": "aws.bedrock",
    "bedrock": "aws.bedrock",
    "bedrock_converse": "aws.bedrock",
    "mistral": "mistral_ai",
    "mistralai": "mistral_ai",
    "xai": "x_ai",
    "ibm": "ibm.watsonx.ai",
    "watsonx": "ibm.watsonx.ai",
}

# invocation params -> request attributes (type-checked, so a stray string never lands on a span)
_NUMBER_PARAMS: dict[str, tuple[str, type[float] | type[int]]] = {
    "temperature": ("gen_ai.request.temperature", float),
    "top_p": ("gen_ai.request.top_p", float),
    "frequency_penalty": ("gen_ai.request.frequency_penalty", float),
    "presence_penalty": ("gen_ai.request.presence_penalty", float),
    "max_tokens": ("gen_ai.request.max_tokens", int),
    "max_completion_tokens": ("gen_ai.request.max_tokens", int),
    "max_output_tokens": ("gen_ai.request.max_tokens", int),
    "top_k": ("gen_ai.request.top_k", int),
    "seed": ("gen_ai.request.seed", int),
}

_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool", "function": "tool"}
_ROLES.update({"HumanMessageChunk": "user", "AIMessageChunk": "assistant", "SystemMessageChunk": "system"})
_ROLES.update({"ToolMessageChunk": "tool", "FunctionMessageChunk": "tool"})
_LS_NUMBERS = frozenset({"ls_temperature", "ls_max_tokens"})  # the numbers `_get_ls_params` reports


def request_attributes(
    operation: str, metadata: Mapping[str, Any] | None, params: Mapping[str, Any] | None
) -> dict[str, Any]:
    """A model run's request attributes, from its `ls_*` metadata (see
    `BaseLanguageModel._get_ls_params`) and its invocation params."""
    md = metadata or {}
    params = params or {}
    attributes: dict[str, Any] = {OPERATION: operation}
    provider = md.get("ls_provider")
    if isinstance(provider, str) and provider:
        attributes[PROVIDER] = PROVIDERS.get(provider, provider)
    model = md.get("ls_model_name") or params.get("model") or params.get("model_name")
    if isinstance(model, str) and model:
        attributes[REQUEST_MODEL] = model
    for key in _LS_NUMBERS.intersection(md):
        _number(attributes, _NUMBER_PARAMS[key[3:]], md[key])
    for key in _NUMBER_PARAMS.keys() & params.keys():
        _number(attributes, _NUMBER_PARAMS[key], params[key])
    stop = md.get("ls_stop") or params.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    if isinstance(stop, list | tuple) and stop and all(isinstance(s, str) for s in stop):
        attributes["gen_ai.request.stop_sequences"] = list(stop)
    count = params.get("n")
    if isinstance(count, int) and not isinstance(count, bool) and count != 1:
        attributes["gen_ai.request.choice.count"] = count
    return attributes


def _number(attributes: dict[str, Any], spec: tuple[str, type[float] | type[int]], value: Any) -> None:
    name, kind = spec
    if name not in attributes and isinstance(value, int | float) and not isinstance(value, bool):
        attributes[name] = kind(value)


def span_name(operation: str, target: str | None) -> str:
    """`{operation} {model or tool}` as the conventions name spans (just the operation if unknown)."""
    return f"{operation} {target}" if target else operation


def response_attributes(response: Any) -> dict[str, Any]:
    """Response id, model, finish reasons and token usage of an `LLMResult` (streamed runs: the
    merged chunks, so usage reported in the final chunk is included)."""
    attributes: dict[str, Any] = {}
    generations = [g for batch in (getattr(response, "generations", None) or ()) for g in batch]
    llm_output = getattr(response, "llm_output", None) or {}
    reasons: list[str] = []
    input_tokens = output_tokens = cache_read = cache_write = reasoning = 0
    has_usage = False
    for generation in generations:
        message = getattr(generation, "message", None)
        metadata = getattr(message, "response_metadata", None) or {}
        info = getattr(generation, "generation_info", None) or {}
        reason = info.get("finish_reason") or metadata.get("finish_reason") or metadata.get("stop_reason")
        if isinstance(reason, str):
            reasons.append(reason)
        if RESPONSE_ID not in attributes and isinstance(metadata.get("id"), str):
            attributes[RESPONSE_ID] = metadata["id"]
        model = metadata.get("model_name") or metadata.get("model")
        if RESPONSE_MODEL not in attributes and isinstance(model, str):
            attributes[RESPONSE_MODEL] = model
        usage = getattr(message, "usage_metadata", None)
        if usage:
            has_usage = True
            input_tokens += int(usage.get("input_tokens") or 0)
            output_tokens += int(usage.get("output_tokens") or 0)
            cache_read += int((usage.get("input_token_details") or {}).get("cache_read") or 0)
            cache_write += int((usage.get("input_token_details") or {}).get("cache_creation") or 0)
            reasoning += int((usage.get("output_token_details") or {}).get("reasoning") or 0)
    if not has_usage:  # text models and older providers report usage in llm_output
        usage = llm_output.get("token_usage") or llm_output.get("usage") or {}
        if isinstance(usage, Mapping) and usage:
            has_usage = True
            input_tokens = int(usage.get("prompt_tokens") or usage.get("input_tokens") or 0)
            output_tokens = int(usage.get("completion_tokens") or usage.get("output_tokens") or 0)
    if has_usage:
        attributes[INPUT_TOKENS] = input_tokens
        attributes[OUTPUT_TOKENS] = output_tokens
        if cache_read:
            attributes[CACHE_READ_TOKENS] = cache_read
        if cache_write:
            attributes[CACHE_WRITE_TOKENS] = cache_write
        if reasoning:
            attributes[REASONING_TOKENS] = reasoning
    if RESPONSE_MODEL not in attributes and isinstance(llm_output.get("model_name"), str):
        attributes[RESPONSE_MODEL] = llm_output["model_name"]
    if RESPONSE_ID not in attributes and isinstance(llm_output.get("id"), str):
        attributes[RESPONSE_ID] = llm_output["id"]
    if reasons:
        attributes[FINISH_REASONS] = reasons
    return attributes


def error_type(error: BaseException) -> str:
    """The conventions' `error.type` of an exception: its fully qualified class name."""
    cls = type(error)
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", "") else f"{module}.{cls.__qualname__}"


# -- content (built only when content capture is on; the exporter applies the policy) ----------


def input_messages(messages: Sequence[Any]) -> list[dict[str, Any]]:
    """Chat messages as the conventions' `gen_ai.input.messages` structure."""
    return [_message(m) for m in messages]


def output_messages(response: Any) -> list[dict[str, Any]]:
    """An `LLMResult`'s generations as `gen_ai.output.messages`."""
    out = []
    for batch in getattr(response, "generations", None) or ():
        for generation in batch:
            message = getattr(generation, "message", None)
            if message is not None:
                item = _message(message)
            else:
                item = {"role": "assistant", "parts": [_text(getattr(generation, "text", ""))]}
            info = getattr(generation, "generation_info", None) or {}
            metadata = getattr(message, "response_metadata", None) or {}
            reason = info.get("finish_reason") or metadata.get("finish_reason") or metadata.get("stop_reason")
            item["finish_reason"] = reason if isinstance(reason, str) else "stop"
            out.append(item)
    return out


def prompt_messages(prompts: Sequence[str]) -> list[dict[str, Any]]:
    """A text model's prompts as `gen_ai.input.messages`."""
    return [{"role": "user", "parts": [_text(p)]} for p in prompts]


def _text(content: Any) -> dict[str, Any]:
    return {"type": "text", "content": content}


def _message(message: Any) -> dict[str, Any]:
    kind = getattr(message, "type", None)
    role = _ROLES.get(kind) if isinstance(kind, str) else None
    if role is None:
        role = str(getattr(message, "role", None) or kind or "user")
    if role == "tool":
        parts: list[dict[str, Any]] = [
            {
                "type": "tool_call_response",
                "id": getattr(message, "tool_call_id", None),
                "response": message.content,
            }
        ]
        return {"role": role, "parts": parts}
    parts = _parts(getattr(message, "content", ""))
    for call in getattr(message, "tool_calls", None) or ():
        parts.append(
            {
                "type": "tool_call",
                "id": call.get("id"),
                "name": call.get("name"),
                "arguments": call.get("args"),
            }
        )
    return {"role": role, "parts": parts}


def _parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [_text(content)] if content else []
    parts = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(_text(block))
        elif isinstance(block, Mapping) and block.get("type") == "text":
            parts.append(_text(block.get("text", "")))
        elif isinstance(block, Mapping):
            parts.append({**block, "type": str(block.get("type", "unknown"))})
        else:
            parts.append(_text(block))
    return parts
