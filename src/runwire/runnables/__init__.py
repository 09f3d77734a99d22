"""Runnables: the composable units of a pipeline and the combinators that join them."""

from runwire._not_yet import install_methods as _install_methods
from runwire.runnables.base import Runnable, RunnableSerializable, coerce_to_runnable
from runwire.runnables.binding import RunnableBinding
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

__all__ = [
    "RetryState",
    "Runnable",
    "RunnableAssign",
    "RunnableBinding",
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
    "chain",
    "coerce_to_runnable",
    "ensure_config",
    "get_config_list",
    "merge_configs",
    "patch_config",
    "run_in_executor",
]


_install_methods(Runnable, "Runnable")  # explaining errors for langchain-core methods not here yet


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
