"""The run tree: parents across combinators, threads and tasks; root-only keys; no leaks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from runwire.callbacks import BaseCallbackHandler
from runwire.runnables import RunnableLambda, RunnableParallel
from runwire.runnables.config import ContextThreadPoolExecutor

from .recorder import Recorder


@pytest.fixture(params=["invoke", "ainvoke"])
def call(request: pytest.FixtureRequest) -> Any:
    """Invoke a runnable through the sync or the async path."""

    def run(runnable: Any, value: Any, config: Any = None) -> Any:
        if request.param == "invoke":
            return runnable.invoke(value, config)
        return asyncio.run(runnable.ainvoke(value, config))

    return run


def test_retry_fires_on_retry_per_failed_attempt_with_attempt_tags(call: Any) -> None:
    """Each failed attempt is a child with `retry:attempt:N` (N>=2) and fires `on_retry` on the retry run."""
    attempts = {"n": 0}

    def flaky(x: int) -> int:
        attempts["n"] += 1
        if attempts["n"] < 3:
            raise ConnectionError(f"try {attempts['n']}")
        return x + 4

    recorder = Recorder()
    step = RunnableLambda(flaky).with_retry(stop_after_attempt=3, wait_exponential_jitter=False)
    assert call(step, 1, {"callbacks": [recorder]}) == 5
    assert recorder.trace() == [
        "on_chain_start flaky R1<-None []",
        "on_chain_start flaky R2<-R1 []",
        "on_chain_error R2<-R1 []",
        "on_retry R1<-None []",
        "on_chain_start flaky R3<-R1 ['retry:attempt:2']",
        "on_chain_error R3<-R1 ['retry:attempt:2']",
        "on_retry R1<-None []",
        "on_chain_start flaky R4<-R1 ['retry:attempt:3']",
        "on_chain_end R4<-R1 ['retry:attempt:3']",
        "on_chain_end R1<-None []",
    ]
    states = [kw["args"][0] for kw in recorder.kwargs if kw["event"] == "on_retry"]
    assert [s.attempt_number for s in states] == [1, 2]
    assert str(states[0].outcome.exception()) == "try 1"


def test_retry_gives_up_after_the_last_attempt_with_the_last_error(call: Any) -> None:
    """After `stop_after_attempt` failures the last error reaches the caller; no on_retry after the last."""
    recorder = Recorder()

    def always(x: int) -> int:
        raise TimeoutError("down")

    step = RunnableLambda(always).with_retry(stop_after_attempt=2, wait_exponential_jitter=False)
    with pytest.raises(TimeoutError):
        call(step, 1, {"callbacks": [recorder]})
    assert [e[0] for e in recorder.events].count("on_retry") == 1
    recorder.check_pairing()


def test_retry_does_not_retry_other_exception_types(call: Any) -> None:
    """Only `retry_if_exception_type` errors are retried."""
    attempts = {"n": 0}

    def bad(x: int) -> int:
        attempts["n"] += 1
        raise KeyError("no")

    step = RunnableLambda(bad).with_retry(
        retry_if_exception_type=(ValueError,), wait_exponential_jitter=False
    )
    with pytest.raises(KeyError):
        call(step, 1)
    assert attempts["n"] == 1


def test_fallbacks_children_are_children_of_the_fallbacks_run(call: Any) -> None:
    """Both the failing primary and the fallback hang under RunnableWithFallbacks (langchain #36072)."""

    def primary(x: int) -> int:
        raise RuntimeError("primary down")

    def backup(x: int) -> str:
        return "fallback-ok"

    recorder = Recorder()
    step = RunnableLambda(primary).with_fallbacks([RunnableLambda(backup)])
    assert call(step, 1, {"callbacks": [recorder]}) == "fallback-ok"
    assert recorder.trace() == [
        "on_chain_start RunnableWithFallbacks R1<-None []",
        "on_chain_start primary R2<-R1 []",
        "on_chain_error R2<-R1 []",
        "on_chain_start backup R3<-R1 []",
        "on_chain_end R3<-R1 []",
        "on_chain_end R1<-None []",
    ]


def test_fallbacks_exception_key_passes_the_error_on(call: Any) -> None:
    """With `exception_key`, the next fallback gets the previous error in its input dict."""

    def primary(d: dict[str, Any]) -> str:
        raise ValueError("bad")

    def backup(d: dict[str, Any]) -> str:
        return f"recovered from {d['error']!r}"

    step = RunnableLambda(primary).with_fallbacks([RunnableLambda(backup)], exception_key="error")
    assert call(step, {"q": 1}) == "recovered from ValueError('bad')"


def test_all_fallbacks_failing_raises_the_first_error(call: Any) -> None:
    """When every runnable fails, the primary's error is raised."""

    def first(x: int) -> int:
        raise ValueError("first")

    def second(x: int) -> int:
        raise ValueError("second")

    with pytest.raises(ValueError, match="first"):
        call(RunnableLambda(first).with_fallbacks([RunnableLambda(second)]), 1)


def test_lambda_in_context_thread_pool_nests_under_the_lambda() -> None:
    """A runnable run by a ContextThreadPoolExecutor inside a lambda is the lambda's child."""
    inner = RunnableLambda(lambda x: x + 1)

    def outer(x: int) -> int:
        with ContextThreadPoolExecutor(max_workers=2) as pool:
            return pool.submit(inner.invoke, x).result()

    recorder = Recorder()
    RunnableLambda(outer).invoke(1, {"callbacks": [recorder]})
    assert recorder.trace() == [
        "on_chain_start outer R1<-None []",
        "on_chain_start RunnableLambda R2<-R1 []",
        "on_chain_end R2<-R1 []",
        "on_chain_end R1<-None []",
    ]


async def test_runnables_in_asyncio_tasks_nest_under_the_async_lambda() -> None:
    """Tasks created inside an async lambda inherit the run: their runnables are its children."""
    inner = RunnableLambda(lambda x: x + 1)

    async def outer(x: int) -> list[int]:
        return list(await asyncio.gather(inner.ainvoke(x), inner.ainvoke(x + 1)))

    recorder = Recorder()
    assert await RunnableLambda(outer).ainvoke(1, {"callbacks": [recorder]}) == [2, 3]
    trace = recorder.trace()
    assert trace[0] == "on_chain_start outer R1<-None []"
    assert sorted(trace[1:-1]) == sorted(
        [
            "on_chain_start RunnableLambda R2<-R1 []",
            "on_chain_end R2<-R1 []",
            "on_chain_start RunnableLambda R3<-R1 []",
            "on_chain_end R3<-R1 []",
        ]
    )
    assert trace[-1] == "on_chain_end R1<-None []"


def test_batch_gives_independent_roots_and_honours_per_input_configs() -> None:
    """`batch` makes one root per input; a list of configs applies one per input."""
    recorder_a, recorder_b = Recorder(), Recorder()
    chain = RunnableLambda(lambda x: x + 1) | RunnableLambda(lambda x: x * 2)
    assert chain.batch([1, 2], [{"callbacks": [recorder_a]}, {"callbacks": [recorder_b]}]) == [4, 6]
    for recorder in (recorder_a, recorder_b):
        assert recorder.trace() == [
            "on_chain_start RunnableSequence R1<-None []",
            "on_chain_start RunnableLambda R2<-R1 ['seq:step:1']",
            "on_chain_end R2<-R1 ['seq:step:1']",
            "on_chain_start RunnableLambda R3<-R1 ['seq:step:2']",
            "on_chain_end R3<-R1 ['seq:step:2']",
            "on_chain_end R1<-None []",
        ]


def test_nested_fan_out_never_deadlocks_on_the_shared_pool() -> None:
    """A parallel step inside a wide batch, inside another parallel, completes (the caller helps)."""
    leaf = RunnableParallel({f"k{i}": RunnableLambda(lambda x, i=i: x + i) for i in range(8)})
    middle = RunnableLambda(lambda x: sum(leaf.batch([x] * 40, {"max_concurrency": 40})[0].values()))
    outer = RunnableParallel({f"o{i}": middle for i in range(8)})
    assert outer.batch(list(range(20)), {"max_concurrency": 20})[3] == {f"o{i}": 8 * 3 + 28 for i in range(8)}


def test_nothing_leaks_into_the_next_call() -> None:
    """After a run with a handler, a plain call on the same thread reaches no handler."""
    recorder = Recorder()
    inner = RunnableLambda(lambda x: x)
    RunnableLambda(lambda x: inner.invoke(x)).invoke(1, {"callbacks": [recorder]})
    count = len(recorder.events)
    inner.invoke(2)
    RunnableLambda(lambda x: inner.invoke(x)).invoke(3)
    assert len(recorder.events) == count


def test_run_name_and_run_id_apply_to_the_root_only() -> None:
    """`run_name` renames and `run_id` identifies only the run that received the config."""
    from runwire.callbacks.context import new_run_id

    root_id = new_run_id()
    recorder = Recorder()
    chain = RunnableLambda(lambda x: x) | RunnableLambda(lambda x: x)
    chain.invoke(1, {"callbacks": [recorder], "run_name": "MyRoot", "run_id": root_id})
    assert recorder.names == ["MyRoot", "RunnableLambda", "RunnableLambda"]
    assert recorder.events[0][1] == root_id
    assert {e[1] for e in recorder.events[1:-1]} & {root_id} == set()


def test_lambda_with_config_parameter_gets_the_child_config() -> None:
    """A function declaring `config` receives callbacks attached to its run and the run's tags."""
    seen: dict[str, Any] = {}

    def with_config(x: int, config: Any) -> int:
        seen.update(config)
        return x

    recorder = Recorder()
    RunnableLambda(with_config).invoke(1, {"callbacks": [recorder], "tags": ["t1"], "metadata": {"m": 1}})
    assert seen["tags"] == ["t1"]
    assert seen["metadata"] == {"m": 1}
    assert seen["callbacks"].parent_run_id == recorder.events[0][1]


def test_handler_sees_a_non_null_serialized_with_name_and_id() -> None:
    """`serialized` is a dict naming the runnable (the seed's `serialized.get('name')` works)."""
    got: list[Any] = []

    class Seed(BaseCallbackHandler):
        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            got.append(serialized)

    RunnableParallel(a=lambda x: x).invoke(1, {"callbacks": [Seed()]})
    assert got[0]["name"] == "RunnableParallel<a>"
    assert got[0]["id"][-1] == "RunnableParallel"
    assert got[1]["name"] == "RunnableLambda"
