"""Parsers for a model's tool calls: as dicts (`JsonOutputToolsParser`), one tool's arguments
(`JsonOutputKeyToolsParser`), or pydantic objects (`PydanticToolsParser`).

They read `AIMessage.tool_calls` (or OpenAI-style raw calls in `additional_kwargs`) and give the
same values as `langchain_core.output_parsers.openai_tools`; `with_structured_output` builds on
them. Not here: streaming partial tool calls (chunks merge in `runwire.messages`).
"""

from __future__ import annotations

import copy
from typing import Any

from runwire.exceptions import OutputParserException
from runwire.messages import AIMessage, default_tool_parser
from runwire.output_parsers.base import BaseGenerationOutputParser
from runwire.output_parsers.json import raise_if_refused
from runwire.outputs import ChatGeneration, Generation


def parse_tool_calls(
    raw_tool_calls: list[dict[str, Any]], *, partial: bool = False, return_id: bool = True
) -> list[dict[str, Any]]:
    """OpenAI-style raw tool calls as `{"name", "args"[, "id"]}` dicts."""
    calls, invalid = default_tool_parser(raw_tool_calls)
    if invalid and not partial:
        bad = invalid[0]
        raise OutputParserException(
            f"Function {bad['name']} arguments:\n\n{bad['args']}\n\nare not valid JSON. Ask the model for "
            "valid JSON arguments, or parse with partial=True."
        )
    out: list[dict[str, Any]] = []
    for call in calls:
        item: dict[str, Any] = {"name": call["name"], "args": call["args"]}
        if return_id:
            item["id"] = call["id"]
        out.append(item)
    return out


class JsonOutputToolsParser(BaseGenerationOutputParser[Any]):
    """The tool calls of a message as `[{"type": name, "args": {...}}]` (`"id"` too with `return_id`)."""

    strict: bool = False  # langchain-core's field; raw arguments are always read leniently here
    return_id: bool = False
    first_tool_only: bool = False

    def _calls(self, result: list[Generation], partial: bool) -> list[dict[str, Any]] | None:
        generation = result[0]
        if not isinstance(generation, ChatGeneration):
            raise OutputParserException(
                "This output parser can only be used with a chat generation: put it after a chat model."
            )
        message = generation.message
        raise_if_refused(message)
        if isinstance(message, AIMessage) and message.tool_calls:
            calls = [dict(call) for call in message.tool_calls]
            for call in calls:
                call.pop("type", None)
                if not self.return_id:
                    call.pop("id", None)
        else:
            raw = message.additional_kwargs.get("tool_calls")
            if raw is None:
                return None
            calls = parse_tool_calls(copy.deepcopy(raw), partial=partial, return_id=self.return_id)
        for call in calls:
            call["type"] = call.pop("name")
        return calls

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        calls = self._calls(result, partial) or []
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
                raise ValueError(f"Tool arguments must be specified as a dict, received: {call['args']}")
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


__all__ = ["JsonOutputKeyToolsParser", "JsonOutputToolsParser", "PydanticToolsParser", "parse_tool_calls"]
