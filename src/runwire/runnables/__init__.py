"""Runnables: the composable units of a pipeline and the combinators that join them.

The rarer names (configurable fields, routers, message history) load on first access."""

from typing import Any

from runwire._not_yet import install_methods as _install_methods
from runwire.runnables.base import Runnable, RunnableSerializable, coerce_to_runnable
from runwire.runnables.binding import RunnableBinding, RunnableBindingBase
from runwire.runnables.branch import RunnableBranch
from runwire.runnables.config import (
    RunnableConfig,
    ensure_config,
    get_config_list,
    merge_configs,
    patch_config,
    run_in_executor,
)
from runwire.runnables.each import RunnableEach
from runwire.runnables.fallbacks import RunnableWithFallbacks
from runwire.runnables.function import RunnableGenerator, RunnableLambda, chain
from runwire.runnables.parallel import RunnableMap, RunnableParallel
from runwire.runnables.passthrough import RunnableAssign, RunnablePassthrough, RunnablePick
from runwire.runnables.retry import RetryState, RunnableRetry
from runwire.runnables.sequence import RunnableSequence
from runwire.runnables.streaming import AddableDict

_LAZY = {
    "ConfigurableField": "utils",
    "ConfigurableFieldMultiOption": "utils",
    "ConfigurableFieldSingleOption": "utils",
    "ConfigurableFieldSpec": "utils",
    "aadd": "utils",
    "add": "utils",
    "RouterInput": "router",
    "RouterRunnable": "router",
    "RunnableWithMessageHistory": "history",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        from runwire._not_yet import missing_attribute  # a langchain-core name runwire lacks: say so

        raise missing_attribute(__name__, name)
    import importlib

    value = getattr(importlib.import_module(f"runwire.runnables.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AddableDict",
    "ConfigurableField",
    "ConfigurableFieldMultiOption",
    "ConfigurableFieldSingleOption",
    "ConfigurableFieldSpec",
    "RetryState",
    "RouterInput",
    "RouterRunnable",
    "Runnable",
    "RunnableAssign",
    "RunnableBinding",
    "RunnableBindingBase",
    "RunnableBranch",
    "RunnableConfig",
    "RunnableEach",
    "RunnableGenerator",
    "RunnableLambda",
    "RunnableMap",
    "RunnableParallel",
    "RunnablePassthrough",
    "RunnablePick",
    "RunnableRetry",
    "RunnableSequence",
    "RunnableSerializable",
    "RunnableWithFallbacks",
    "RunnableWithMessageHistory",
    "aadd",
    "add",
    "chain",
    "coerce_to_runnable",
    "ensure_config",
    "get_config_list",
    "merge_configs",
    "patch_config",
    "run_in_executor",
]


_install_methods(Runnable, "Runnable")  # explaining errors for langchain-core methods not here yet
