"""Parsers for OpenAI's legacy function calls (`additional_kwargs["function_call"]`).

`OutputFunctionsParser` gives the raw call (or its arguments text), `JsonOutputFunctionsParser`
the arguments as JSON (streamed as growing objects, or JSON Patch ops with `diff=True`),
`JsonKeyOutputFunctionsParser` one key of them, and the two Pydantic parsers a validated model
(or one attribute of it). Same names and values as `langchain_core.output_parsers.openai_functions`.
Where langchain-core returns None or raises a bare KeyError/TypeError for a malformed payload,
these raise `OutputParserException` saying what was expected (a documented difference).
Not here: tool calls (`openai_tools`).
"""

from __future__ import annotations

import copy
import json
from typing import Any, ClassVar

from runwire._json import parse_partial_json
from runwire.exceptions import OutputParserException
from runwire.messages import BaseMessage
from runwire.output_parsers.base import BaseCumulativeTransformOutputParser, BaseGenerationOutputParser
from runwire.output_parsers.json import json_patch, raise_if_refused
from runwire.outputs import ChatGeneration, Generation


def _message(result: list[Generation]) -> BaseMessage:
    generation = result[0]
    if not isinstance(generation, ChatGeneration):
        raise OutputParserException("This output parser can only be used with a chat generation.")
    raise_if_refused(generation.message)
    return generation.message


def _function_call(message: BaseMessage) -> dict[str, Any]:
    """The message's function call; OutputParserException when absent or mis-shaped."""
    try:
        call = message.additional_kwargs["function_call"]
    except KeyError as error:
        raise OutputParserException(f"Could not parse function call: {error}") from error
    if not isinstance(call, dict) or "arguments" not in call:
        raise OutputParserException(
            f"Could not parse function call: expected {{'name': ..., 'arguments': '<JSON text>'}}, "
            f"got {call!r:.200}."
        )
    return call


class OutputFunctionsParser(BaseGenerationOutputParser[Any]):
    """The function call of a message: its arguments text (`args_only`) or the whole call dict."""

    args_only: bool = True

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        call = copy.deepcopy(_function_call(_message(result)))
        return call["arguments"] if self.args_only else call


class JsonOutputFunctionsParser(BaseCumulativeTransformOutputParser[Any]):
    """The function call's arguments parsed as JSON (or the call with parsed arguments)."""

    strict: bool = False
    """Refuse control characters inside JSON strings (json's strict mode)."""
    args_only: bool = True

    _via_result: ClassVar[bool] = True  # parses the message, not its text

    @property
    def _type(self) -> str:
        return "json_functions"

    def _diff(self, prev: Any, next: Any) -> Any:
        return json_patch(prev, next)

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        if len(result) != 1:
            raise OutputParserException(f"Expected exactly one result, but got {len(result)}")
        message = _message(result)
        if partial:
            call = message.additional_kwargs.get("function_call")
            if not isinstance(call, dict) or not isinstance(call.get("arguments"), str):
                return None  # nothing streamed yet
            try:
                args = parse_partial_json(call["arguments"], strict=self.strict)
            except json.JSONDecodeError:
                return None
        else:
            call = _function_call(message)
            try:
                args = json.loads(call["arguments"], strict=self.strict)
            except (json.JSONDecodeError, TypeError) as error:
                raise OutputParserException(f"Could not parse function call data: {error}") from error
        return args if self.args_only else {**call, "arguments": args}

    def parse(self, text: str) -> Any:
        raise NotImplementedError(f"{type(self).__name__} parses messages (their function call), not text.")


class JsonKeyOutputFunctionsParser(JsonOutputFunctionsParser):
    """One key of the function call's JSON arguments."""

    key_name: str

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        value = super().parse_result(result, partial=partial)
        if partial:
            return value.get(self.key_name) if isinstance(value, dict) else None
        if not isinstance(value, dict):
            raise OutputParserException(
                f"{type(self).__name__} reads the key {self.key_name!r} of the function arguments, but "
                f"they are not a JSON object: {json.dumps(value)[:200]}. Ask the model for an object.",
                llm_output=json.dumps(value),
            )
        return value[self.key_name]  # a KeyError when absent, as in langchain-core


class PydanticOutputFunctionsParser(OutputFunctionsParser):
    """The function call's arguments validated into `pydantic_schema` (a model, or a dict from
    function name to model, which needs `args_only=False`)."""

    pydantic_schema: Any

    def __init__(self, **kwargs: Any) -> None:
        schema = kwargs.get("pydantic_schema")
        if "args_only" not in kwargs:
            kwargs["args_only"] = isinstance(schema, type)
        elif kwargs["args_only"] and isinstance(schema, dict):
            raise ValueError("If multiple pydantic schemas are provided then args_only should be False.")
        super().__init__(**kwargs)

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        found = super().parse_result(result)
        if self.args_only:
            if isinstance(self.pydantic_schema, dict):
                raise ValueError(f"Dict Pydantic schema unsupported with args_only: {self.pydantic_schema}")
            return _validate_json(self.pydantic_schema, found)
        schema = self.pydantic_schema
        if isinstance(schema, dict):
            try:
                schema = schema[found["name"]]
            except KeyError:
                raise OutputParserException(
                    f"the model called the function {found.get('name')!r}, which has no schema here; "
                    f"known: {sorted(self.pydantic_schema)}."
                ) from None
        return _validate_json(schema, found["arguments"])


def _validate_json(model: Any, text: Any) -> Any:
    """`model` validated from JSON text (pydantic's ValidationError when it does not fit)."""
    if hasattr(model, "model_validate_json"):
        return model.model_validate_json(text)
    if hasattr(model, "parse_raw"):  # a pydantic.v1 model
        return model.parse_raw(text)
    raise ValueError(f"Unsupported Pydantic schema: {model}")


class PydanticAttrOutputFunctionsParser(PydanticOutputFunctionsParser):
    """One attribute of the validated model."""

    attr_name: str

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        return getattr(super().parse_result(result), self.attr_name)


__all__ = [
    "JsonKeyOutputFunctionsParser",
    "JsonOutputFunctionsParser",
    "OutputFunctionsParser",
    "PydanticAttrOutputFunctionsParser",
    "PydanticOutputFunctionsParser",
]
