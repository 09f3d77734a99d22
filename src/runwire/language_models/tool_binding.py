"""Tool binding and structured output on chat models: `bind_tools` and `with_structured_output`.

A mixin of BaseChatModel, kept apart so that the run machinery in `chat_models` stays small.
`bind_tools` returns a binding that calls the model with `tools=[OpenAI-format tool dicts]` (and
`tool_choice`) as call keyword arguments, which reach `_generate` and the start event's
`invocation_params`; a provider whose wire format differs translates them (or overrides
`bind_tools`). `with_structured_output` builds on it: the model is made to call one tool shaped
like the schema, and a parser turns the call into a pydantic instance (for a pydantic class) or
a dict (TypedDict, JSON schema, OpenAI dict). Nothing here is imported on the model's hot path.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

_CHOICE_ALIASES = {"any": "required"}


def normalize_tool_choice(tool_choice: Any, names: Sequence[str]) -> Any:
    """OpenAI's form of a tool choice: a tool's name -> `{"type": "function", ...}`, "any" ->
    "required", True -> the only tool; "auto"/"none"/"required" and dicts as given."""
    if tool_choice is None or tool_choice is False:
        return None
    if tool_choice is True:
        if len(names) != 1:
            raise ValueError(
                f"tool_choice=True needs exactly one tool to choose, got {len(names)}: {list(names)}. "
                "Pass the tool's name instead, e.g. tool_choice='search'."
            )
        tool_choice = names[0]
    if isinstance(tool_choice, str):
        if tool_choice in {"auto", "none", "required", "any"}:
            return _CHOICE_ALIASES.get(tool_choice, tool_choice)
        if tool_choice not in names:
            raise ValueError(
                f"tool_choice {tool_choice!r} is not one of the bound tools {list(names)}; pass one of "
                "them, or 'auto', 'any' or 'none'."
            )
        return {"type": "function", "function": {"name": tool_choice}}
    if isinstance(tool_choice, dict):
        return tool_choice
    raise TypeError(
        f"tool_choice must be a tool name, 'auto', 'any', 'none', True or a dict; got {tool_choice!r}."
    )


class ToolBindingMixin:
    """`bind_tools` / `with_structured_output` for chat models."""

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any) -> Any:
        """A runnable that calls this model with `tools` offered to it (tools, pydantic classes,
        TypedDicts, functions or OpenAI dicts; see `convert_to_openai_tool`)."""
        from runwire.utils.function_calling import convert_to_openai_tool

        strict = kwargs.pop("strict", None)
        formatted = [convert_to_openai_tool(tool, strict=strict) for tool in tools]
        names = [t["function"]["name"] for t in formatted if t.get("type") == "function"]
        choice = normalize_tool_choice(tool_choice, names)
        if choice is not None:
            kwargs["tool_choice"] = choice
        return self.bind(tools=formatted, **kwargs)  # type: ignore[attr-defined]

    def with_structured_output(
        self,
        schema: Any,
        *,
        include_raw: bool = False,
        method: str = "function_calling",
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """A runnable returning `schema`-shaped output instead of a message: a pydantic instance
        for a pydantic class, else a dict. `method` is "function_calling" (the model calls a tool
        shaped like the schema) or "json_mode"/"json_schema" (the model answers in JSON). With
        `include_raw`, the output is `{"raw": message, "parsed": value, "parsing_error": error}`
        and a parsing failure is reported there instead of raised."""
        if kwargs:
            raise ValueError(f"Received unsupported arguments {sorted(kwargs)} for with_structured_output.")
        from runwire.utils.function_calling import convert_to_openai_tool

        tool = convert_to_openai_tool(schema, strict=strict)
        name = tool["function"]["name"]
        is_model = _is_pydantic_class(schema)
        if method == "function_calling":
            llm = self.bind_tools([schema], tool_choice=name, strict=strict)
            parser = _tool_parser(schema, name, is_model)
        elif method in {"json_mode", "json_schema"}:
            format_ = (
                {"type": "json_object"}
                if method == "json_mode"
                else {
                    "type": "json_schema",
                    "json_schema": {"name": name, "schema": tool["function"]["parameters"]},
                }
            )
            llm = self.bind(response_format=format_)  # type: ignore[attr-defined]
            parser = _json_parser(schema, is_model)
        else:
            raise ValueError(
                f"Unrecognized method argument {method!r}. Expected one of 'function_calling', "
                "'json_mode' or 'json_schema'."
            )
        if not include_raw:
            return llm | parser
        return _with_raw(llm, parser)


def _is_pydantic_class(schema: Any) -> bool:
    if not isinstance(schema, type) or "pydantic" not in sys.modules:  # no pydantic, no such class
        return False
    from runwire.tools.schema import is_pydantic_class

    return is_pydantic_class(schema)


def _tool_parser(schema: Any, name: str, is_model: bool) -> Any:
    from runwire.output_parsers.openai_tools import JsonOutputKeyToolsParser, PydanticToolsParser

    if is_model:
        return PydanticToolsParser(tools=[schema], first_tool_only=True)
    return JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)


def _json_parser(schema: Any, is_model: bool) -> Any:
    from runwire.output_parsers.json import JsonOutputParser

    parser = JsonOutputParser()
    if not is_model:
        return parser
    from runwire.runnables import RunnableLambda

    return parser | RunnableLambda(schema.model_validate, name=f"{schema.__name__}Validator")


def _with_raw(llm: Any, parser: Any) -> Any:
    """`{"raw": message}` then `parsed` (or `parsing_error` when parsing fails)."""
    from runwire.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough

    def parsed(state: dict[str, Any]) -> Any:
        return parser.invoke(state["raw"])

    def no_error(_: Any) -> None:
        return None

    def nothing(_: Any) -> None:
        return None

    parse = RunnablePassthrough.assign(parsed=RunnableLambda(parsed), parsing_error=RunnableLambda(no_error))
    give_up = RunnablePassthrough.assign(parsed=RunnableLambda(nothing))
    return RunnableParallel(raw=llm) | parse.with_fallbacks([give_up], exception_key="parsing_error")
