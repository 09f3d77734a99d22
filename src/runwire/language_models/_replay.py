"""Replay hook: lets a recorded trace answer chat-model calls (see `runwire.tracers.replay`).

`enter(source)` opens a replay scope in the caller's context. The chat model base reads the
module attribute `active` first and consults the `source` ContextVar only while some scope is
open anywhere in the process, so a call made with no replay costs one attribute read.
Not here: where recordings come from or how they are matched (`runwire.tracers.replay`).
"""

from __future__ import annotations

import threading
from contextvars import ContextVar, Token
from typing import Any, Protocol


class ReplaySource(Protocol):
    def next_result(self, model: Any, messages: list[Any]) -> Any:
        """The recorded ChatResult for this call, or None to call the model."""


active = 0
"""Number of replay scopes open in this process (0: chat models never look further)."""

source: ContextVar[ReplaySource | None] = ContextVar("runwire_replay_source", default=None)
_lock = threading.Lock()


def recorded(model: Any, messages: list[Any]) -> Any:
    """The recorded result for this call in this context, or None."""
    current = source.get()
    return None if current is None else current.next_result(model, messages)


def replaying() -> bool:
    return bool(active) and source.get() is not None


def enter(replay: ReplaySource) -> Token[ReplaySource | None]:
    global active
    with _lock:
        active += 1
    return source.set(replay)


def leave(token: Token[ReplaySource | None]) -> None:
    global active
    source.reset(token)
    with _lock:
        active -= 1
