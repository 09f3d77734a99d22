"""runwire's tracers for every LangChain and LangGraph run, without changing the app.

`install_tracing("sqlite", "console")` registers each tracer through langchain-core's configure
hook (`langchain_core.tracers.context.register_configure_hook`), so every langchain
`CallbackManager` (every runnable, graph and node run) includes it; the same tracers are added
to runwire's own runs in this context. `RUNWIRE_TRACE=...` does this when runwire and
langchain-core are both imported, and `runwire run -- python app.py` for an unchanged program.
Not here: the tracers themselves (`runwire.tracers`).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from runwire.interop.langchain._bridge import heard_by_runwire

_installed: list[Any] = []


def install_tracing(*tracers: Any, content: Any = None) -> list[Any]:
    """Record every langchain-core (and runwire) run with `tracers`: specs as in RUNWIRE_TRACE
    (`"sqlite:PATH"`, `"console"`, ...) or handler objects; default: the SQLite store.
    Process-wide and permanent for langchain runs (langchain-core has no unregister); returns
    the handlers."""
    from runwire.callbacks.context import scoped_handlers
    from runwire.tracers._global import from_spec

    handlers = [from_spec(t, content) if isinstance(t, str) else t for t in tracers or ("sqlite",)]
    added = [h for h in handlers if _register(h)]
    if added:
        scoped_handlers.set((*scoped_handlers.get(), *added))
    return handlers


def install_from_env() -> None:
    """The tracers RUNWIRE_TRACE made when runwire was imported, for langchain's runs too."""
    import runwire

    for handler in getattr(runwire, "_env_tracers", ()):
        _register(handler)


def _register(handler: Any) -> bool:
    if any(handler is seen for seen in _installed):
        return False
    from langchain_core.tracers.context import register_configure_hook

    # A ContextVar's default is seen by every thread and task: langchain adds the handler to
    # each manager it configures (by identity, so never twice). The default is the point here.
    wrapped = heard_by_runwire(handler)
    var: ContextVar[Any] = ContextVar(f"runwire_trace_{len(_installed)}", default=wrapped)
    register_configure_hook(var, inheritable=True)
    _installed.append(handler)
    return True
