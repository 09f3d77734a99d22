"""JsonOutputParser: JSON from model output, bare or in a ```json fence, possibly truncated.

As in langchain-core, a truncated document is completed (`{"a": [1, 2` reads as
`{"a": [1, 2]}`), so the same parser serves streamed output later. Text with no JSON in it
raises `OutputParserException` quoting the text; a refusal content block raises
`ModelRefusalError`. Streaming yields growing values, or with `diff=True` the JSON Patch
operations between them (the `jsonpatch` package, imported on first use).
Not here: JSON Schema validation (`PydanticOutputParser` validates with a model).
"""

from __future__ import annotations

import json
from typing import Any

from runwire._json import parse_json_markdown
from runwire.exceptions import ModelRefusalError, OutputParserException
from runwire.messages import BaseMessage
from runwire.output_parsers.base import BaseCumulativeTransformOutputParser, output_text
from runwire.outputs import Generation

JSON_FORMAT_INSTRUCTIONS = """STRICT OUTPUT FORMAT:
- Return only the JSON value that conforms to the schema. Do not include any additional text, explanations, headings, or separators.
- Do not wrap the JSON in Markdown or code fences (no ``` or ```json).
- Do not prepend or append any text (e.g., do not write "Here is the JSON:").
- The response must be a single top-level JSON value exactly as required by the schema (object/array/etc.), with no trailing commas or comments.

The output should be formatted as a JSON instance that conforms to the JSON schema below.

As an example, for the schema {{"properties": {{"foo": {{"title": "Foo", "description": "a list of strings", "type": "array", "items": {{"type": "string"}}}}}}, "required": ["foo"]}} the object {{"foo": ["bar", "baz"]}} is a well-formatted instance of the schema. The object {{"properties": {{"foo": ["bar", "baz"]}}}} is not well-formatted.

Here is the output schema (shown in a code block for readability only — do not include any backticks or Markdown in your output):
```
{schema}
```"""  # noqa: E501 - the text models are shown, verbatim from langchain-core
"""langchain-core's format instructions (same text, so models see the same prompt)."""


def raise_if_refused(message: BaseMessage) -> None:
    """Raise `ModelRefusalError` when the message holds a refusal block instead of an answer."""
    if isinstance(message.content, str):
        return  # a str has no content blocks, so no refusal
    for block in message.content_blocks:
        if block["type"] == "refusal":
            raise ModelRefusalError.from_refusal(block, raw_message=message)


_decode = json.JSONDecoder(strict=False).decode  # built once: json.loads(s, strict=False) builds one per call


def parse_json_text(text: str, *, partial: bool = False) -> Any:
    """JSON from model text. With `partial`, None instead of an error when there is none yet."""
    text = text.strip()
    if '"action_input"' not in text:
        # Whole JSON: the result parse_json_markdown would give, without its regex pass.
        try:
            return _decode(text)
        except (json.JSONDecodeError, RecursionError):
            pass
    try:
        return parse_json_markdown(text)
    except RecursionError:
        raise OutputParserException(
            f"Invalid json output: nested too deeply to parse ({len(text)} chars). "
            "Ask the model for flatter JSON.",
            llm_output=text,
        ) from None
    except json.JSONDecodeError as error:
        if partial:
            return None
        shown = repr(text) if len(text) <= 200 else repr(text[:200]) + f"... ({len(text)} chars)"
        raise OutputParserException(
            f"Invalid json output: expected a JSON value (object, array, string, number, true, false or "
            f"null), bare or in a ```json fence, but got {shown} ({error.msg} at line {error.lineno} "
            f"column {error.colno}). Ask the model for JSON only, e.g. with get_format_instructions().",
            llm_output=text,
        ) from error


def json_patch(prev: Any, next: Any) -> list[dict[str, Any]]:
    """`jsonpatch.make_patch(prev, next).patch`, with an install hint when jsonpatch is missing."""
    try:
        import jsonpatch  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise ImportError(
            "JsonOutputParser(diff=True) needs the jsonpatch package to compute JSON Patch operations: "
            'pip install "runwire[jsonpatch]" (or pip install jsonpatch).'
        ) from None
    patch: list[dict[str, Any]] = jsonpatch.make_patch(prev, next).patch
    return patch


class JsonOutputParser(BaseCumulativeTransformOutputParser[Any]):
    """Parse a model output as JSON; `pydantic_object` only shapes the format instructions."""

    pydantic_object: Any = None
    """A pydantic model class whose JSON schema `get_format_instructions` shows the model."""

    def _parse_output(self, output: Any) -> Any:
        if isinstance(output, BaseMessage):
            raise_if_refused(output)
        return parse_json_text(output_text(output, self))

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        """JSON from the first generation (None for not-yet-JSON text when `partial`)."""
        message = getattr(result[0], "message", None)
        if message is not None:
            raise_if_refused(message)
        return parse_json_text(result[0].text, partial=partial)

    def parse(self, text: str) -> Any:
        """JSON from `text`."""
        return parse_json_text(text)

    def _diff(self, prev: Any, next: Any) -> Any:
        """The JSON Patch operations (RFC 6902) that turn `prev` into `next`."""
        return json_patch(prev, next)

    def get_format_instructions(self) -> str:
        """ "Return a JSON object." or, with `pydantic_object`, its schema with instructions."""
        if self.pydantic_object is None:
            return "Return a JSON object."
        model = self.pydantic_object
        schema = dict(model.model_json_schema() if hasattr(model, "model_json_schema") else model.schema())
        schema.pop("title", None)
        schema.pop("type", None)
        return JSON_FORMAT_INSTRUCTIONS.format(schema=json.dumps(schema, ensure_ascii=False))

    @property
    def _type(self) -> str:
        return "simple_json_output_parser"


SimpleJsonOutputParser = JsonOutputParser
"""langchain-core's older name for `JsonOutputParser`."""
