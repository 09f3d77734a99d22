"""List parsers: comma-separated, numbered and Markdown lists of strings.

`invoke` reads a whole text. Streaming yields each item as a one-item list as soon as the
next one has begun (an item is complete only then), as langchain-core does; message chunks
whose content is not a str are skipped.
Not here: lists of JSON values (use JsonOutputParser).
"""

from __future__ import annotations

import csv
import re
from collections.abc import AsyncIterator, Iterator
from io import StringIO
from typing import Any

from runwire.messages import BaseMessage
from runwire.output_parsers.base import BaseTransformOutputParser
from runwire.runnables.config import RunnableConfig


class ListOutputParser(BaseTransformOutputParser[list[str]]):
    """Base of parsers whose output is a list of strings."""

    @property
    def _type(self) -> str:
        return "list"

    def parse_iter(self, text: str) -> Iterator[re.Match[str]]:
        """A match per item of `text` (group 1 is the item); parsers without a pattern raise
        NotImplementedError, and then stream by re-parsing the text so far."""
        raise NotImplementedError

    def _complete(self, buffer: str) -> tuple[list[str], str]:
        """The items of `buffer` known to be complete, and the text still to be read."""
        try:
            matches = list(self.parse_iter(buffer))
        except NotImplementedError:
            parts = self.parse(buffer)
            if len(parts) > 1:
                return parts[:-1], parts[-1]
            return [], buffer
        if len(matches) < 2:
            return [], buffer
        done = matches[:-1]
        return [m.group(1) for m in done], buffer[done[-1].end() :]

    def _transform(
        self, chunks: Iterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        buffer = ""
        for chunk in chunks:
            text = _chunk_text(chunk)
            if text is None:
                continue
            items, buffer = self._complete(buffer + text)
            for item in items:
                yield [item]
        for item in self.parse(buffer):
            yield [item]

    async def _atransform(
        self, chunks: AsyncIterator[Any], config: RunnableConfig | None, run: Any, **kwargs: Any
    ) -> Any:
        buffer = ""
        async for chunk in chunks:
            text = _chunk_text(chunk)
            if text is None:
                continue
            items, buffer = self._complete(buffer + text)
            for item in items:
                yield [item]
        for item in self.parse(buffer):
            yield [item]


def _chunk_text(chunk: Any) -> str | None:
    if isinstance(chunk, BaseMessage):
        return chunk.content if isinstance(chunk.content, str) else None
    if isinstance(chunk, str):
        return chunk
    raise TypeError(
        f"a list parser streams str or message chunks, got {type(chunk).__name__}: {chunk!r:.80}."
    )


class CommaSeparatedListOutputParser(ListOutputParser):
    """`"foo, bar, baz"` -> `["foo", "bar", "baz"]` (CSV rules: quoted items may hold commas)."""

    def get_format_instructions(self) -> str:
        """Ask for comma-separated values."""
        return (
            "Your response should be a list of comma separated values, eg: `foo, bar, baz` or `foo,bar,baz`"
        )

    def parse(self, text: str) -> list[str]:
        """The items, read as one CSV record per line."""
        try:
            reader = csv.reader(StringIO(text), quotechar='"', delimiter=",", skipinitialspace=True)
            return [item for row in reader for item in row]
        except csv.Error:
            return [part.strip() for part in text.split(",")]

    @property
    def _type(self) -> str:
        return "comma-separated-list"


class NumberedListOutputParser(ListOutputParser):
    """`"1. foo\\n2. bar"` -> `["foo", "bar"]`."""

    pattern: str = r"\d+\.\s([^\n]+)"

    def get_format_instructions(self) -> str:
        """Ask for a numbered list."""
        return (
            "Your response should be a numbered list with each item on a new line. "
            "For example: \n\n1. foo\n\n2. bar\n\n3. baz"
        )

    def parse(self, text: str) -> list[str]:
        """The text of each numbered item."""
        return re.findall(self.pattern, text)

    def parse_iter(self, text: str) -> Iterator[re.Match[str]]:
        """A match per numbered item."""
        return re.finditer(self.pattern, text)

    @property
    def _type(self) -> str:
        return "numbered-list"


class MarkdownListOutputParser(ListOutputParser):
    """`"- foo\\n- bar"` -> `["foo", "bar"]`."""

    pattern: str = r"^\s*[-*]\s([^\n]+)$"

    def get_format_instructions(self) -> str:
        """Ask for a Markdown list."""
        return "Your response should be a markdown list, eg: `- foo\n- bar\n- baz`"

    def parse(self, text: str) -> list[str]:
        """The text of each bullet item."""
        return re.findall(self.pattern, text, re.MULTILINE)

    def parse_iter(self, text: str) -> Iterator[re.Match[str]]:
        """A match per bullet item."""
        return re.finditer(self.pattern, text, re.MULTILINE)

    @property
    def _type(self) -> str:
        return "markdown-list"
