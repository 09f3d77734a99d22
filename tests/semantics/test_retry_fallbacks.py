"""`with_retry` and `with_fallbacks` (§3.7, §6.1 items 12 and 36).

Both are places where runwire deliberately improves on langchain-core: `on_retry` fires for each
failed attempt (langchain#36382), and fallback attempts are children of the fallbacks run
(langchain#36072). Those tests assert each library's own behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


def _flaky(failures: int) -> tuple[Callable[[int], int], list[BaseException]]:
    """A function failing its first `failures` calls (the raised errors are returned too)."""
    raised: list[BaseException] = []

    def flaky(x: int) -> int:
        if len(raised) < failures:
            raised.append(ValueError(f"attempt {len(raised) + 1} failed"))
            raise raised[-1]
        return x + 4

    return flaky, raised


ATTEMPTS = [
    "chain_start flaky R1<-None []",
    "chain_start flaky R2<-R1 []",
    "chain_error R2<-R1 []",
    "chain_start flaky R3<-R1 ['retry:attempt:2']",
    "chain_error R3<-R1 ['retry:attempt:2']",
    "chain_start flaky R4<-R1 ['retry:attempt:3']",
    "chain_end R4<-R1 ['retry:attempt:3']",
    "chain_end R1<-None []",
]


def test_retry_attempts_are_children_tagged_retry_attempt_n(lib: Any, run: Any) -> None:
    """The retry is one run named after the bound runnable; each attempt is its child, tagged
    `retry:attempt:N` from the second on; failed attempts end with `on_chain_error` (§3.7)."""
    handler = lib.Recorder()
    flaky, _ = _flaky(2)
    retrying = lib.RunnableLambda(flaky).with_retry(stop_after_attempt=3, wait_exponential_jitter=False)
    assert run(retrying, 1, {"callbacks": [handler]}) == 5
    without_retry_events = [line for line in handler.events.lines() if not line.startswith("retry ")]
    assert without_retry_events == ATTEMPTS


def test_on_retry_fires_for_each_failed_attempt(lib: Any, run: Any) -> None:
    """runwire fires `on_retry` on the retry run after each failed attempt that will be retried,
    with a tenacity-style state (`attempt_number`, `outcome.exception()`). langchain-core's
    RunnableRetry never fires it (langchain#36382)."""
    handler = lib.Recorder()
    flaky, raised = _flaky(2)
    retrying = lib.RunnableLambda(flaky).with_retry(stop_after_attempt=3, wait_exponential_jitter=False)
    run(retrying, 1, {"callbacks": [handler]})
    if lib.name == "langchain_core":
        assert handler.events.lines() == ATTEMPTS
        return
    assert handler.events.lines() == [
        *ATTEMPTS[:3],
        "retry R1<-None []",
        *ATTEMPTS[3:5],
        "retry R1<-None []",
        *ATTEMPTS[5:],
    ]
    states = [event.args[0] for event in handler.events.of("retry")]
    assert [state.attempt_number for state in states] == [1, 2]
    assert [state.outcome.exception() for state in states] == raised


def test_no_on_retry_after_the_last_attempt(lib: Any, run: Any) -> None:
    """When every attempt fails, the caller gets the last attempt's error; runwire fires
    `on_retry` only between attempts (once for two attempts), langchain-core never (#36382)."""
    handler = lib.Recorder()
    flaky, raised = _flaky(5)
    retrying = lib.RunnableLambda(flaky).with_retry(stop_after_attempt=2, wait_exponential_jitter=False)
    with pytest.raises(ValueError, match="attempt 2 failed") as caught:
        run(retrying, 1, {"callbacks": [handler]})
    assert caught.value is raised[1]
    expected_retries = 0 if lib.name == "langchain_core" else 1
    assert handler.events.kinds().count("retry") == expected_retries
    assert handler.events.tree() == [
        "flaky [] -> chain_error",
        "  flaky [] -> chain_error",
        "  flaky ['retry:attempt:2'] -> chain_error",
    ]


def _fallbacks(lib: Any) -> Any:
    def primary(x: int) -> str:
        raise ValueError("primary failed")

    def backup(x: int) -> str:
        return "fallback-ok"

    return lib.RunnableLambda(primary).with_fallbacks([lib.RunnableLambda(backup)])


def test_fallback_attempts_are_children_of_the_fallbacks_run(lib: Any, run: Any) -> None:
    """runwire makes the runnable and each fallback tried children of the
    `RunnableWithFallbacks` run. langchain-core's invoke/ainvoke pass the parent config on, so
    the attempts report `parent_run_id=None` (langchain#36072, §3.7)."""
    handler = lib.Recorder()
    assert run(_fallbacks(lib), 1, {"callbacks": [handler]}) == "fallback-ok"
    parent = "None" if lib.name == "langchain_core" else "R1"
    assert handler.events.lines() == [
        "chain_start RunnableWithFallbacks R1<-None []",
        f"chain_start primary R2<-{parent} []",
        f"chain_error R2<-{parent} []",
        f"chain_start backup R3<-{parent} []",
        f"chain_end R3<-{parent} []",
        "chain_end R1<-None []",
    ]


def test_fallback_attempts_in_batch_are_children_of_the_fallbacks_run(lib: Any, run: Any) -> None:
    """Through `batch`/`abatch` both libraries nest the attempts under the fallbacks run
    (langchain-core's batch paths do not have #36072)."""
    handler = lib.Recorder()
    assert run.batch(_fallbacks(lib), [1], {"callbacks": [handler]}) == ["fallback-ok"]
    assert handler.events.lines() == [
        "chain_start RunnableWithFallbacks R1<-None []",
        "chain_start primary R2<-R1 []",
        "chain_error R2<-R1 []",
        "chain_start backup R3<-R1 []",
        "chain_end R3<-R1 []",
        "chain_end R1<-None []",
    ]


def test_when_every_fallback_fails_the_first_error_reaches_the_caller(lib: Any, run: Any) -> None:
    """If the runnable and all fallbacks fail, the fallbacks run ends with `on_chain_error`
    carrying the runnable's (first) error, which is also what the caller gets."""
    handler = lib.Recorder()
    errors = [ValueError("first"), ValueError("second")]

    def primary(x: int) -> int:
        raise errors[0]

    def backup(x: int) -> int:
        raise errors[1]

    chain = lib.RunnableLambda(primary).with_fallbacks([lib.RunnableLambda(backup)])
    with pytest.raises(ValueError, match="first") as caught:
        run(chain, 1, {"callbacks": [handler]})
    assert caught.value is errors[0]
    assert handler.events.lines()[-1] == "chain_error R1<-None []"
    assert [event.args[0] for event in handler.events.of("chain_error")] == [errors[0], errors[1], errors[0]]
