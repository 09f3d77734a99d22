"""langchain-core's import path for the run log: `RunLog`, `RunLogPatch` and the handler that
makes them (implemented in `runwire.runnables.log_stream`, next to `astream_events`)."""

from runwire.runnables.log_stream import LogStreamCallbackHandler, RunLog, RunLogPatch

__all__ = ["LogStreamCallbackHandler", "RunLog", "RunLogPatch"]
