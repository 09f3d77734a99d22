"""Scoping tracers to a block, under langchain's module path (`tracers.context.collect_runs`)."""

from runwire.tracers._global import tracing
from runwire.tracers.run_collector import collect_runs

__all__ = ["collect_runs", "tracing"]
