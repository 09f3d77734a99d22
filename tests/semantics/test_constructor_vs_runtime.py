"""Constructor vs runtime handlers (§6.1 items 14-20, §2.4-2.6, §3.8).

Runtime handlers (`config["callbacks"]`) are inherited by every child run; constructor handlers
(`callbacks=` on a model) hear only that object's run, after the runtime ones. Tests that compare
the order of several handlers set `run_inline=True`, because langchain-core gathers non-inline
handlers concurrently under `ainvoke` and their order is then not defined (§2.7).
"""

from __future__ import annotations

import uuid
from typing import Any


def add_one(x: int) -> int:
    return x + 1


def double(x: int) -> int:
    return x * 2


def to_str(x: int) -> str:
    return str(x)


def test_constructor_handler_hears_only_its_objects_run(lib: Any, run: Any) -> None:
    """A handler given to the model's constructor hears the model's start and end only; the
    runtime handler hears every run, with the same run ids (§3.8)."""
    own, runtime = lib.Recorder("C"), lib.Recorder("R")
    chain = lib.prompt() | lib.FakeListChatModel(responses=["1 + 2 = 3"], callbacks=[own])
    run(chain, {"number": "2"}, {"callbacks": [runtime]})
    assert own.events.kinds() == ["chat_model_start", "llm_end"]
    assert runtime.events.kinds() == [
        "chain_start",
        "chain_start",
        "chain_end",
        "chat_model_start",
        "llm_end",
        "chain_end",
    ]
    assert own.events[0].run_id == runtime.events[3].run_id
    assert own.events[0].parent_run_id == runtime.events[0].run_id


def test_runtime_handlers_are_dispatched_before_constructor_handlers(lib: Any, run: Any) -> None:
    """For one event, the runtime handler is called before the constructor handler (§3.8)."""
    log = lib.Recorder("unused").events  # a shared Trace
    own = lib.Recorder("C", log, run_inline=True)
    runtime = lib.Recorder("R", log, run_inline=True)
    chain = lib.prompt() | lib.FakeListChatModel(responses=["1 + 2 = 3"], callbacks=[own])
    run(chain, {"number": "2"}, {"callbacks": [runtime]})
    assert log.lines(labels=True) == [
        "R: chain_start RunnableSequence R1<-None []",
        "R: chain_start ChatPromptTemplate R2<-R1 ['seq:step:1']",
        "R: chain_end R2<-R1 ['seq:step:1']",
        "R: chat_model_start FakeListChatModel R3<-R1 ['seq:step:2']",
        "C: chat_model_start FakeListChatModel R3<-R1 ['seq:step:2']",
        "R: llm_end R3<-R1 ['seq:step:2']",
        "C: llm_end R3<-R1 ['seq:step:2']",
        "R: chain_end R1<-None []",
    ]


def test_constructor_tags_and_metadata_apply_to_that_objects_run_only(lib: Any, run: Any) -> None:
    """Tags and metadata given to the model's constructor appear on the model run (tags after
    the inherited ones, metadata merged with the runtime metadata) and on no other run."""
    handler = lib.Recorder()
    model = lib.FakeListChatModel(responses=["3"], tags=["model-tag"], metadata={"model_meta": 1})
    chain = lib.prompt() | model
    run(chain, {"number": "2"}, {"callbacks": [handler], "tags": ["rt"], "metadata": {"rt_meta": 2}})
    assert handler.events.lines() == [
        "chain_start RunnableSequence R1<-None ['rt']",
        "chain_start ChatPromptTemplate R2<-R1 ['seq:step:1', 'rt']",
        "chain_end R2<-R1 ['seq:step:1', 'rt']",
        "chat_model_start FakeListChatModel R3<-R1 ['seq:step:2', 'rt', 'model-tag']",
        "llm_end R3<-R1 ['seq:step:2', 'rt', 'model-tag']",
        "chain_end R1<-None ['rt']",
    ]
    chat_metadata = handler.events[3].metadata
    assert chat_metadata["rt_meta"] == 2
    assert chat_metadata["model_meta"] == 1
    assert [event.metadata for event in handler.events.of("chain_start")] == [{"rt_meta": 2}] * 2


def test_same_handler_as_constructor_and_runtime_hears_each_event_once(lib: Any, run: Any) -> None:
    """One handler object given both at run time and to the model's constructor hears every
    event exactly once (§3.8: identity de-duplication)."""
    handler = lib.Recorder()
    chain = lib.prompt() | lib.FakeListChatModel(responses=["1 + 2 = 3"], callbacks=[handler])
    run(chain, {"number": "2"}, {"callbacks": [handler]})
    assert handler.events.lines() == [
        "chain_start RunnableSequence R1<-None []",
        "chain_start ChatPromptTemplate R2<-R1 ['seq:step:1']",
        "chain_end R2<-R1 ['seq:step:1']",
        "chat_model_start FakeListChatModel R3<-R1 ['seq:step:2']",
        "llm_end R3<-R1 ['seq:step:2']",
        "chain_end R1<-None []",
    ]


