"""Tools and structured output for the provider models: tool definitions in OpenAI's format,
`tool_choice` in langchain's forms, and the parse step of `with_structured_output`.

Tools are converted by `runwire.utils.function_calling.convert_to_openai_tool` when that module
exists; until then, OpenAI-format dicts, `{"name", "parameters"|"input_schema"}` dicts, titled
JSON schemas and pydantic classes are understood here. Each provider turns the OpenAI-format
tools into its own wire shape. Not here: how a provider constrains its output (see each model).
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from runwire.exceptions import OutputParserException
from runwire.messages import AIMessage
from runwire.runnables.base import Runnable
from runwire.runnables.function import RunnableLambda


@functools.cache
def _converter() -> Callable[[Any], dict[str, Any]] | None:
    try:
        module = importlib.import_module("runwire.utils.function_calling")
    except ImportError:
        return None
    converter: Callable[[Any], dict[str, Any]] | None = getattr(module, "convert_to_openai_tool", None)
    return converter


def _from_json_schema(schema: dict[str, Any], name: str | None, description: str | None) -> dict[str, Any]:
    if not name:
        raise ValueError(
            "a JSON schema used as a tool or output schema needs a 'title' (its name); got keys "
            f"{sorted(schema)}. Add 'title': 'my_tool' or pass an OpenAI tool dict."
        )
    parameters = {k: v for k, v in schema.items() if k not in ("title", "description")}
    function: dict[str, Any] = {"name": name, "parameters": parameters}
    if description:
        function["description"] = description
    return {"type": "function", "function": function}


def to_openai_tool(tool: Any) -> dict[str, Any]:
    """`tool` as `{"type": "function", "function": {"name", "description", "parameters"}}`."""
    converter = _converter()
    if converter is not None:
        return converter(tool)
    if isinstance(tool, dict):
        if tool.get("type") == "function" and isinstance(tool.get("function"), dict):
            return tool
        if "name" in tool and ("parameters" in tool or "input_schema" in tool):
            function = {
                "name": tool["name"],
                "description": tool.get("description", ""),
                "parameters": tool.get("parameters", tool.get("input_schema")),
            }
            return {"type": "function", "function": function}
        if "title" in tool or "properties" in tool:
            return _from_json_schema(tool, tool.get("title"), tool.get("description"))
    json_schema = getattr(tool, "model_json_schema", None)
    if callable(json_schema):
        schema = json_schema()
        return _from_json_schema(schema, schema.get("title", tool.__name__), (tool.__doc__ or "").strip())
    raise TypeError(
        f"cannot use {tool!r:.100} as a tool: pass an OpenAI tool dict "
        '({"type": "function", "function": {"name", "description", "parameters"}}), a titled JSON '
        "schema, or a pydantic model class."
    )


def tool_names(tools: Sequence[dict[str, Any]]) -> list[str]:
    return [t["function"]["name"] for t in tools]


def forced_tool(tool_choice: Any, tools: Sequence[dict[str, Any]]) -> str | None:
    """The tool name `tool_choice` forces, if it forces exactly one (langchain's forms:
    a name, True, "any"/"required" with one tool, or an OpenAI/Anthropic choice dict)."""
    names = tool_names(tools)
    if isinstance(tool_choice, dict):
        function = tool_choice.get("function")
        name = function.get("name") if isinstance(function, dict) else tool_choice.get("name")
        return str(name) if name else None
    if tool_choice is True or (tool_choice in ("any", "required") and len(names) == 1):
        if len(names) != 1:
            raise ValueError(f"tool_choice=True needs exactly one tool, got {names}")
        return names[0]
    if isinstance(tool_choice, str) and tool_choice not in ("auto", "none", "any", "required"):
        if tool_choice not in names:
            raise ValueError(f"tool_choice={tool_choice!r} names no bound tool; the tools are {names}")
        return tool_choice
    return None


def check_tool_choice(tool_choice: Any, tools: Sequence[dict[str, Any]]) -> Any:
    """Validate `tool_choice` against `tools` at bind time; False means no choice."""
    if tool_choice is False:
        return None
    forced_tool(tool_choice, tools)
    return tool_choice


# -- structured output ------------------------------------------------------------------------------


def output_schema(schema: Any) -> tuple[str, dict[str, Any], Any]:
    """(name, OpenAI tool dict, pydantic class or None) for a `with_structured_output` schema."""
    tool = to_openai_tool(schema)
    model_class = schema if isinstance(schema, type) and hasattr(schema, "model_validate") else None
    return tool["function"]["name"], tool, model_class


def _validate(value: Any, model_class: Any) -> Any:
    if model_class is None:
        return value
    try:
        return model_class.model_validate(value)
    except Exception as exc:
        raise OutputParserException(f"the model's output does not fit {model_class.__name__}: {exc}") from exc


def _truncated(message: AIMessage) -> str:
    """Why a reply stopped early, if it hit the length limit (else "")."""
    metadata = getattr(message, "response_metadata", None) or {}
    reason = metadata.get("finish_reason") or metadata.get("stop_reason")
    if reason not in ("length", "max_tokens"):
        return ""
    return (
        f"the reply was truncated by the length limit (stop reason {reason!r}) before its JSON was "
        "complete; raise max_tokens= or ask for a shorter answer. "
    )


def tool_args_parser(name: str, model_class: Any) -> Callable[[AIMessage], Any]:
    """Message -> the arguments of its first call to `name` (validated into `model_class`)."""

    def parse_tool_call(message: AIMessage) -> Any:
        for call in message.tool_calls:
            if call["name"] == name:
                return _validate(call["args"], model_class)
        bad = [c for c in message.invalid_tool_calls if c.get("name") == name]
        detail = f"its arguments were not JSON: {bad[0].get('args')!r:.200}" if bad else "there was none"
        raise OutputParserException(
            f"{_truncated(message)}expected a call to {name!r} in the model's reply, but {detail}",
            llm_output=message.text if isinstance(message.content, str) else str(message.content),
        )

    return parse_tool_call


def json_text_parser(model_class: Any) -> Callable[[AIMessage], Any]:
    """Message -> its text parsed as JSON (validated into `model_class`)."""

    def parse_json(message: AIMessage) -> Any:
        text = message.text if hasattr(message, "text") else str(message.content)
        text = text.strip()
        if text.startswith("```"):
            text = text.strip("`").removeprefix("json").strip()
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise OutputParserException(
                f"{_truncated(message)}the model's reply is not JSON ({exc}); reply was {text!r:.200}",
                llm_output=text,
            ) from exc
        return _validate(value, model_class)

    return parse_json


def structured(bound: Runnable[Any, Any], parse: Callable[[AIMessage], Any], include_raw: bool) -> Any:
    """`bound | parse`, or with `include_raw` a dict `{"raw", "parsed", "parsing_error"}`."""
    if not include_raw:
        step: Callable[[Any], Any] = parse
    else:

        def with_raw(message: AIMessage) -> dict[str, Any]:
            try:
                return {"raw": message, "parsed": parse(message), "parsing_error": None}
            except Exception as exc:
                return {"raw": message, "parsed": None, "parsing_error": exc}

        step = with_raw

    async def astep(message: AIMessage) -> Any:
        return step(message)  # pure CPU: no thread hop

    return bound | RunnableLambda(step, afunc=astep, name=getattr(step, "__name__", None))


def structured_output(model: Any, schema: Any, method: str, include_raw: bool, **kwargs: Any) -> Any:
    """The shared body of `with_structured_output`: the model bound for `method`, then a parser.

    `model._json_binding(name, tool, method, **kwargs)` gives a provider's binding for the JSON
    methods (`json_schema`, `json_mode`); `function_calling` goes through `bind_tools`.
    """
    name, tool, model_class = output_schema(schema)
    if method == "function_calling":
        bound = model.bind_tools([tool], tool_choice=name)
        return structured(bound, tool_args_parser(name, model_class), include_raw)
    if method in ("json_schema", "json_mode"):
        bound = model._json_binding(name, tool, method, **kwargs)
        return structured(bound, json_text_parser(model_class), include_raw)
    raise ValueError(
        f"unknown structured output method {method!r}; use 'json_schema', 'json_mode' or 'function_calling'"
    )
