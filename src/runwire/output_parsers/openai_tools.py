"""Parsers for a model's tool calls: as dicts (`JsonOutputToolsParser`), one tool's arguments
(`JsonOutputKeyToolsParser`), or pydantic objects (`PydanticToolsParser`).

They read `AIMessage.tool_calls` (or OpenAI-style raw calls in `additional_kwargs`) and give the
same values as `langchain_core.output_parsers.openai_tools`; `with_structured_output` builds on
them. While streaming they re-parse the message so far, so partial tool calls grow chunk by
chunk as in langchain-core. `parse_tool_call` / `make_invalid_tool_call` read one raw call.
Not here: merging tool-call chunks (`runwire.messages`).
"""

from __future__ import annotations

import copy
import json
from typing import Any, ClassVar

from runwire._json import parse_partial_json
from runwire.exceptions import OutputParserException
from runwire.messages import AIMessage, InvalidToolCall, invalid_tool_call, tool_call
from runwire.output_parsers.base import BaseCumulativeTransformOutputParser
from runwire.output_parsers.json import raise_if_refused
from runwire.outputs import ChatGeneration, Generation


def parse_tool_call(
    raw_tool_call: dict[str, Any], *, partial: bool = False, strict: bool = False, return_id: bool = True
) -> dict[str, Any] | None:
    """One OpenAI-style raw tool call (`{"function": {"name", "arguments"}, "id"}`) as
    `{"name", "args"}` (a full `ToolCall` with `return_id`); None when it has no "function".

    With `partial`, truncated arguments are completed and unreadable ones give None; without
    it they raise `OutputParserException`. `strict` refuses control characters in strings."""
    if "function" not in raw_tool_call:
        return None
    function = raw_tool_call["function"]
    if not isinstance(function, dict) or "name" not in function or "arguments" not in function:
        raise OutputParserException(
            f"malformed tool call {raw_tool_call!r:.200}: 'function' must be a dict with 'name' and "
            "'arguments' (a JSON string), as in OpenAI's tool_calls."
        )
    arguments = function["arguments"]
    if partial:
        try:
            args = parse_partial_json(arguments, strict=strict)
        except (json.JSONDecodeError, TypeError):  # None arguments raise TypeError
            return None
    elif not arguments:  # a tool without parameters
        args = {}
    else:
        try:
            args = json.loads(arguments, strict=strict)
        except (json.JSONDecodeError, TypeError) as error:
            raise OutputParserException(
                f"Function {function['name']} arguments:\n\n{arguments}\n\nare not valid JSON. "
                f"Received JSONDecodeError {error}"
            ) from error
    name = function["name"] or ""
    if not partial and args and not isinstance(args, dict):
        # langchain-core passes a list or number on as the "args"; a tool call's args are a dict.
        raise OutputParserException(
            f"Function {name} arguments:\n\n{arguments}\n\nare not a JSON object; tool arguments "
            'must be an object of named arguments, e.g. {"query": "..."}.'
        )
    if not return_id:
        return {"name": name, "args": args or {}}
    return dict(tool_call(name=name, args=args or {}, id=raw_tool_call.get("id")))


def make_invalid_tool_call(raw_tool_call: dict[str, Any], error_msg: str | None) -> InvalidToolCall:
    """An `InvalidToolCall` keeping a raw call's name, arguments text and id, with `error_msg`."""
    return invalid_tool_call(
        name=raw_tool_call["function"]["name"],
        args=raw_tool_call["function"]["arguments"],
        id=raw_tool_call.get("id"),
        error=error_msg,
    )


def parse_tool_calls(
    raw_tool_calls: list[dict[str, Any]],
    *,
    partial: bool = False,
    strict: bool = False,
    return_id: bool = True,
) -> list[dict[str, Any]]:
    """Every raw tool call parsed (see `parse_tool_call`); the errors of all the unreadable ones
    are raised together as one `OutputParserException`."""
    parsed: list[dict[str, Any]] = []
    errors: list[str] = []
    for raw in raw_tool_calls:
        try:
            call = parse_tool_call(raw, partial=partial, strict=strict, return_id=return_id)
        except OutputParserException as error:
            errors.append(str(error))
            continue
        if call:
            parsed.append(call)
    if errors:
        raise OutputParserException("\n\n".join(errors))
    return parsed


