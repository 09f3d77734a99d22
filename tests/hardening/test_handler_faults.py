"""Handlers that raise, block, or mutate what they are given: the run's result and the other
handlers' events are unaffected; a BackgroundHandler that falls behind drops and counts; sync and
async handlers mix under invoke/ainvoke, nested and inside a running loop, without deadlock."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from runwire.callbacks import AsyncCallbackHandler, BaseCallbackHandler
from runwire.callbacks.background import BackgroundHandler
from runwire.language_models import GenericFakeChatModel
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate
from runwire.runnables import RunnableLambda

from .conftest import Recorder


def _chain() -> Any:
    model = GenericFakeChatModel(messages=iter(["3"] * 10))
    return ChatPromptTemplate.from_template("1 + {n}?") | model | StrOutputParser()


class Raising(BaseCallbackHandler):
    def on_chain_start(self, *args: Any, **kwargs: Any) -> None:
        raise KeyError("boom")

    def on_llm_end(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        raise AttributeError("boom")


class Mutating(BaseCallbackHandler):
    """Clears and rewrites every dict and list it is handed."""

    def _spoil(self, *args: Any, **kwargs: Any) -> None:
        for value in (*args, *kwargs.values()):
            if isinstance(value, dict):
                value.clear()
                value["spoiled"] = True
            elif isinstance(value, list):
                value.clear()

    on_chain_start = on_chain_end = on_chat_model_start = on_llm_end = _spoil


class Blocking(BaseCallbackHandler):
    def __init__(self) -> None:
        self.heard = 0

    def on_chain_start(self, *args: Any, **kwargs: Any) -> None:
        time.sleep(0.2)
        self.heard += 1


def test_raising_and_mutating_handlers_change_nothing_for_the_run_or_others() -> None:
    baseline = Recorder()
    assert _chain().invoke({"n": "2"}, {"callbacks": [baseline]}) == "3"
    recorder = Recorder()
    given = {"n": "2"}
    result = _chain().invoke(given, {"callbacks": [Raising(), Mutating(), recorder, Mutating()]})
    assert result == "3"
    assert given == {"n": "2"}
    assert recorder.names == baseline.names
    recorder.assert_paired(error=False)


def _payloads(recorder: Recorder) -> str:
    """Everything a recorder heard, run ids and message ids blanked."""
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", recorder.text())


def test_handlers_after_a_mutating_one_hear_exactly_what_they_would_alone() -> None:
    """Every payload a handler can edit (serialized, inputs, outputs, tags, metadata) is its own:
    the handler after a spoiler hears what it hears alone, on this call and on the next one
    (the runnable's cached `serialized` stays intact)."""
    chain = _chain() | RunnableLambda(lambda text: {"answer": [text]})
    config = {"tags": ["t"], "metadata": {"m": [1]}}
    alone = Recorder()
    chain.invoke({"n": "2"}, {**config, "callbacks": [alone]})
    for _ in range(2):
        after = Recorder()
        given = {"n": "2"}
        result = chain.invoke(given, {**config, "callbacks": [Mutating(), after, Mutating()]})
        assert result == {"answer": ["3"]}
        assert given == {"n": "2"}
        assert _payloads(after) == _payloads(alone)


def test_a_raising_handler_is_logged_with_its_class_and_event(caplog: Any) -> None:
    _chain().invoke({"n": "2"}, {"callbacks": [Raising()]})
    assert any("Raising" in r.getMessage() and "on_chain_start" in r.getMessage() for r in caplog.records)


def test_a_background_handler_that_falls_behind_drops_and_counts_instead_of_blocking() -> None:
    slow = BackgroundHandler(Blocking(), max_queue=2, on_full="drop_new")
    started = time.monotonic()
    for _ in range(5):
        _chain().invoke({"n": "2"}, {"callbacks": [slow]})
    assert time.monotonic() - started < 1.0  # 15 chain starts x 0.2 s: 3 s if it blocked
    assert slow.dropped > 0
    slow.close(timeout=5.0)
    assert slow.handler.heard + slow.dropped == 15  # 3 chain starts per run


class AsyncRecorder(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.names: list[str] = []

    async def on_chain_start(self, *args: Any, **kwargs: Any) -> None:
        await asyncio.sleep(0)
        self.names.append("start")

    async def on_chain_end(self, *args: Any, **kwargs: Any) -> None:
        self.names.append("end")


def test_an_async_handler_under_sync_invoke_is_heard() -> None:
    handler = AsyncRecorder()
    assert _chain().invoke({"n": "2"}, {"callbacks": [handler]}) == "3"
    assert handler.names.count("start") == handler.names.count("end") == 3


async def test_sync_invoke_inside_a_running_loop_with_an_async_handler_does_not_deadlock() -> None:
    handler, recorder = AsyncRecorder(), Recorder()
    outer = RunnableLambda(lambda x: _chain().invoke(x))  # nested sync invoke under ainvoke
    result = await asyncio.wait_for(outer.ainvoke({"n": "2"}, {"callbacks": [handler, recorder]}), 10)
    assert result == "3"
    recorder.assert_paired(error=False)
    assert handler.names.count("start") == handler.names.count("end")


async def test_a_blocking_sync_handler_under_ainvoke_finishes_and_others_hear_everything() -> None:
    recorder, blocking = Recorder(), Blocking()
    calls = [_chain().ainvoke({"n": str(i)}, {"callbacks": [recorder, blocking]}) for i in range(3)]
    assert await asyncio.wait_for(asyncio.gather(*calls), 10) == ["3", "3", "3"]
    recorder.assert_paired(error=False)
    assert blocking.heard == 9
