"""LengthBasedExampleSelector: as many examples, in order, as fit a length budget.

Each example is formatted with `example_prompt` once, when added, and measured with
`get_text_length` (words by default); selection subtracts the input's length from `max_length`
and takes examples until the next one would not fit, as langchain-core does.
Not here: similarity-based selection (`semantic_similarity`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from runwire._fields import Fields
from runwire.example_selectors.base import BaseExampleSelector


def _get_length_based(text: str) -> int:
    """The number of words: pieces split on spaces and newlines."""
    return len(re.split(r"\n| ", text))


class LengthBasedExampleSelector(Fields, BaseExampleSelector):
    """Select examples, in order, until the prompt would exceed `max_length`."""

    examples: list[dict[str, Any]]
    example_prompt: Any
    """The `PromptTemplate` each example is formatted with to measure it."""
    get_text_length: Callable[[str], int] = _get_length_based
    max_length: int = 2048
    example_text_lengths: list[int] = []  # noqa: RUF012 - a field default, copied per instance

    def model_post_init(self, context: Any, /) -> None:
        if not self.example_text_lengths:
            self.example_text_lengths = [self._length(example) for example in self.examples]

    def _length(self, example: dict[str, Any]) -> int:
        return self.get_text_length(self.example_prompt.format(**example))

    def add_example(self, example: dict[str, str]) -> None:
        """Add `example` (measured now)."""
        self.examples.append(example)
        self.example_text_lengths.append(self._length(example))

    def select_examples(self, input_variables: dict[str, str]) -> list[dict[str, Any]]:
        """The leading examples that fit in `max_length` minus the length of the inputs."""
        remaining = self.max_length - self.get_text_length(" ".join(input_variables.values()))
        chosen: list[dict[str, Any]] = []
        for example, length in zip(self.examples, self.example_text_lengths, strict=False):
            if remaining <= 0 or remaining - length < 0:
                break
            chosen.append(example)
            remaining -= length
        return chosen


__all__ = ["LengthBasedExampleSelector"]
