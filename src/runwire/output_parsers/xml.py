"""XMLOutputParser: XML from a model's output as nested dicts and lists, whole or streamed.

`<a><b>1</b><c>2</c></a>` reads as `{"a": [{"b": "1"}, {"c": "2"}]}` (langchain-core's shape);
while streaming, each finished leaf element is yielded as soon as it closes, wrapped in its
path (`{"a": [{"b": "1"}]}`). Parsing goes through defusedxml (the `xml` extra), which refuses
entity declarations and external entities, so the "billion laughs" input raises
`OutputParserException` instead of expanding; `parser="xml"` selects the standard library's
parser (only for trusted text). Unlike langchain-core, every failure while streaming, and a
refused entity, is an `OutputParserException` rather than a raw `ParseError`/`EntitiesForbidden`.
Not here: XML writing (`runwire.messages._xml`), attributes (dropped, as in langchain-core).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

from runwire.exceptions import OutputParserException
from runwire.messages import BaseMessage
from runwire.output_parsers.base import BaseTransformOutputParser
from runwire.runnables.config import RunnableConfig

XML_FORMAT_INSTRUCTIONS = """The output should be formatted as a XML file.
1. Output should conform to the tags below.
2. If tags are not given, make them on your own.
3. Remember to always open and close all the tags.

As an example, for the tags ["foo", "bar", "baz"]:
1. String "<foo>
   <bar>
      <baz></baz>
   </bar>
</foo>" is a well-formatted instance of the schema.
2. String "<foo>
   <bar>
   </foo>" is a badly-formatted instance.
3. String "<foo>
   <tag>
   </tag>
</foo>" is a badly-formatted instance.

Here are the output tags:
```
{tags}
```"""
"""langchain-core's format instructions (same text, so models see the same prompt)."""

_FENCE = re.compile(r"```(xml)?(.*)```", re.DOTALL)
_ENCODING = re.compile(r"<([^>]*encoding[^>]*)>\n(.*)", re.MULTILINE | re.DOTALL)
_XML_START = re.compile(r"<[a-zA-Z:_]")


class AddableDict(dict[str, Any]):
    """A dict whose `+` merges another into it (values under a shared key are added), so the
    pieces a streaming parser yields add up, as langchain-core's `AddableDict` does."""

    def __add__(self, other: dict[str, Any]) -> AddableDict:
        merged = AddableDict(self)
        for key, value in other.items():
            if key not in merged or merged[key] is None:
                merged[key] = value
            elif value is not None:
                try:
                    merged[key] = merged[key] + value
                except TypeError:
                    merged[key] = value
        return merged


def _defused() -> Any:
    """The defusedxml.ElementTree module, with an install hint when it is missing."""
    try:
        from defusedxml import ElementTree  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise ImportError(
            "XMLOutputParser parses with defusedxml, which refuses entity expansion and external "
            'entities: pip install "runwire[xml]" (or pip install defusedxml). For trusted text only, '
            'XMLOutputParser(parser="xml") uses the standard library instead.'
        ) from None
    return ElementTree


def _refused(error: Exception, text: str) -> OutputParserException:
    return OutputParserException(
        f"Refused to parse XML from completion {text[:200]!r}: {type(error).__name__}: {error}. "
        "Entity declarations and external entities are not allowed in model output.",
        llm_output=text,
    )


