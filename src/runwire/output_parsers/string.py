"""StrOutputParser: a model output as plain text (a message's text, or the str itself).

Not here: any cleanup of the text (stripping, unfencing); other parsers do that.
"""

from __future__ import annotations

from typing import Any

from runwire.messages import BaseMessage
from runwire.output_parsers.base import BaseTransformOutputParser, output_text


class StrOutputParser(BaseTransformOutputParser[str]):
    """The text of a model output: `prompt | model | StrOutputParser()` gives a str."""

    def _parse_output(self, output: Any) -> str:
        if output.__class__ is str:
            return output
        if isinstance(output, BaseMessage) and isinstance(output.content, str):
            return output.content
        return output_text(output, self)

    def parse(self, text: str) -> str:
        """`text`, unchanged."""
        return text

    @property
    def _type(self) -> str:
        return "default"
