"""BaseTracer and the run collector: the Run tree built from callback events."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from runwire.callbacks.context import scoped_handlers
from runwire.runnables import RunnableLambda, RunnableParallel
from runwire.tracers import BaseTracer, Run, RunCollectorCallbackHandler, collect_runs

from .helpers import MODEL, failing_chain, qa_chain, tree_shape


def test_collect_runs_yields_root_runs_with_their_child_runs() -> None:
    """Inside `collect_runs()`, each invoke adds one root Run whose children are its steps."""
    with collect_runs() as collector:
        assert qa_chain().invoke({"number": "2"}) == "The answer is 3."
    (root,) = collector.traced_runs
    assert tree_shape(root) == [
        "RunnableSequence",
        "chain",
        "ok",
        [
            ["ChatPromptTemplate", "prompt", "ok", []],
            ["GenericFakeChatModel", "llm", "ok", []],
            ["StrOutputParser", "parser", "ok", []],
        ],
    ]


def test_collect_runs_leaves_no_handler_behind() -> None:
    """The collector is scoped: after the block no run reports to it."""
    with collect_runs() as collector:
        pass
    qa_chain().invoke({"number": "2"})
    assert collector.traced_runs == []
    assert not scoped_handlers.get()


def test_runs_carry_langchain_fields() -> None:
    """Children point at their parent and share its trace id; dotted orders extend the parent's."""
    with collect_runs() as collector:
        qa_chain().invoke({"number": "2"}, {"tags": ["t1"], "metadata": {"user": "u1"}})
    root = collector.traced_runs[0]
    prompt, llm, _ = root.child_runs
    assert root.parent_run_id is None
    assert root.trace_id == root.id
    assert {child.parent_run_id for child in root.child_runs} == {root.id}
    assert {child.trace_id for child in root.child_runs} == {root.id}
    assert all(child.dotted_order.startswith(root.dotted_order + ".") for child in root.child_runs)
    assert root.tags == ["t1"]
    assert prompt.tags == ["seq:step:1", "t1"]
    assert root.metadata == {"user": "u1"}
    assert root.inputs == {"number": "2"}
    assert root.outputs == {"output": "The answer is 3."}
    assert [e["name"] for e in root.events] == ["start", "end"]
    assert root.serialized is not None
    assert root.serialized["name"] == "RunnableSequence"
    assert llm.end_time is not None
    assert llm.end_time >= llm.start_time


def test_model_runs_record_messages_usage_and_model() -> None:
    """A chat model run keeps its messages as inputs and its token usage and model name."""
    with collect_runs() as collector:
        qa_chain().invoke({"number": "2"})
    llm = collector.traced_runs[0].child_runs[1]
    assert llm.inputs["messages"][0][0].content == "What is 1 + 2?"
    assert llm.outputs is not None
    assert llm.outputs["generations"][0][0]["text"] == "The answer is 3."
    assert llm.usage == {"input_tokens": 7, "output_tokens": 5, "total_tokens": 12}
    assert llm.model == MODEL
    assert llm.extra["invocation_params"]["_type"] == "generic-fake-chat-model"


def test_errors_are_recorded_on_the_failing_run_and_its_parents() -> None:
    """The failing step and each enclosing run get status error and the exception's repr."""
    with collect_runs() as collector, pytest.raises(ValueError, match="cannot use"):
        failing_chain().invoke({"number": "2"})
    root = collector.traced_runs[0]
    assert root.status == "error"
    assert root.child_runs[-1].error == "ValueError(\"cannot use 'The answer is 3.'\")"
    assert [child.status for child in root.child_runs] == ["ok", "ok", "ok", "error"]


def test_memory_is_bounded_by_runs_in_flight() -> None:
    """After each root run ends the tracer holds no run: nothing keyed by run id grows."""
    tracer = RunCollectorCallbackHandler()
    chain = qa_chain()
    for number in range(50):
        chain.invoke({"number": str(number)}, {"callbacks": [tracer]})
        assert tracer.run_map == {}
    assert len(tracer.traced_runs) == 50


def test_persist_run_receives_each_finished_root_once() -> None:
    """`_persist_run` gets each root run at its end, with the whole tree finished."""

    class Persisting(BaseTracer):
        def __init__(self) -> None:
            super().__init__()
            self.persisted: list[Run] = []

        def _persist_run(self, run: Run) -> None:
            assert all(r.end_time is not None for r in run.walk())
            self.persisted.append(run)

    tracer = Persisting()
    qa_chain().invoke({"number": "1"}, {"callbacks": [tracer]})
    qa_chain().invoke({"number": "2"}, {"callbacks": [tracer]})
    assert [r.inputs for r in tracer.persisted] == [{"number": "1"}, {"number": "2"}]


def test_runs_in_threads_and_tasks_nest_under_their_parents() -> None:
    """Parallel branches (threads) and async steps nest under the right parent."""
    branches = RunnableParallel(a=RunnableLambda(lambda x: x + 1), b=RunnableLambda(lambda x: x * 2))
    with collect_runs() as collector:
        branches.invoke(3)
        asyncio.run(branches.ainvoke(4))
    for root in collector.traced_runs:
        assert sorted(child.tags[0] for child in root.child_runs) == ["map:key:a", "map:key:b"]
        assert {child.parent_run_id for child in root.child_runs} == {root.id}


def test_a_run_whose_parent_was_not_heard_becomes_a_root() -> None:
    """A constructor handler on an inner step sees that step as a root, keeping its parent id."""
    inner = RunCollectorCallbackHandler()
    step = RunnableLambda(lambda x: x).with_config(callbacks=[inner])
    outer = RunCollectorCallbackHandler()
    (RunnableLambda(lambda x: x) | step).invoke(1, {"callbacks": [outer]})
    (root,) = inner.traced_runs
    assert root.trace_id == root.id
    assert root.parent_run_id == outer.traced_runs[0].id


def test_copying_a_tracer_returns_the_same_tracer() -> None:
    """Config copies must not fork a tracer's state (langchain returns self from copy too)."""
    import copy

    tracer: Any = RunCollectorCallbackHandler()
    assert copy.copy(tracer) is tracer
    assert copy.deepcopy(tracer) is tracer
