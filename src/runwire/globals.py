"""Process settings with langchain-core's names: `set_debug` / `get_debug`, `set_verbose` /
`get_verbose`, and the default LLM cache (`set_llm_cache` / `get_llm_cache`).

`set_debug(True)` prints every run the way langchain-core's debug mode does (`[chain/start]
[chain:RunnableSequence > ...] Entering Chain run with input:` and the payload as JSON): it adds a
`ConsoleCallbackHandler(style="lines")` to the process-wide handlers every root run reads, so with
debug off a call costs exactly what it did before. Like langchain-core's flag (and like
`RUNWIRE_TRACE`), the setting is process-wide: runs in every thread print.
`set_verbose` only records the flag, as in langchain-core, where it is a default that legacy
chains read. Models whose `cache` is None use the default LLM cache; `cache=False` opts out.
Not here: tracing configuration (see `runwire.tracers`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runwire.callbacks.context import process_handlers

if TYPE_CHECKING:
    from runwire.caches import BaseCache

__all__ = ["get_debug", "get_llm_cache", "get_verbose", "set_debug", "set_llm_cache", "set_verbose"]

_debug_handler: Any = None
_verbose = False
_llm_cache: BaseCache | None = None


def set_debug(value: bool) -> None:
    """Print every run's start and end (inputs and outputs as JSON) while `value` is true."""
    global _debug_handler
    if value and _debug_handler is None:
        from runwire.tracers.console import ConsoleCallbackHandler

        _debug_handler = ConsoleCallbackHandler(style="lines")
        process_handlers[:] = [*process_handlers, _debug_handler]  # one assignment, as tracing does
    elif not value and _debug_handler is not None:
        process_handlers[:] = [h for h in process_handlers if h is not _debug_handler]
        _debug_handler = None


def get_debug() -> bool:
    """Whether debug printing is on."""
    return _debug_handler is not None


def set_verbose(value: bool) -> None:
    """Set the verbose flag (read by components that print in verbose mode)."""
    global _verbose
    _verbose = bool(value)


def get_verbose() -> bool:
    """The verbose flag."""
    return _verbose


def set_llm_cache(value: BaseCache | None) -> None:
    """Make `value` the cache every model without its own `cache=` uses (None: no cache)."""
    global _llm_cache
    _llm_cache = value


def get_llm_cache() -> BaseCache | None:
    """The default LLM cache, or None."""
    return _llm_cache
