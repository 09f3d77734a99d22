"""Output parsers: turn a model's output (a message or text) into a value.

`prompt | model | StrOutputParser()` gives a str; `JsonOutputParser()` gives parsed JSON;
list parsers give lists of strings. Same names and behaviour as
`langchain_core.output_parsers`. Streaming (`transform`) chunk-by-chunk parsing comes later.
"""

from runwire.exceptions import OutputParserException
from runwire.output_parsers.base import (
    BaseCumulativeTransformOutputParser,
    BaseGenerationOutputParser,
    BaseLLMOutputParser,
    BaseOutputParser,
    BaseTransformOutputParser,
)
from runwire.output_parsers.json import JsonOutputParser, SimpleJsonOutputParser
from runwire.output_parsers.list import (
    CommaSeparatedListOutputParser,
    ListOutputParser,
    MarkdownListOutputParser,
    NumberedListOutputParser,
)
from runwire.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    JsonOutputToolsParser,
    PydanticToolsParser,
)
from runwire.output_parsers.string import StrOutputParser

__all__ = [
    "BaseCumulativeTransformOutputParser",
    "BaseGenerationOutputParser",
    "BaseLLMOutputParser",
    "BaseOutputParser",
    "BaseTransformOutputParser",
    "CommaSeparatedListOutputParser",
    "JsonOutputKeyToolsParser",
    "JsonOutputParser",
    "JsonOutputToolsParser",
    "ListOutputParser",
    "MarkdownListOutputParser",
    "NumberedListOutputParser",
    "OutputParserException",
    "PydanticToolsParser",
    "SimpleJsonOutputParser",
    "StrOutputParser",
]


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
