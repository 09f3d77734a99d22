"""RunnableConfig and its helpers, with langchain-core's names and merge rules.

A config is a plain dict. Combinators hand children a config whose `callbacks` is a manager
attached to the parent run; `ensure_config` also reads the current run from the ContextVar so
code called with no config still sees its parent. Executors here copy the context into their
threads and are shared per process (no pool per call). Not here: opening runs (see callbacks).
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, cast

from runwire.callbacks.context import current_run
from runwire.callbacks.manager import CallbackManager

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from runwire.runnables.executors import ContextThreadPoolExecutor

T = TypeVar("T")

DEFAULT_RECURSION_LIMIT = 25


class RunnableConfig(TypedDict, total=False):
    """Per-call options; every key is optional."""

    tags: list[str]
    metadata: dict[str, Any]
    callbacks: Any
    run_name: str
    max_concurrency: int | None
    recursion_limit: int
    configurable: dict[str, Any]
    run_id: Any


CONFIG_KEYS = frozenset(RunnableConfig.__annotations__)


def ensure_config(config: RunnableConfig | None = None) -> RunnableConfig:
    """A complete config: defaults, then the current run's child config, then `config` key by key.

    As in langchain-core, lists and dicts are fresh copies (a callee may mutate them), keys that
    are not config keys go to `configurable`, and string `model` / `checkpoint_ns` values of
    `configurable` are copied into `metadata` unless it has them.
    """
    out: dict[str, Any] = {
        "tags": [],
        "metadata": {},
        "callbacks": None,
        "recursion_limit": DEFAULT_RECURSION_LIMIT,
        "configurable": {},
    }
    parent = current_run.get()
    if parent is not None:
        out["callbacks"] = parent.get_child()
        out["tags"] = list(parent._inh_tags)
        out["metadata"] = dict(parent._inh_md)
        out.update({k: _copied(k, v) for k, v in parent._cfg.items() if v is not None})
    elif (ambient := ambient_config.get()) is not None:
        _merge_ambient(out, ambient)
    if config:
        callbacks = config.get("callbacks")
        if isinstance(callbacks, CallbackManager) and "tags" not in config:
            out["tags"] = list(callbacks.inheritable_tags)
            out["metadata"] = dict(callbacks.inheritable_metadata)
        for key, value in cast(dict[str, Any], config).items():
            if value is None:
                continue
            if key in CONFIG_KEYS:
                out[key] = _copied(key, value)
            else:
                out["configurable"] = {**out["configurable"], key: value}
    configurable = out["configurable"]
    if configurable:
        for key in _METADATA_FROM_CONFIGURABLE:
            value = configurable.get(key)
            if isinstance(value, str) and key not in out["metadata"]:
                out["metadata"] = {**out["metadata"], key: value}
    return out  # type: ignore[return-value]


_METADATA_FROM_CONFIGURABLE = ("model", "checkpoint_ns")


def _copied(key: str, value: Any) -> Any:
    if key == "tags" or (key == "callbacks" and isinstance(value, list)):
        return list(value)
    if key in {"metadata", "configurable"}:
        return dict(value)
    return value


def config_for_function(config: RunnableConfig | None, run: Any) -> RunnableConfig:
    """The config a user function that declares `config` receives: complete, with `callbacks`
    always a CallbackManager attached under `run` (langchain-core's `run_manager.get_child()`)."""
    out = ensure_config(child_config(config, run))
    callbacks = out["callbacks"]
    if not isinstance(callbacks, CallbackManager):  # None or a list: no run was opened
        handlers = list(callbacks) if callbacks else []
        out["callbacks"] = CallbackManager._unattached(handlers, list(out["tags"]), dict(out["metadata"]))
    return out


ambient_config: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "runwire_ambient_config", default=None
)
"""The config of the function (lambda, tool) running now when no run carries it (nobody listens):
what `ensure_config()` inside the function reads, as langchain-core's child-config ContextVar."""


def _merge_ambient(out: dict[str, Any], ambient: dict[str, Any]) -> None:
    for key, value in ambient.items():
        if value is None or key in {"run_name", "run_id"}:
            continue
        if key == "tags":
            out[key] = list(value)
        elif key in {"metadata", "configurable"}:
            out[key] = dict(value)
        elif key in CONFIG_KEYS:
            out[key] = value


