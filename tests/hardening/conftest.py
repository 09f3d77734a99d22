"""Shared pieces of the hardening suite: a recorder that keeps every event with the repr of every
argument (for pairing checks and secret scans), and the fuzzing budget.

`RUNWIRE_FUZZ_EXAMPLES` (set by `make fuzz`) raises the number of examples each property tries."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

from runwire.callbacks import BaseCallbackHandler

FUZZ_EXAMPLES = int(os.environ.get("RUNWIRE_FUZZ_EXAMPLES", "60"))
fuzz = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None if FUZZ_EXAMPLES > 1000 else 2000,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=FUZZ_EXAMPLES <= 1000,  # the default suite is deterministic; `make fuzz` explores
)

_STARTS = ("on_chain_start", "on_chat_model_start", "on_llm_start", "on_tool_start", "on_retriever_start")
_ENDS = {
    "on_chain_end": "chain",
    "on_chain_error": "chain",
    "on_llm_end": "llm",
    "on_llm_error": "llm",
    "on_tool_end": "tool",
    "on_tool_error": "tool",
    "on_retriever_end": "retriever",
    "on_retriever_error": "retriever",
}


class Recorder(BaseCallbackHandler):
    """Hears every event; keeps (event, run_id, repr of all args and kwargs)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any, str]] = []

    def _hear(self, event: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.events.append((event, kwargs.get("run_id"), repr(args) + repr(kwargs)))

    @property
    def names(self) -> list[str]:
        return [event for event, _, _ in self.events]

    def text(self) -> str:
        return "\n".join(shown for _, _, shown in self.events)

    def assert_paired(self, *, error: bool) -> None:
        """Every start has exactly one terminal event; with `error`, the root ended in one."""
        started = [run for event, run, _ in self.events if event in _STARTS]
        ended = [run for event, run, _ in self.events if event in _ENDS]
        assert started, "no run started"
        assert sorted(map(str, started)) == sorted(map(str, ended)), self.names
        if error:
            assert self.names[-1].endswith("_error"), self.names


def _method(event: str) -> Any:
    def hear(self: Recorder, *args: Any, **kwargs: Any) -> None:
        self._hear(event, args, kwargs)

    hear.__name__ = event
    return hear


for _event in (
    *_STARTS,
    *_ENDS,
    "on_llm_new_token",
    "on_text",
    "on_retry",
    "on_agent_action",
    "on_agent_finish",
    "on_custom_event",
):
    setattr(Recorder, _event, _method(_event))
