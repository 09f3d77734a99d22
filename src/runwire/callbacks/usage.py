"""Token usage per model: `UsageMetadataCallbackHandler` and `get_usage_metadata_callback()`.

Usage is summed from each model run's `AIMessage.usage_metadata`, keyed by the model name in
`response_metadata` (`model_name`, else `model`), or by `UNKNOWN_MODEL` when the provider gave
none: langchain-core silently drops those. The context manager scopes the handler with a
ContextVar that is reset on exit, so using it any number of times leaves no global state.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from runwire.callbacks.base import BaseCallbackHandler
from runwire.callbacks.context import push_scoped, scoped_handlers

UNKNOWN_MODEL = "unknown"


class UsageMetadataCallbackHandler(BaseCallbackHandler):
    """Sums usage metadata per model across every model run it hears (thread-safe)."""

    payloads_read_only = True  # reads what it is given, never edits it: no copies needed

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.usage_metadata: dict[str, Any] = {}

    def __repr__(self) -> str:
        return str(self.usage_metadata)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        from runwire.messages import add_usage

        for generations in response.generations:
            for generation in generations:
                message = getattr(generation, "message", None)
                usage = getattr(message, "usage_metadata", None)
                if not usage:
                    continue
                metadata = message.response_metadata  # type: ignore[union-attr]
                model = metadata.get("model_name") or metadata.get("model") or UNKNOWN_MODEL
                with self._lock:
                    self.usage_metadata[model] = add_usage(self.usage_metadata.get(model), usage)


@contextmanager
def get_usage_metadata_callback(
    name: str = "usage_metadata_callback",
) -> Iterator[UsageMetadataCallbackHandler]:
    """Within the block, every run reports its usage to the yielded handler."""
    del name  # langchain-core's signature: it names a global hook; a ContextVar needs no name
    handler = UsageMetadataCallbackHandler()
    token = push_scoped(handler)
    try:
        yield handler
    finally:
        scoped_handlers.reset(token)
