"""`langchain_core.utils.mustache`'s import path: `render`, `tokenize`, `ChevronError`.

The renderer lives in `runwire.prompts._mustache` (see there for the rules it follows).
"""

from runwire.prompts._mustache import ChevronError, render, tokenize

__all__ = ["ChevronError", "render", "tokenize"]
