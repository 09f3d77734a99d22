"""Tool binding and structured output on chat models: `bind_tools` and `with_structured_output`.

A mixin of BaseChatModel, kept apart so that the run machinery in `chat_models` stays small.
Providers override `bind_tools`; `with_structured_output` builds on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ToolBindingMixin:
    """`bind_tools` / `with_structured_output` for chat models."""

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any) -> Any:
        """A runnable that calls this model with `tools` offered to it."""
        raise NotImplementedError(
            f"{type(self).__name__} does not support tool calling: implement `bind_tools` "
            f"(see ChatOpenAI or GenericFakeChatModel for examples)."
        )

    def with_structured_output(self, schema: Any, *, include_raw: bool = False, **kwargs: Any) -> Any:
        """A runnable returning `schema`-shaped output instead of a message."""
        raise NotImplementedError(f"{type(self).__name__} does not support structured output yet.")
