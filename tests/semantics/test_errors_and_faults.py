"""Errors in runs and faults in handlers (§2.7, §3.6, §3.9-3.10, §6.1 items 3, 25, 32-35).

A failing run reports one error event per run, inner first, carrying the very exception the
caller gets. A failing handler is logged (naming its class and the event) and swallowed, unless
it sets `raise_error`; there runwire deliberately differs from langchain-core (see each test).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest


def add_one(x: int) -> int:
    return x + 1


def double(x: int) -> int:
    return x * 2


def _broken_model(lib: Any, error: BaseException) -> Any:
    """A chat model whose generation raises `error` (§3.6, "Broken")."""

    class Broken(lib.FakeListChatModel):  # type: ignore[misc, name-defined]
        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> Any:
            raise error

        async def _agenerate(
            self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
        ) -> Any:
            raise error

    return Broken(responses=["x"])


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


def test_error_in_step_two_fires_chain_error_on_the_step_then_the_root(lib: Any, run: Any) -> None:
    """An exception in step 2 gives `on_chain_error` on step 2, then on the root, each once,
    each with the same exception object the caller receives; error events carry run ids and
    tags only (§3.6)."""
    handler = lib.Recorder()
    error = ValueError("step failed")

    def fail(x: int) -> int:
        raise error

    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(fail) | lib.RunnableLambda(double)
    with pytest.raises(ValueError, match="step failed") as raised:
        run(chain, 1, {"callbacks": [handler]})
    assert raised.value is error
    assert handler.events.lines() == [
        "chain_start RunnableSequence R1<-None []",
        "chain_start add_one R2<-R1 ['seq:step:1']",
        "chain_end R2<-R1 ['seq:step:1']",
        "chain_start fail R3<-R1 ['seq:step:2']",
        "chain_error R3<-R1 ['seq:step:2']",
        "chain_error R1<-None []",
    ]
    errors = handler.events.of("chain_error")
    assert [event.args[0] for event in errors] == [error, error]
    assert all(event.args[0] is error for event in errors)
    assert [sorted(event.kwargs) for event in errors] == [["parent_run_id", "run_id", "tags"]] * 2


def test_model_error_fires_llm_error_with_the_partial_response(lib: Any, run: Any) -> None:
    """A failing chat model gives `on_llm_error(error, response=LLMResult(generations=[[]]))`
    on the model run, then `on_chain_error` on the sequence; the caller gets the same
    exception object (§3.6, §6.1 #25)."""
    handler = lib.Recorder()
    error = RuntimeError("model down")
    chain = lib.prompt() | _broken_model(lib, error)
    with pytest.raises(RuntimeError, match="model down") as raised:
        run(chain, {"number": "2"}, {"callbacks": [handler]})
    assert raised.value is error
    assert handler.events.lines() == [
        "chain_start RunnableSequence R1<-None []",
        "chain_start ChatPromptTemplate R2<-R1 ['seq:step:1']",
        "chain_end R2<-R1 ['seq:step:1']",
        "chat_model_start Broken R3<-R1 ['seq:step:2']",
        "llm_error R3<-R1 ['seq:step:2']",
        "chain_error R1<-None []",
    ]
    llm_error = handler.events.of("llm_error")[0]
    assert llm_error.args[0] is error
    assert sorted(llm_error.kwargs) == ["parent_run_id", "response", "run_id", "tags"]
    response = llm_error.kwargs["response"]
    assert isinstance(response, lib.LLMResult)
    assert response.generations == [[]]
    assert handler.events.of("chain_error")[0].args[0] is error


def test_handler_exception_is_logged_once_per_call_and_swallowed(
    lib: Any, run: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A handler raising (with `raise_error=False`) is logged once per failing call, naming the
    handler class, the event and the error; the run goes on and the other handlers still get
    every event (§2.7, §3.9)."""

    class Bad(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            raise RuntimeError("boom")

    other = lib.Recorder()
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    with caplog.at_level(logging.WARNING):
        assert run(chain, 1, {"callbacks": [Bad(), other]}) == 4
    messages = _warnings(caplog)
    assert len(messages) == 3
    assert all("Bad.on_chain_start" in m and "RuntimeError('boom')" in m for m in messages)
    assert other.events.kinds() == [
        "chain_start",
        "chain_start",
        "chain_end",
        "chain_start",
        "chain_end",
        "chain_end",
    ]


def test_handler_exception_in_an_end_event_leaves_no_run_dangling(
    lib: Any, run: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A handler failing in `on_chain_end` does not stop the other handlers' end events: every
    start still has exactly one terminal event (§6.1 #3)."""

    class BadEnd(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            raise RuntimeError("end boom")

    other = lib.Recorder()
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    with caplog.at_level(logging.WARNING):
        run(chain, 1, {"callbacks": [BadEnd(), other]})
    assert other.events.tree() == [
        "RunnableSequence [] -> chain_end",
        "  add_one ['seq:step:1'] -> chain_end",
        "  double ['seq:step:2'] -> chain_end",
    ]
    assert len(_warnings(caplog)) == 3


def test_not_implemented_error_from_a_handler_is_logged_even_with_raise_error(
    lib: Any, run: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """`NotImplementedError` from a method other than `on_chat_model_start` is logged as
    "NotImplementedError in <Handler>.<event> callback" and never re-raised, whatever
    `raise_error` says (§1.3)."""

    class Unfinished(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        raise_error = True

        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            raise NotImplementedError("later")

    with caplog.at_level(logging.WARNING):
        assert run(lib.RunnableLambda(add_one), 1, {"callbacks": [Unfinished()]}) == 2
    messages = _warnings(caplog)
    assert len(messages) == 1
    assert messages[0].startswith("NotImplementedError in Unfinished.on_chain_end callback")


def test_raise_error_handler_stops_the_run(lib: Any, run: Any, caplog: pytest.LogCaptureFixture) -> None:
    """A handler with `raise_error=True` that raises in `on_chain_start` stops the run and the
    caller gets its exception. runwire first lets the other handlers hear the start and then
    closes the run with `on_chain_error`, so nothing dangles. langchain-core aborts dispatch:
    handlers after the raiser never hear the start and the run never gets an error event
    (§3.10; §6.1 #3, #34). All handlers are `run_inline` so langchain's async order is defined."""
    error = RuntimeError("boom")

    class Boom(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        raise_error = True
        run_inline = True

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            raise error

    before, after = lib.Recorder("A", run_inline=True), lib.Recorder("B", run_inline=True)
    ran: list[int] = []
    chain = lib.RunnableLambda(ran.append) | lib.RunnableLambda(double)
    with caplog.at_level(logging.WARNING), pytest.raises(RuntimeError, match="boom") as raised:
        run(chain, 1, {"callbacks": [before, Boom(), after]})
    assert raised.value is error
    assert ran == []
    if lib.name == "langchain_core":
        assert before.events.lines() == ["chain_start RunnableSequence R1<-None []"]
        assert after.events.lines() == []
    else:
        expected = ["chain_start RunnableSequence R1<-None []", "chain_error R1<-None []"]
        assert before.events.lines() == expected
        assert after.events.lines() == expected
        assert after.events[1].args[0] is error


def test_async_handler_error_from_sync_invoke_follows_raise_error(
    lib: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An async handler with `raise_error=True` failing under sync `invoke`: runwire applies the
    same rule as for a sync handler, so `invoke` raises. langchain-core always logs and swallows
    errors of async handlers run from sync code (§2.7, §3.9; langchain#8051, PR #6001)."""

    class AsyncBoom(lib.AsyncCallbackHandler):  # type: ignore[misc, name-defined]
        raise_error = True

        async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            raise RuntimeError("async boom")

    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    with caplog.at_level(logging.WARNING):
        if lib.name == "langchain_core":
            assert chain.invoke(1, {"callbacks": [AsyncBoom()]}) == 4
            assert _warnings(caplog) == ["Error in callback coroutine: RuntimeError('async boom')"] * 3
        else:
            with pytest.raises(RuntimeError, match="async boom"):
                chain.invoke(1, {"callbacks": [AsyncBoom()]})


def test_async_handler_error_under_ainvoke_follows_raise_error(
    lib: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Under `ainvoke` an async handler with `raise_error=True` stops the run in both
    libraries; the chain body never runs (§3.9)."""

    class AsyncBoom(lib.AsyncCallbackHandler):  # type: ignore[misc, name-defined]
        raise_error = True
        run_inline = True

        async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            raise RuntimeError("async boom")

    ran: list[int] = []
    chain = lib.RunnableLambda(ran.append) | lib.RunnableLambda(double)
    with caplog.at_level(logging.WARNING), pytest.raises(RuntimeError, match="async boom"):
        asyncio.run(chain.ainvoke(1, {"callbacks": [AsyncBoom()]}))
    assert ran == []
