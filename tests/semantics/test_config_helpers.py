"""Config helpers (`ensure_config`, `merge_configs`, `patch_config`, `get_config_list`) and the
config a function receives, as langchain-core 1.8 gives them (issue 21 item 11)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest


def _shape(config: Any) -> dict[str, Any]:
    """A config with its callbacks shown by type (managers differ by identity only)."""
    return {k: (type(v).__name__ if k == "callbacks" else v) for k, v in sorted(config.items())}


def test_function_config_has_every_key_and_a_callback_manager(lib: Any) -> None:
    """A function that declares `config` gets a complete config whose callbacks are a manager,
    with or without handlers, and non-config keys moved into `configurable`."""
    seen: list[Any] = []

    def record(x: int, config: Any) -> int:
        seen.append(config)
        return x

    runnable = lib.RunnableLambda(record)
    runnable.invoke(1)
    runnable.invoke(1, {"tags": ["t"], "configurable": {"x": 3}, "extra_key": 1})
    runnable.with_config(tags=["w"], metadata={"m": 1}).invoke(1)
    assert [_shape(c) for c in seen] == [
        {
            "callbacks": "CallbackManager",
            "configurable": {},
            "metadata": {},
            "recursion_limit": 25,
            "tags": [],
        },
        {
            "callbacks": "CallbackManager",
            "configurable": {"x": 3, "extra_key": 1},
            "metadata": {},
            "recursion_limit": 25,
            "tags": ["t"],
        },
        {
            "callbacks": "CallbackManager",
            "configurable": {},
            "metadata": {"m": 1},
            "recursion_limit": 25,
            "tags": ["w"],
        },
    ]


def test_configurable_model_and_checkpoint_ns_are_copied_into_metadata(lib: Any) -> None:
    """String `model` and `checkpoint_ns` values of `configurable` appear in `metadata` too
    (other keys such as `thread_id` do not); metadata given explicitly wins."""
    config = lib.ensure_config(
        {
            "configurable": {"model": "m", "checkpoint_ns": "c", "thread_id": "t", "n": 1},
            "metadata": {"model": "x"},
        }
    )
    assert config["metadata"] == {"model": "x", "checkpoint_ns": "c"}
    assert lib.ensure_config({"configurable": {"model": 3}})["metadata"] == {}


def test_ensure_config_copies_lists_and_dicts(lib: Any) -> None:
    """The result owns fresh copies of tags, metadata, configurable and a callbacks list."""
    handlers: list[Any] = []
    given = {"tags": ["a"], "metadata": {"k": 1}, "configurable": {"c": 2}, "callbacks": handlers}
    config = lib.ensure_config(given)
    assert config["callbacks"] == handlers
    assert config["callbacks"] is not handlers
    for key in ("tags", "metadata", "configurable"):
        assert config[key] == given[key]
        assert config[key] is not given[key]


def test_merge_configs(lib: Any) -> None:
    """Completed configs merged: tags unioned and sorted, metadata last-writer-wins except the
    `lc_versions` map, which accumulates; the default recursion limit is not copied."""
    merged = lib.merge_configs(
        {"tags": ["b"], "metadata": {"lc_versions": {"core": "1"}, "k": 1}},
        {"tags": ["a"], "metadata": {"lc_versions": {"partner": "2"}, "k": 2}, "recursion_limit": 5},
        None,
    )
    assert _shape(merged) == {
        "configurable": {},
        "metadata": {"k": 2, "lc_versions": {"core": "1", "partner": "2"}},
        "recursion_limit": 5,
        "tags": ["a", "b"],
    }


def test_get_config_list_and_patch_config(lib: Any) -> None:
    """`get_config_list` completes each config and checks the count; `patch_config` replacing
    callbacks drops the run name, which belonged to the old run."""
    configs = lib.get_config_list({"tags": ["x"]}, 2)
    assert [_shape(c) for c in configs] == [
        {"callbacks": "NoneType", "configurable": {}, "metadata": {}, "recursion_limit": 25, "tags": ["x"]}
    ] * 2
    assert configs[0]["tags"] is not configs[1]["tags"]
    with pytest.raises(ValueError, match="2"):
        lib.get_config_list([{}, {}], 3)
    patched = lib.patch_config({"run_name": "n", "max_concurrency": 2}, callbacks=[], recursion_limit=3)
    assert "run_name" not in patched
    assert (patched["recursion_limit"], patched["max_concurrency"], patched["callbacks"]) == (3, 2, [])


def test_batch_as_completed_honours_max_concurrency(lib: Any) -> None:
    """No more than `max_concurrency` inputs run at once; every index is yielded once."""
    running, peak = [0], [0]

    def slow(x: int) -> int:
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        running[0] -= 1
        return x * 10

    runnable = lib.RunnableLambda(slow)
    results = dict(runnable.batch_as_completed([1, 2, 3, 4, 5], {"max_concurrency": 2}))
    assert results == {0: 10, 1: 20, 2: 30, 3: 40, 4: 50}
    assert peak[0] <= 2


def test_abatch_as_completed_honours_max_concurrency(lib: Any) -> None:
    """The async twin: at most `max_concurrency` coroutines in flight."""
    running, peak = [0], [0]

    async def slow(x: int) -> int:
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        await asyncio.sleep(0.01)
        running[0] -= 1
        return x

    async def collect() -> dict[int, Any]:
        runnable = lib.RunnableLambda(slow)
        return {i: out async for i, out in runnable.abatch_as_completed([1, 2, 3, 4], {"max_concurrency": 2})}

    assert asyncio.run(collect()) == {0: 1, 1: 2, 2: 3, 3: 4}
    assert peak[0] <= 2


def test_addable_dict_add_and_aadd(lib: Any) -> None:
    """`AddableDict` adds values key by key; `add`/`aadd` sum any addables."""
    total = lib.AddableDict(a="x", b=None) + {"a": "y", "b": 1, "c": [1]}
    assert total == {"a": "xy", "b": 1, "c": [1]}
    assert isinstance(total, lib.AddableDict)
    assert lib.add(["a", "b", "c"]) == "abc"
    assert lib.add([]) is None

    async def chunks() -> Any:
        for chunk in ([1], [2]):
            yield chunk

    assert asyncio.run(lib.aadd(chunks())) == [1, 2]


def test_function_config_drops_root_only_keys(lib: Any) -> None:
    """`run_name` and `run_id` name the function's own run, so its config has neither; other
    keys given through with_config or at run time reach it, with and without handlers."""
    seen: list[Any] = []

    class Quiet(lib.BaseCallbackHandler):
        def on_chain_start(self, *args: Any, **kwargs: Any) -> None:
            pass

    def record(x: int, config: Any) -> int:
        seen.append(_shape(config))
        return x

    runnable = lib.RunnableLambda(record)
    runnable.with_config(run_name="nm", max_concurrency=3, recursion_limit=7).invoke(
        1, {"run_id": uuid.UUID(int=1)}
    )
    runnable.with_config(run_name="nm").invoke(1, {"callbacks": [Quiet()], "run_id": uuid.UUID(int=2)})
    (lib.RunnableLambda(lambda x: x) | runnable).invoke(
        1, {"run_name": "top", "tags": ["a"], "callbacks": [Quiet()]}
    )
    base = {"callbacks": "CallbackManager", "configurable": {}, "metadata": {}}
    assert seen == [
        {**base, "max_concurrency": 3, "recursion_limit": 7, "tags": []},
        {**base, "recursion_limit": 25, "tags": []},
        {**base, "recursion_limit": 25, "tags": ["a"]},
    ]
