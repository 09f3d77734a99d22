"""Tracers: handlers that build, print, collect and store run trees.

* `BaseTracer` builds `Run` trees from callback events (memory bounded by the runs in flight).
* `ConsoleCallbackHandler` prints each trace as a coloured tree, or langchain's lines.
* `RunCollectorCallbackHandler` / `collect_runs()` keep finished traces in memory.
* `SQLiteTracer` records every run into a local SQLite trace store; `TraceStore` reads it and
  the `runwire traces` CLI shows it. `replay_from()` re-runs a recorded run with model replies
  served from the trace.
* `tracing(...)` adds tracers to the runs of a block; `tracing.enable(...)` / `RUNWIRE_TRACE`
  to every run of the process, in every thread; `register_tracer()` and the
  `runwire.tracers` entry point group name third-party ones.
* Content policies (`FULL`, `NONE`, `redacted()`) choose what payloads each handler keeps.

The core (`runwire.callbacks`, `runwire.runnables`) never imports this package. The SQLite and
replay parts load on first use.
"""

from typing import Any

from runwire.callbacks.stdout import StdOutCallbackHandler, StreamingStdOutCallbackHandler
from runwire.callbacks.usage import UsageMetadataCallbackHandler, get_usage_metadata_callback
from runwire.tracers._global import register_tracer, tracing
from runwire.tracers.base import BaseTracer
from runwire.tracers.console import ConsoleCallbackHandler, FunctionCallbackHandler
from runwire.tracers.content import FULL, NONE, ContentPolicy, redacted
from runwire.tracers.progress import ProgressCallbackHandler
from runwire.tracers.run_collector import RunCollectorCallbackHandler, collect_runs
from runwire.tracers.schemas import Run
from runwire.tracers.stdout import FileCallbackHandler

_LAZY = {
    "SQLiteTracer": "runwire.tracers.sqlite",
    "TraceStore": "runwire.tracers.store",
    "replay_from": "runwire.tracers.replay",
    "Replay": "runwire.tracers.replay",
    "ReplayError": "runwire.tracers.replay",
    "LogStreamCallbackHandler": "runwire.tracers.log_stream",
    "RunLog": "runwire.tracers.log_stream",
    "RunLogPatch": "runwire.tracers.log_stream",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        from runwire._not_yet import missing_attribute

        raise missing_attribute(__name__, name)
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "FULL",
    "NONE",
    "BaseTracer",
    "ConsoleCallbackHandler",
    "ContentPolicy",
    "FileCallbackHandler",
    "FunctionCallbackHandler",
    "LogStreamCallbackHandler",
    "ProgressCallbackHandler",
    "Replay",
    "ReplayError",
    "Run",
    "RunCollectorCallbackHandler",
    "RunLog",
    "RunLogPatch",
    "SQLiteTracer",
    "StdOutCallbackHandler",
    "StreamingStdOutCallbackHandler",
    "TraceStore",
    "UsageMetadataCallbackHandler",
    "collect_runs",
    "get_usage_metadata_callback",
    "redacted",
    "register_tracer",
    "replay_from",
    "tracing",
]
