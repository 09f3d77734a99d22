"""Example selectors: choose which few-shot examples go into a prompt.

`LengthBasedExampleSelector` keeps as many examples as fit a length budget;
`SemanticSimilarityExampleSelector` / `MaxMarginalRelevanceExampleSelector` pick the examples
closest to the input through a vector store (module `semantic_similarity`). Names load on first
use, so importing this package costs nothing. Same names as `langchain_core.example_selectors`.
Not here: the few-shot prompts that use them (`runwire.prompts.few_shot`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runwire.example_selectors.base import BaseExampleSelector
    from runwire.example_selectors.length_based import LengthBasedExampleSelector

__all__ = [
    "BaseExampleSelector",
    "LengthBasedExampleSelector",
    "MaxMarginalRelevanceExampleSelector",
    "SemanticSimilarityExampleSelector",
    "sorted_values",
]

# Public name -> the submodule that defines it. The semantic-similarity selectors (module
# `semantic_similarity`) are written alongside the vector stores (branch i16a).
_WHERE = {
    "BaseExampleSelector": "base",
    "LengthBasedExampleSelector": "length_based",
    "MaxMarginalRelevanceExampleSelector": "semantic_similarity",
    "SemanticSimilarityExampleSelector": "semantic_similarity",
    "sorted_values": "semantic_similarity",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'runwire.example_selectors' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"runwire.example_selectors.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