def patch_config(
    config: RunnableConfig | None,
    *,
    callbacks: Any = None,
    recursion_limit: int | None = None,
    max_concurrency: int | None = None,
    run_name: str | None = None,
    configurable: dict[str, Any] | None = None,
) -> RunnableConfig:
    """A copy of `config` with some keys replaced. Replacing callbacks drops run_name and run_id,
    which belong to the run that received them."""
    out: dict[str, Any] = dict(ensure_config(config))
    if callbacks is not None:
        out["callbacks"] = callbacks
        out.pop("run_name", None)
        out.pop("run_id", None)
    if recursion_limit is not None:
        out["recursion_limit"] = recursion_limit
    if max_concurrency is not None:
        out["max_concurrency"] = max_concurrency
    if run_name is not None:
        out["run_name"] = run_name
    if configurable is not None:
        out["configurable"] = {**out.get("configurable", {}), **configurable}
    return out  # type: ignore[return-value]


def _merge_callbacks(base: Any, more: Any) -> Any:
    if base is None:
        return more
    if more is None:
        return base
    if isinstance(base, CallbackManager):
        if isinstance(more, CallbackManager):
            return base.merge(more)
        merged = base.copy()
        for handler in more:
            merged.add_handler(handler, inherit=True)
        return merged
    if isinstance(more, CallbackManager):
        merged = more.copy()
        for handler in base:
            merged.add_handler(handler, inherit=True)
        return merged
    out = list(base)
    out.extend(h for h in more if not any(h is seen for seen in out))  # one object hears once
    return out


def merge_configs(*configs: RunnableConfig | None) -> RunnableConfig:
    """langchain-core's `merge_configs`: each config completed (`ensure_config`), later ones win
    key by key; tags are unioned (sorted), metadata merged (nested `lc_versions` maps too),
    configurable merged, callbacks combined."""
    return merge_config_dicts(*(ensure_config(c) for c in configs if c is not None))


def merge_config_dicts(*configs: RunnableConfig | None) -> RunnableConfig:
    """`merge_configs` without completing each config first (what bindings use per call)."""
    out: dict[str, Any] = {}
    for config in configs:
        if not config:
            continue
        for key, value in cast(dict[str, Any], config).items():
            if key == "tags":
                out["tags"] = sorted({*out.get("tags", ()), *(value or ())})
            elif key == "metadata":
                out[key] = _merge_metadata(out.get(key, {}), value or {})
            elif key == "configurable":
                out[key] = {**out.get(key, {}), **(value or {})}
            elif key == "callbacks":
                merged = _merge_callbacks(out.get("callbacks"), value)
                if merged is not None:
                    out["callbacks"] = merged
            elif key == "recursion_limit":
                if value != DEFAULT_RECURSION_LIMIT:
                    out[key] = value
            else:
                out[key] = value or out.get(key)
    return out  # type: ignore[return-value]


