"""List parsers: comma-separated, numbered and Markdown lists of strings.

Each reads a whole text; yielding items as they stream in comes with `transform`, later.
Not here: lists of JSON values (use JsonOutputParser).
"""

from __future__ import annotations

import csv
import re
from io import StringIO

from runwire.output_parsers.base import BaseTransformOutputParser


class ListOutputParser(BaseTransformOutputParser[list[str]]):
    """Base of parsers whose output is a list of strings."""

    @property
    def _type(self) -> str:
        return "list"


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

    @property
    def _type(self) -> str:
        return "markdown-list"