class JsonOutputToolsParser(BaseCumulativeTransformOutputParser[Any]):
    """The tool calls of a message as `[{"args": {...}, "type": name}]` (`"id"` too with `return_id`)."""

    strict: bool = False
    """Refuse control characters inside JSON strings of raw arguments (json's strict mode)."""
    return_id: bool = False
    first_tool_only: bool = False

    _via_result: ClassVar[bool] = True  # parses whole generations (the message), not text

    def _calls(self, result: list[Generation], partial: bool) -> list[dict[str, Any]] | None:
        """The calls, or None when the message has no tool calls at all."""
        generation = result[0]
        if not isinstance(generation, ChatGeneration):
            raise OutputParserException(
                "This output parser can only be used with a chat generation: put it after a chat model."
            )
        message = generation.message
        raise_if_refused(message)
        if isinstance(message, AIMessage) and message.tool_calls:
            calls = [dict(call) for call in message.tool_calls]
            if not self.return_id:
                for call in calls:
                    call.pop("id", None)
        else:
            raw = message.additional_kwargs.get("tool_calls")
            if raw is None:
                return None
            if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
                raise OutputParserException(
                    "malformed additional_kwargs['tool_calls']: expected a list of OpenAI-style tool "
                    f"call dicts, got {raw!r:.200}."
                )
            calls = parse_tool_calls(
                copy.deepcopy(raw), partial=partial, strict=self.strict, return_id=self.return_id
            )
        for call in calls:
            call["type"] = call.pop("name")  # langchain's older shape: the tool name under "type"
        return calls

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        calls = self._calls(result, partial)
        if calls is None:
            return []  # as langchain-core: [] (even with first_tool_only) when there are no tool calls
        if self.first_tool_only:
            return calls[0] if calls else None
        return calls

    def parse(self, text: str) -> Any:
        raise NotImplementedError("JsonOutputToolsParser parses messages (their tool calls), not text.")


class JsonOutputKeyToolsParser(JsonOutputToolsParser):
    """The arguments of the calls to the tool `key_name` (the first one's with `first_tool_only`)."""

    key_name: str

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        calls = self._calls(result, partial)
        if calls is None:
            return None if self.first_tool_only else []
        matching = [call for call in calls if call["type"] == self.key_name]
        if self.first_tool_only:
            first = matching[0] if matching else None
            if self.return_id or first is None:
                return first
            return first["args"]
        return matching if self.return_id else [call["args"] for call in matching]


class PydanticToolsParser(JsonOutputToolsParser):
    """The tool calls of a message as instances of the pydantic classes in `tools`."""

    tools: list[Any]

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        found = super().parse_result(result, partial=partial)
        if not found:
            return None if self.first_tool_only else []
        calls = [found] if self.first_tool_only else found
        by_name = {_model_name(tool): tool for tool in self.tools}
        objects = []
        for call in calls:
            if not isinstance(call["args"], dict):
                if partial:
                    continue
                raise OutputParserException(  # a ValueError, as langchain-core raises here
                    f"Tool arguments must be specified as a dict, received: {call['args']}"
                )
            try:
                tool = by_name[call["type"]]
            except KeyError as error:
                available = ", ".join(by_name) or "<no_tools>"
                raise OutputParserException(
                    f"Unknown tool type: {call['type']!r}. Available tools: {available}"
                ) from error
            try:
                objects.append(tool(**call["args"]))
            except ValueError:  # pydantic's ValidationError is a ValueError
                if partial:
                    continue
                raise
        if self.first_tool_only:
            return objects[0] if objects else None
        return objects


def _model_name(tool: Any) -> str:
    config = getattr(tool, "model_config", None)
    title = config.get("title") if isinstance(config, dict) else None
    return str(title or tool.__name__)


__all__ = [
    "JsonOutputKeyToolsParser",
    "JsonOutputToolsParser",
    "PydanticToolsParser",
    "make_invalid_tool_call",
    "parse_tool_call",
    "parse_tool_calls",
]
