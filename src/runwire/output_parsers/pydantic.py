"""PydanticOutputParser: JSON from a model's output, validated into a pydantic model.

`PydanticOutputParser(pydantic_object=Person)` (or `PydanticOutputParser[Person](...)`) reads
JSON as `JsonOutputParser` does, then `Person.model_validate`s it; a validation error becomes
an `OutputParserException` naming the model and quoting the JSON, as in langchain-core.
pydantic is imported on first use, never by `import runwire.output_parsers`.
Not here: function- or tool-call payloads (`openai_functions`, `openai_tools`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from runwire.exceptions import OutputParserException
from runwire.messages import BaseMessage
from runwire.output_parsers.base import output_text
from runwire.output_parsers.json import JsonOutputParser, parse_json_text, raise_if_refused
from runwire.outputs import Generation

if TYPE_CHECKING:
    from pydantic import BaseModel

TBaseModel = TypeVar("TBaseModel", bound="BaseModel")

_PYDANTIC_FORMAT_INSTRUCTIONS = """The output should be formatted as a JSON instance that conforms to the JSON schema below.

As an example, for the schema {{"properties": {{"foo": {{"title": "Foo", "description": "a list of strings", "type": "array", "items": {{"type": "string"}}}}}}, "required": ["foo"]}}
the object {{"foo": ["bar", "baz"]}} is a well-formatted instance of the schema. The object {{"properties": {{"foo": ["bar", "baz"]}}}} is not well-formatted.

Here is the output schema:
```
{schema}
```"""  # noqa: E501 - the text models are shown, verbatim from langchain-core


def validate_model(model: Any, obj: Any) -> Any:
    """`model` validated from `obj` (pydantic v2 or v1 models); OutputParserException if it fails."""
    import pydantic

    try:
        if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
            return model.model_validate(obj)
        if isinstance(model, type) and hasattr(model, "parse_obj"):  # a pydantic.v1 model
            return model.parse_obj(obj)
    except (pydantic.ValidationError, ValueError) as error:  # v1's ValidationError is a ValueError
        shown = json.dumps(obj, ensure_ascii=False)
        raise OutputParserException(
            f"Failed to parse {model.__name__} from completion {shown}. Got: {error}", llm_output=shown
        ) from error
    raise OutputParserException(
        f"Unsupported model for PydanticOutputParser: {model!r:.80}; pass a pydantic BaseModel subclass."
    )


class PydanticOutputParser(JsonOutputParser, Generic[TBaseModel]):
    """Parse a model output as JSON and validate it into `pydantic_object`."""

    pydantic_object: Any
    """The pydantic model class the JSON is validated into."""

    def model_post_init(self, context: Any, /) -> None:
        model = self.pydantic_object
        if not isinstance(model, type):
            raise TypeError(
                f"PydanticOutputParser(pydantic_object=...) takes a pydantic model class, got "
                f"{type(model).__name__}: {model!r:.80}."
            )

    def _parse_output(self, output: Any) -> TBaseModel:
        if isinstance(output, BaseMessage):
            raise_if_refused(output)
        result: TBaseModel = validate_model(self.pydantic_object, parse_json_text(output_text(output, self)))
        return result

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> TBaseModel | None:
        """The model validated from the first generation's JSON; with `partial`, None until the
        JSON so far validates."""
        try:
            value = super().parse_result(result, partial=partial)
            model: TBaseModel = validate_model(self.pydantic_object, value)
        except OutputParserException:
            if partial:
                return None
            raise
        return model

    def parse(self, text: str) -> TBaseModel:
        """The model validated from the JSON in `text`."""
        model: TBaseModel = validate_model(self.pydantic_object, parse_json_text(text))
        return model

    def get_format_instructions(self) -> str:
        """The model's JSON schema (without title and type) with instructions, as langchain-core's."""
        model = self.pydantic_object
        schema = dict(model.model_json_schema() if hasattr(model, "model_json_schema") else model.schema())
        schema.pop("title", None)
        schema.pop("type", None)
        return _PYDANTIC_FORMAT_INSTRUCTIONS.format(schema=json.dumps(schema, ensure_ascii=False))

    @property
    def _type(self) -> str:
        return "pydantic"

    @property
    def OutputType(self) -> Any:
        """The pydantic model."""
        return self.pydantic_object


__all__ = ["PydanticOutputParser", "TBaseModel"]
