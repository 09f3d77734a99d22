"""BaseExampleSelector: the interface few-shot prompts use to choose their examples.

Two required methods, `add_example` and `select_examples`; the async twins call them inline
(selecting does no I/O in the built-in selectors). Not here: concrete selectors.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any


class BaseExampleSelector(ABC):
    """Chooses the examples (dicts of variables) to put in a prompt for given input variables."""

    @abstractmethod
    def add_example(self, example: dict[str, str]) -> Any:
        """Add `example` to the pool."""

    async def aadd_example(self, example: dict[str, str]) -> Any:
        """`add_example`, inline."""
        return self.add_example(example)

    @abstractmethod
    def select_examples(self, input_variables: dict[str, str]) -> list[dict[str, Any]]:
        """The examples to use for these input variables."""

    async def aselect_examples(self, input_variables: dict[str, str]) -> list[dict[str, Any]]:
        """`select_examples`, inline."""
        return self.select_examples(input_variables)


__all__ = ["BaseExampleSelector"]
