"""Run context: which run is current in this thread or task, and cheap run ids.

The current run is held in one ContextVar, written only while a run that somebody listens to
executes its body, so a runnable called inside it with no config still nests under it. Threads
from the library's executors and asyncio tasks copy the context; nothing leaks into the next
call because every write is reset when its body returns. Pure bookkeeping, no I/O.
"""

from __future__ import annotations

import random
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from runwire.callbacks.manager import BaseRunManager

current_run: ContextVar[BaseRunManager | None] = ContextVar("runwire_current_run", default=None)
"""The innermost listened-to run executing in this context (None outside any run)."""

_getrandbits = random.getrandbits  # the module instance is re-seeded after fork by `random` itself
_time_ns = time.time_ns
_VERSION_7 = 0x7 << 76
_VARIANT = 0x2 << 62


def new_run_id() -> UUID:
    """A UUIDv7: time-ordered (so stores sort by start), 74 random bits, ~3x cheaper than uuid4."""
    rand = _getrandbits(74)
    value = (
        (_time_ns() // 1_000_000) << 80
        | _VERSION_7
        | (rand >> 62) << 64
        | _VARIANT
        | (rand & 0x3FFF_FFFF_FFFF_FFFF)
    )
    return UUID(int=value)


def get_current_run() -> Any:
    """The run executing in this context, or None."""
    return current_run.get()