def test_same_handler_twice_at_runtime(lib: Any, run: Any) -> None:
    """`callbacks=[h, h]`: runwire delivers each event once. langchain-core fires the root's
    events twice (no de-duplication in `configure`) and children's once (§3.8, §6.1 #19)."""
    handler = lib.Recorder()
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    run(chain, 1, {"callbacks": [handler, handler]})
    body = [
        "chain_start add_one R2<-R1 ['seq:step:1']",
        "chain_end R2<-R1 ['seq:step:1']",
        "chain_start double R3<-R1 ['seq:step:2']",
        "chain_end R3<-R1 ['seq:step:2']",
    ]
    if lib.name == "langchain_core":
        assert handler.events.lines() == [
            "chain_start RunnableSequence R1<-None []",
            "chain_start RunnableSequence R1<-None []",
            *body,
            "chain_end R1<-None []",
            "chain_end R1<-None []",
        ]
    else:
        assert handler.events.lines() == [
            "chain_start RunnableSequence R1<-None []",
            *body,
            "chain_end R1<-None []",
        ]


def test_same_handler_in_with_config_and_at_runtime(lib: Any, run: Any) -> None:
    """A handler bound with `with_config(callbacks=[h])` and passed again at run time: runwire
    delivers each event once; langchain-core concatenates the two lists, so the root hears it
    twice (the duplicate class of langchain#22227)."""
    handler = lib.Recorder()
    chain = (lib.RunnableLambda(add_one) | lib.RunnableLambda(double)).with_config(callbacks=[handler])
    run(chain, 1, {"callbacks": [handler]})
    root_events = [line for line in handler.events.lines() if "<-None" in line]
    if lib.name == "langchain_core":
        assert root_events == ["chain_start RunnableSequence R1<-None []"] * 2 + ["chain_end R1<-None []"] * 2
    else:
        assert root_events == ["chain_start RunnableSequence R1<-None []", "chain_end R1<-None []"]
    assert len(handler.events) == len(root_events) + 4


def test_with_config_callbacks_on_a_step_hear_only_that_subtree(lib: Any, run: Any) -> None:
    """`with_config(callbacks=[W])` on a step makes W inheritable within that step's sub-tree
    only; there the runtime handler R is called before W (§3.8, merge_configs order)."""
    log = lib.Recorder("unused").events
    bound, runtime = lib.Recorder("W", log, run_inline=True), lib.Recorder("R", log, run_inline=True)
    first, second, third = lib.lambdas(add_one, double, to_str)
    chain = first | (second | third).with_config(callbacks=[bound])
    assert run(chain, 1, {"callbacks": [runtime]}) == "4"
    assert log.lines(labels=True) == [
        "R: chain_start RunnableSequence R1<-None []",
        "R: chain_start add_one R2<-R1 ['seq:step:1']",
        "R: chain_end R2<-R1 ['seq:step:1']",
        "R: chain_start RunnableSequence R3<-R1 ['seq:step:2']",
        "W: chain_start RunnableSequence R3<-R1 ['seq:step:2']",
        "R: chain_start double R4<-R3 ['seq:step:1']",
        "W: chain_start double R4<-R3 ['seq:step:1']",
        "R: chain_end R4<-R3 ['seq:step:1']",
        "W: chain_end R4<-R3 ['seq:step:1']",
        "R: chain_start to_str R5<-R3 ['seq:step:2']",
        "W: chain_start to_str R5<-R3 ['seq:step:2']",
        "R: chain_end R5<-R3 ['seq:step:2']",
        "W: chain_end R5<-R3 ['seq:step:2']",
        "R: chain_end R3<-R1 ['seq:step:2']",
        "W: chain_end R3<-R1 ['seq:step:2']",
        "R: chain_end R1<-None []",
    ]


def test_with_config_callbacks_on_the_root_hear_everything_before_runtime_ones(lib: Any, run: Any) -> None:
    """`with_config(callbacks=[W])` on the whole chain: W hears every run and is called before
    the runtime handler R on each event (§3.8)."""
    log = lib.Recorder("unused").events
    bound, runtime = lib.Recorder("W", log, run_inline=True), lib.Recorder("R", log, run_inline=True)
    chain = (lib.RunnableLambda(add_one) | lib.RunnableLambda(double)).with_config(callbacks=[bound])
    run(chain, 1, {"callbacks": [runtime]})
    assert log.lines(labels=True) == [
        "W: chain_start RunnableSequence R1<-None []",
        "R: chain_start RunnableSequence R1<-None []",
        "W: chain_start add_one R2<-R1 ['seq:step:1']",
        "R: chain_start add_one R2<-R1 ['seq:step:1']",
        "W: chain_end R2<-R1 ['seq:step:1']",
        "R: chain_end R2<-R1 ['seq:step:1']",
        "W: chain_start double R3<-R1 ['seq:step:2']",
        "R: chain_start double R3<-R1 ['seq:step:2']",
        "W: chain_end R3<-R1 ['seq:step:2']",
        "R: chain_end R3<-R1 ['seq:step:2']",
        "W: chain_end R1<-None []",
        "R: chain_end R1<-None []",
    ]


