"""Handlers written for langchain-core work on runwire unchanged (DESIGN §1, §6.1 #21).

Every handler here subclasses `langchain_core.callbacks` classes (or is one of langchain-core's
own handlers) and is passed to runwire pipelines; where useful the output is compared with what
the same handler produces on langchain-core. runwire-only: the `lib` fixture is not used.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

SEED = [
    "chain_start RunnableSequence R1<-None []",
    "chain_start ChatPromptTemplate R2<-R1 ['seq:step:1']",
    "chain_end R2<-R1 ['seq:step:1']",
    "chat_model_start FakeListChatModel R3<-R1 ['seq:step:2']",
    "llm_end R3<-R1 ['seq:step:2']",
    "chain_end R1<-None []",
]


def test_langchain_handler_hears_the_seed_chain(runwire: Any, langchain: Any, run: Any) -> None:
    """A `langchain_core.callbacks.BaseCallbackHandler` subclass hears runwire's seed chain
    exactly as a runwire handler does, with the same run ids."""
    theirs, ours = langchain.Recorder("LC"), runwire.Recorder("RW")
    result = run(runwire.seed_chain(), {"number": "2"}, {"callbacks": [theirs, ours]})
    assert result.content == "1 + 2 = 3"
    assert theirs.events.lines() == SEED
    assert ours.events.lines() == SEED
    assert [e.run_id for e in theirs.events] == [e.run_id for e in ours.events]


def test_langchain_async_handler_hears_the_seed_chain(runwire: Any, langchain: Any, run: Any) -> None:
    """A `langchain_core.callbacks.AsyncCallbackHandler` subclass hears every event under
    runwire's `invoke` and `ainvoke`."""
    handler = langchain.AsyncRecorder()
    run(runwire.seed_chain(), {"number": "2"}, {"callbacks": [handler]})
    assert handler.events.lines() == SEED


def test_page_handler_subclassing_langchain_prints_every_line(
    runwire: Any, langchain: Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The page's LoggingHandler, subclassing langchain-core's base, prints its four kinds of
    line on runwire, "Chain RunnableSequence started" first, and nothing is logged."""

    class LoggingHandler(langchain.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            print("Chat model started")

        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            print("Chat model ended")

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            print(f"Chain {serialized.get('name')} started")

        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            print("Chain ended")

    with caplog.at_level(logging.WARNING):
        runwire.seed_chain().invoke({"number": "2"}, config={"callbacks": [LoggingHandler()]})
    assert capsys.readouterr().out.splitlines() == [
        "Chain RunnableSequence started",
        "Chain ChatPromptTemplate started",
        "Chain ended",
        "Chat model started",
        "Chat model ended",
        "Chain ended",
    ]
    assert caplog.records == []


def test_langchain_handler_ignore_flag_is_respected(runwire: Any, langchain: Any, run: Any) -> None:
    """`ignore_chain = True` on a langchain-core handler class (overriding langchain's read-only
    property) silences chain events on runwire too."""
    handler = type("NoChains", (langchain.Recorder,), {"ignore_chain": True})()
    run(runwire.seed_chain(), {"number": "2"}, {"callbacks": [handler]})
    assert handler.events.kinds() == ["chat_model_start", "llm_end"]


def test_langchain_handler_raise_error_is_respected(runwire: Any, langchain: Any, run: Any) -> None:
    """`raise_error = True` on a langchain-core handler makes runwire re-raise its exception,
    after closing the run with an error event for the other handlers."""

    class Boom(langchain.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        raise_error = True

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            raise RuntimeError("boom")

    other = langchain.Recorder()
    with pytest.raises(RuntimeError, match="boom"):
        run(runwire.seed_chain(), {"number": "2"}, {"callbacks": [Boom(), other]})
    assert other.events.lines() == ["chain_start RunnableSequence R1<-None []", "chain_error R1<-None []"]


def test_langchain_handler_without_chat_model_start_gets_llm_start(
    runwire: Any, langchain: Any, run: Any
) -> None:
    """langchain-core's inherited `on_chat_model_start` raises NotImplementedError; runwire then
    calls the handler's `on_llm_start` with buffer-string prompts, as langchain-core does."""
    heard: list[list[str]] = []

    class OnlyLLM(langchain.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        def on_llm_start(self, serialized: Any, prompts: list[str], **kwargs: Any) -> None:
            heard.append(prompts)

    run(runwire.FakeListChatModel(responses=["ok"]), "hi", {"callbacks": [OnlyLLM()]})
    assert heard == [["Human: hi"]]


def test_langchain_stdout_handler_prints_as_on_langchain(
    runwire: Any, langchain: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """langchain-core's own `StdOutCallbackHandler` prints the same text for runwire's seed chain
    as for langchain-core's."""
    langchain.seed_chain().invoke({"number": "2"}, {"callbacks": [langchain.StdOutCallbackHandler()]})
    on_langchain = capsys.readouterr().out
    runwire.seed_chain().invoke({"number": "2"}, {"callbacks": [langchain.StdOutCallbackHandler()]})
    assert "Entering new RunnableSequence chain" in on_langchain
    assert capsys.readouterr().out == on_langchain


def test_langchain_run_collector_builds_the_same_run_tree(runwire: Any, langchain: Any) -> None:
    """langchain-core's tracer `RunCollectorCallbackHandler` builds the same tree of runs (names,
    run types, tags) from runwire's events as from langchain-core's."""
    from langchain_core.tracers.run_collector import RunCollectorCallbackHandler

    def shape(run: Any) -> list[Any]:
        return [run.name, run.run_type, run.tags, [shape(child) for child in run.child_runs]]

    shapes = []
    for lib in (langchain, runwire):
        collector = RunCollectorCallbackHandler()
        lib.seed_chain().invoke({"number": "2"}, {"callbacks": [collector]})
        assert len(collector.traced_runs) == 1
        shapes.append(shape(collector.traced_runs[0]))
    assert shapes[0] == [
        "RunnableSequence",
        "chain",
        [],
        [
            ["ChatPromptTemplate", "prompt", ["seq:step:1"], []],
            ["FakeListChatModel", "llm", ["seq:step:2"], []],
        ],
    ]
    assert shapes[1] == shapes[0]