def _merge_metadata(base: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    # Last writer wins, except langchain's `lc_versions` map, which accumulates package versions.
    merged = {**base, **more}
    base_versions, more_versions = base.get("lc_versions"), more.get("lc_versions")
    if isinstance(more_versions, Mapping):
        merged["lc_versions"] = {
            **(base_versions if isinstance(base_versions, Mapping) else {}),
            **more_versions,
        }
    elif "lc_versions" not in more and isinstance(base_versions, Mapping):
        merged["lc_versions"] = {**base_versions}
    return merged


def config_list(
    config: RunnableConfig | Sequence[RunnableConfig] | None, length: int
) -> list[RunnableConfig]:
    """One config per input, as given (batch uses this: `invoke` completes each config itself).
    A list must match `length`; a single config is shared (its run_id goes to the first input
    only, as ids must be unique)."""
    if length < 0:
        raise ValueError(f"length must be >= 0, got {length}")
    if isinstance(config, Sequence) and not isinstance(config, dict):
        if len(config) != length:
            raise ValueError(
                "config must be a list of the same length as inputs, but got "
                f"{len(config)} configs for {length} inputs: pass one config, or exactly one per input"
            )
        return list(config)
    if length > 1 and config is not None and config.get("run_id") is not None:
        import warnings

        warnings.warn(
            "a single config with run_id was given for several inputs; the run_id is used for the "
            "first input only. Pass one config per input to set each run's id.",
            RuntimeWarning,
            stacklevel=3,
        )
        rest: dict[str, Any] = {k: v for k, v in config.items() if k != "run_id"}
        return [config, *([rest] * (length - 1))]  # type: ignore[list-item]
    return [config if config is not None else {} for _ in range(length)]  # type: ignore[misc]


def get_config_list(
    config: RunnableConfig | Sequence[RunnableConfig] | None, length: int
) -> list[RunnableConfig]:
    """langchain-core's `get_config_list`: one complete config per input (see `config_list`)."""
    return [ensure_config(c) for c in config_list(config, length)]


def get_callback_manager_for_config(config: RunnableConfig) -> CallbackManager:
    """The manager a run under `config` would attach to."""
    callbacks = ensure_config(config).get("callbacks")
    if isinstance(callbacks, CallbackManager):
        return callbacks
    return CallbackManager.configure(
        callbacks, None, inheritable_tags=config.get("tags"), inheritable_metadata=config.get("metadata")
    )


# ---------------------------------------------------------------------------------------------
# Threads that keep the run context


def shared_executor() -> ContextThreadPoolExecutor:
    """The process-wide pool used by batch and parallel steps (created on first use)."""
    from runwire.runnables.executors import shared_executor as shared

    return shared()


def __getattr__(name: str) -> Any:
    # `concurrent.futures` costs ~4 ms to import (it loads logging); only pay it when used.
    if name == "ContextThreadPoolExecutor":
        from runwire.runnables.executors import ContextThreadPoolExecutor

        return ContextThreadPoolExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_executor_for_config(config: RunnableConfig | None = None) -> Executor:  # noqa: ARG001
    """The shared context-copying executor (kept for langchain compatibility)."""
    return shared_executor()


async def run_in_executor(
    executor_or_config: Executor | RunnableConfig | None, func: Callable[..., T], *args: Any, **kwargs: Any
) -> T:
    """Run `func` in a thread with the caller's context; a StopIteration becomes RuntimeError.

    A thread cannot be interrupted: if the awaiting task is cancelled, this waits for `func` to
    return before re-raising, so runs `func` opened end before the run that awaited it.
    """
    import asyncio

    def wrapper() -> T:
        try:
            return func(*args, **kwargs)
        except StopIteration as exc:
            raise RuntimeError from exc

    ctx = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    from concurrent.futures import Executor

    executor = executor_or_config if isinstance(executor_or_config, Executor) else None
    future = loop.run_in_executor(executor, ctx.run, wrapper)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])  # a second cancel while waiting gives up waiting
        raise


async def gather_or_cancel(*coros: Any, return_exceptions: bool = False) -> list[Any]:
    """`asyncio.gather`, but when it fails or is cancelled, the other awaitables are cancelled
    and awaited before the error propagates, so every child run ends before its parent."""
    import asyncio

    tasks = [asyncio.ensure_future(coro) for coro in coros]
    try:
        return list(await asyncio.gather(*tasks, return_exceptions=return_exceptions))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)
        raise


def child_config(config: RunnableConfig | None, run: Any, tag: str | None = None) -> Any:
    """The config to invoke a child with: attached to `run`, or `config` minus root-only keys."""
    if run is not None:
        return run.child_config(tag)
    if config and ("run_name" in config or "run_id" in config):
        return {k: v for k, v in config.items() if k not in {"run_name", "run_id"}}
    return config


_HELPER_TICK = 0.001  # seconds a task may run before helper threads are brought in


def run_all(tasks: Sequence[Callable[[], T]], max_concurrency: int | None = None) -> list[T | BaseException]:
    """Run `tasks`, returning results or exceptions in order, up to `max_concurrency` at once.

    The caller works through the tasks itself; helper threads from the shared pool join only
    once some task has been running for a millisecond (it is waiting on I/O), so CPU-bound work
    (formatting, parsing, fake models) pays no thread hand-offs and no GIL contention, while
    slow calls still run concurrently. Nested fan-outs never deadlock on a busy pool: every task
    waited for has been claimed by a thread that is running it.
    """
    count = len(tasks)
    results: list[Any] = [None] * count
    lock = threading.Lock()
    next_index = [0]
    remaining = [count]
    all_done = threading.Event()

    def work() -> None:
        while True:
            with lock:
                index = next_index[0]
                if index >= count:
                    return
                next_index[0] = index + 1
            try:
                results[index] = tasks[index]()
            except BaseException as exc:  # stored, so the waiter is always released
                results[index] = exc
            with lock:
                remaining[0] -= 1
                if remaining[0] == 0:
                    all_done.set()

    helpers = min(count, max_concurrency or count) - 1
    if helpers > 0:
        pool = shared_executor()

        def watch() -> None:
            finished_before = -1
            while not all_done.wait(_HELPER_TICK):
                finished = count - remaining[0]
                if finished == finished_before:  # no task finished for a whole tick: one is waiting
                    for _ in range(min(helpers, count - next_index[0])):
                        pool.submit(work)
                    return
                finished_before = finished

        pool.submit(watch)
    work()
    all_done.wait()
    return results