def test_with_config_callbacks_on_a_model_act_like_runtime_handlers_there(lib: Any, run: Any) -> None:
    """`model.with_config(callbacks=[W])` inside a chain: W hears the model run only, after the
    runtime handler (§3.8, third block)."""
    log = lib.Recorder("unused").events
    bound, runtime = lib.Recorder("W", log, run_inline=True), lib.Recorder("R", log, run_inline=True)
    model = lib.FakeListChatModel(responses=["3"]).with_config(callbacks=[bound], tags=["wc-tag"])
    run(lib.prompt() | model, {"number": "2"}, {"callbacks": [runtime]})
    assert log.lines(labels=True) == [
        "R: chain_start RunnableSequence R1<-None []",
        "R: chain_start ChatPromptTemplate R2<-R1 ['seq:step:1']",
        "R: chain_end R2<-R1 ['seq:step:1']",
        "R: chat_model_start FakeListChatModel R3<-R1 ['seq:step:2', 'wc-tag']",
        "W: chat_model_start FakeListChatModel R3<-R1 ['seq:step:2', 'wc-tag']",
        "R: llm_end R3<-R1 ['seq:step:2', 'wc-tag']",
        "W: llm_end R3<-R1 ['seq:step:2', 'wc-tag']",
        "R: chain_end R1<-None []",
    ]


def test_callback_manager_as_callbacks_separates_root_and_inherited_parts(lib: Any, run: Any) -> None:
    """A `CallbackManager` passed as `callbacks` is a template: its `handlers`, `tags` and
    `metadata` apply to the root run; only its inheritable parts reach children (§2.6 experiment,
    langchain#24642). Deliberate difference in tag order: runwire always puts a child's
    `seq:step:N` first; langchain-core puts it first only for tags that came from a config and
    after a manager's inheritable tags (an artifact of its `add_tags` re-ordering)."""
    log = lib.Recorder("unused").events
    inherited, local = lib.Recorder("R", log, run_inline=True), lib.Recorder("L", log, run_inline=True)
    manager = lib.CallbackManager(
        handlers=[inherited, local],
        inheritable_handlers=[inherited],
        tags=["local-tag"],
        inheritable_tags=["inh-tag"],
        metadata={"lm": 1},
        inheritable_metadata={"im": 2},
    )
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    assert run(chain, 1, {"callbacks": manager}) == 4
    step1, step2 = (
        ("'inh-tag', 'seq:step:1'", "'inh-tag', 'seq:step:2'")
        if lib.name == "langchain_core"
        else ("'seq:step:1', 'inh-tag'", "'seq:step:2', 'inh-tag'")
    )
    assert log.lines(labels=True) == [
        "R: chain_start RunnableSequence R1<-None ['local-tag']",
        "L: chain_start RunnableSequence R1<-None ['local-tag']",
        f"R: chain_start add_one R2<-R1 [{step1}]",
        f"R: chain_end R2<-R1 [{step1}]",
        f"R: chain_start double R3<-R1 [{step2}]",
        f"R: chain_end R3<-R1 [{step2}]",
        "R: chain_end R1<-None ['local-tag']",
        "L: chain_end R1<-None ['local-tag']",
    ]
    assert [event.metadata for event in inherited.events.starts()] == [{"lm": 1}, {"im": 2}, {"im": 2}]


def test_callback_manager_parent_run_id_becomes_the_roots_parent(lib: Any, run: Any) -> None:
    """A manager with a `parent_run_id` attaches the new root under that id (§2.6)."""
    handler = lib.Recorder()
    parent = uuid.uuid4()
    manager = lib.CallbackManager(handlers=[handler], inheritable_handlers=[handler], parent_run_id=parent)
    run(lib.RunnableLambda(add_one) | lib.RunnableLambda(double), 1, {"callbacks": manager})
    assert handler.events[0].parent_run_id == parent
    assert handler.events.lines() == [
        "chain_start RunnableSequence R1<-R2 []",
        "chain_start add_one R3<-R1 ['seq:step:1']",
        "chain_end R3<-R1 ['seq:step:1']",
        "chain_start double R4<-R1 ['seq:step:2']",
        "chain_end R4<-R1 ['seq:step:2']",
        "chain_end R1<-R2 []",
    ]


def test_child_manager_as_callbacks_nests_under_the_run(lib: Any, run: Any) -> None:
    """`inner.invoke(x, {"callbacks": run_manager.get_child("my-tag")})` inside a lambda nests
    the inner run under the lambda's run, with the tag on the inner run only (§2.6)."""
    handler = lib.Recorder()
    inner = lib.RunnableLambda(double) | lib.RunnableLambda(add_one)

    def outer(x: int, run_manager: Any) -> int:
        return inner.invoke(x, {"callbacks": run_manager.get_child("my-tag")})

    assert run(lib.RunnableLambda(outer), 1, {"callbacks": [handler]}) == 3
    assert handler.events.tree() == [
        "outer [] -> chain_end",
        "  RunnableSequence ['my-tag'] -> chain_end",
        "    double ['seq:step:1'] -> chain_end",
        "    add_one ['seq:step:2'] -> chain_end",
    ]
