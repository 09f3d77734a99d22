"""runwire with the LangChain ecosystem: langchain-core runnables inside runwire chains
(`from_langchain`), runwire runnables, chat models and tools inside LangChain and LangGraph
(`to_langchain`), and runwire's tracers for unchanged LangChain apps (`install_tracing`).

One event tree spans the boundary: runwire's handlers hear the langchain runs nested in runwire
runs and langchain's handlers hear runwire's, each receiving its own library's objects. Needs
`pip install "runwire[langchain]"`; `import runwire` never imports this module or langchain-core.
"""

from __future__ import annotations

try:
    import langchain_core  # noqa: F401 - fail here with an install hint, not deep inside a call
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        'runwire.interop.langchain needs langchain-core: pip install "runwire[langchain]"'
    ) from exc

from runwire.interop.langchain._convert import from_lc, to_lc
from runwire.interop.langchain._from import LangChainRunnable, from_langchain
from runwire.interop.langchain._to import RunwireChatModel, RunwireRunnable, RunwireTool, to_langchain
from runwire.interop.langchain._tracing import install_from_env, install_tracing

install_from_env()  # RUNWIRE_TRACE's tracers hear langchain's runs too

__all__ = [
    "LangChainRunnable",
    "RunwireChatModel",
    "RunwireRunnable",
    "RunwireTool",
    "from_langchain",
    "from_lc",
    "install_tracing",
    "to_langchain",
    "to_lc",
]
