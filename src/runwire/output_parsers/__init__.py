"""Output parsers: turn a model's output (a message or text) into a value.

`prompt | model | StrOutputParser()` gives a str; `JsonOutputParser()` gives parsed JSON;
`PydanticOutputParser` a validated model; list parsers lists of strings (streamed item by
item); `XMLOutputParser` nested dicts. Same names and behaviour as
`langchain_core.output_parsers`. The pydantic and XML parsers load on first use (module
`__getattr__`), so importing this package stays cheap.
"""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from runwire.output_parsers.pydantic import PydanticOutputParser
    from runwire.output_parsers.xml import XMLOutputParser

_LAZY = {"PydanticOutputParser": "pydantic", "XMLOutputParser": "xml"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"runwire.output_parsers.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    from runwire._not_yet import missing_attribute  # a langchain-core name runwire lacks: say so

    raise missing_attribute(__name__, name)


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
    "PydanticOutputParser",
    "PydanticToolsParser",
    "SimpleJsonOutputParser",
    "StrOutputParser",
    "XMLOutputParser",
]
