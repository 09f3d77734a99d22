"""runwire: LLM pipelines with langchain-core's surface and a callback runtime that costs
almost nothing when nobody listens. Import from the submodules (`runwire.runnables`,
`runwire.prompts`, ...); this package itself imports nothing heavy."""

import os as _os

from runwire._not_yet import install_module_finder as _install_module_finder

__version__ = "0.1.0"

TYPE_CHECKING = False  # `typing` is not needed to import runwire
if TYPE_CHECKING:
    from runwire.tracers._global import tracing as tracing

# RUNWIRE_TRACE=sqlite[:PATH],console adds tracers to every run (runwire.tracers._global): read
# once, here, so the core never imports tracers and an unset variable costs nothing per call.
if _os.environ.get("RUNWIRE_TRACE"):
    import sys as _sys

    from runwire.tracers._global import activate_from_env as _activate

    _env_tracers = _activate()
    if "langchain_core" in _sys.modules:  # langchain's runs too (runwire.interop.langchain)
        import runwire.interop.langchain  # noqa: F401 - importing it installs the tracers


_install_module_finder()  # `import runwire.indexing` (a langchain-core module not here yet) says so


def __getattr__(name: str) -> object:
    if name == "tracing":  # `with runwire.tracing("sqlite", "console"):`, loaded on first use
        from runwire.tracers._global import tracing

        return tracing
    from runwire._not_yet import missing_attribute  # `from runwire import indexing` says it is not here yet

    raise missing_attribute(__name__, name)
