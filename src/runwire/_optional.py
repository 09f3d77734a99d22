"""Optional dependencies: one error, naming the install command, when an extra is missing.

runwire's core needs nothing beyond the standard library; schemas (pydantic), OpenTelemetry,
Dask, the providers' SDKs and the local model come with extras. Importing a part that needs a
missing one raises `MissingDependencyError` (a `ModuleNotFoundError`, so `except ImportError`
still works) that says which feature needs which package and the `pip install "runwire[...]"`
that brings it. Not here: the providers' own errors (`runwire.chat_models.errors`), which
subclass `ProviderNotInstalledError` for the same purpose.
"""

from __future__ import annotations

# top-level module -> (PyPI package, runwire extra)
EXTRAS: dict[str, tuple[str, str]] = {
    "pydantic": ("pydantic", "schema"),
    "opentelemetry": ("opentelemetry-api", "otel"),
    "distributed": ("dask[distributed]", "dask"),
    "dask": ("dask[distributed]", "dask"),
    "rich": ("rich", "console"),
    "llama_cpp": ("llama-cpp-python", "local"),
    "anthropic": ("anthropic", "anthropic"),
    "openai": ("openai", "openai"),
    "transformers": ("transformers", "transformers"),
}


class MissingDependencyError(ModuleNotFoundError):
    """A feature needs a package from one of runwire's extras, and it is not installed."""


def missing(exc: ImportError, feature: str) -> ImportError:
    """The error to raise (`from exc`) when `feature` failed to import a dependency. An import
    error about anything but a known optional package is returned unchanged (a real bug)."""
    top = (exc.name or "").partition(".")[0]
    if top not in EXTRAS:
        return exc
    package, extra = EXTRAS[top]
    return MissingDependencyError(
        f"{feature} needs the `{package}` package, which is not installed. "
        f'Install it with: pip install "runwire[{extra}]"',
        name=exc.name,
    )