class _StreamingParser:
    """Feeds chunks to a pull parser and yields each finished leaf element, wrapped in its path."""

    def __init__(self, parser: Literal["defusedxml", "xml"]) -> None:
        self._defused = _defused() if parser == "defusedxml" else None
        target = self._defused.XMLParser(target=ET.TreeBuilder()) if self._defused else None
        self.pull = ET.XMLPullParser(["start", "end"], _parser=target)
        self.path: list[str] = []
        self.has_children = False
        self.buffer = ""
        self.started = False
        self.seen = ""  # the text fed so far, for error messages

    def feed(self, chunk: Any) -> Iterator[AddableDict]:
        if isinstance(chunk, BaseMessage):
            if not isinstance(chunk.content, str):
                return
            chunk = chunk.content
        self.buffer += chunk
        if not self.started:
            match = _XML_START.search(self.buffer)
            if match is None:
                return
            self.buffer = self.buffer[match.start() :]
            self.started = True
        self.seen += self.buffer
        try:
            self.pull.feed(self.buffer)
            self.buffer = ""
            events: Any = self.pull.read_events()  # ("start"|"end", Element) for the events asked for
            for event, element in events:
                if event == "start":
                    self.path.append(element.tag)
                    self.has_children = False
                    continue
                self.path.pop()
                if not self.has_children:
                    yield nested_element(self.path, element)
                if self.path:
                    self.has_children = True
                else:
                    self.started = False
        except ET.ParseError as error:
            if not self.path:
                return  # text after the root element ends: ignored, as in langchain-core
            raise OutputParserException(
                f"Failed to parse XML format from completion {self.seen[:200]!r}. Got: {error}. "
                "Ask the model for well-formed XML (see get_format_instructions()).",
                llm_output=self.seen,
            ) from error
        except ValueError as error:  # defusedxml's EntitiesForbidden and friends
            raise _refused(error, self.seen) from error

    def close(self) -> None:
        try:
            self.pull.close()
        except ET.ParseError:
            pass  # a truncated document at the end of a stream: what was complete was yielded


def nested_element(path: list[str], element: ET.Element) -> AddableDict:
    """`{path[0]: [{path[1]: [... {tag: text}]}]}`: a leaf element wrapped in its ancestors."""
    value = AddableDict({element.tag: element.text})
    for tag in reversed(path):
        value = AddableDict({tag: [value]})
    return value


class XMLOutputParser(BaseTransformOutputParser[dict[str, Any]]):
    """Parse XML output into nested dicts and lists; streams leaf elements as they close."""

    tags: list[str] | None = None
    """Tags the format instructions tell the model to use."""
    encoding_matcher: re.Pattern[str] = _ENCODING
    parser: Literal["defusedxml", "xml"] = "defusedxml"
    """`"defusedxml"` (hardened, the default) or `"xml"` (the standard library, trusted text only)."""

    def model_post_init(self, context: Any, /) -> None:
        if self.parser not in ("defusedxml", "xml"):
            raise ValueError(f"XMLOutputParser(parser=...) is 'defusedxml' or 'xml', got {self.parser!r}.")

    def get_format_instructions(self) -> str:
        """Ask for XML using `tags`."""
        return XML_FORMAT_INSTRUCTIONS.format(tags=self.tags)

    def parse(self, text: str) -> dict[str, Any]:
        """The XML in `text` (bare or in a ```xml fence) as nested dicts and lists."""
        module: Any = _defused() if self.parser == "defusedxml" else ET
        match = _FENCE.search(text)
        if match is not None:
            text = match.group(2)
        encoding = self.encoding_matcher.search(text)
        if encoding:
            text = encoding.group(2)
        text = text.strip()
        try:
            root = module.fromstring(text)
        except ET.ParseError as error:
            raise OutputParserException(
                f"Failed to parse XML format from completion {text}. Got: {error}", llm_output=text
            ) from error
        except ValueError as error:  # defusedxml's EntitiesForbidden, ExternalReferenceForbidden, ...
            raise _refused(error, text) from error
        return _root_to_dict(root)

    def _transform(
        self, chunks: Iterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        streaming = _StreamingParser(self.parser)
        for chunk in chunks:
            yield from streaming.feed(chunk)
        streaming.close()

    async def _atransform(
        self, chunks: AsyncIterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        streaming = _StreamingParser(self.parser)
        async for chunk in chunks:
            for value in streaming.feed(chunk):
                yield value
        streaming.close()

    @property
    def _type(self) -> str:
        return "xml"


def _root_to_dict(root: ET.Element) -> dict[str, Any]:
    if root.text and re.search(r"\S", root.text):
        return {root.tag: root.text}
    children = [{child.tag: child.text} if len(child) == 0 else _root_to_dict(child) for child in root]
    return {root.tag: children}


__all__ = ["XMLOutputParser"]
