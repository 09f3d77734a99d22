"""Propagation and tree shape (§6.1 items 1-11): every run gets the right parent, on every path.

Traces are rendered by `Trace.lines()` (`"kind name R<id><-R<parent> [tags]"`, ids numbered in
order of first appearance) or `Trace.tree()` (one line per run with its terminal events).
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def add_one(x: int) -> int:
    return x + 1


def double(x: int) -> int:
    return x * 2


def to_str(x: int) -> str:
    return str(x)


def test_seed_chain_event_order(lib: Any, run: Any) -> None:
    """The page's chain gives a runtime handler exactly: sequence start, prompt start, prompt end,
    chat-model start, llm end, sequence end, with the steps as children of the sequence (§3.1)."""
    handler = lib.Recorder()
    result = run(lib.seed_chain(), {"number": "2"}, {"callbacks": [handler]})
    assert result.content == "1 + 2 = 3"
    assert handler.events.lines() == [
        "chain_start RunnableSequence R1<-None []",
        "chain_start ChatPromptTemplate R2<-R1 ['seq:step:1']",
        "chain_end R2<-R1 ['seq:step:1']",
        "chat_model_start FakeListChatModel R3<-R1 ['seq:step:2']",
        "llm_end R3<-R1 ['seq:step:2']",
        "chain_end R1<-None []",
    ]


def test_one_root_and_unique_run_ids(lib: Any, run: Any) -> None:
    """A run has exactly one root; every other run's parent is the root; run ids are unique."""
    handler = lib.Recorder()
    chain = lib.seed_chain() | lib.StrOutputParser()
    run(chain, {"number": "2"}, {"callbacks": [handler]})
    starts = handler.events.starts()
    roots = [event for event in starts if event.parent_run_id is None]
    assert len(roots) == 1
    assert [event.parent_run_id for event in starts[1:]] == [roots[0].run_id] * 3
    assert len({event.run_id for event in starts}) == 4


def test_every_start_has_exactly_one_terminal_event(lib: Any, run: Any) -> None:
    """Each start event is matched by exactly one end (or error) event with the same run id."""
    handler = lib.Recorder()
    chain = lib.seed_chain() | lib.StrOutputParser()
    assert run(chain, {"number": "2"}, {"callbacks": [handler]}) == "1 + 2 = 3"
    assert handler.events.tree() == [
        "RunnableSequence [] -> chain_end",
        "  ChatPromptTemplate ['seq:step:1'] -> chain_end",
        "  FakeListChatModel ['seq:step:2'] -> llm_end",
        "  StrOutputParser ['seq:step:3'] -> chain_end",
    ]


def test_sequence_steps_are_tagged_seq_step_n(lib: Any, run: Any) -> None:
    """Steps of a sequence carry `seq:step:N` (1-based) on all their events; the root does not.
    A nested sequence is flattened, so the tags count every step."""
    handler = lib.Recorder()
    first, second, third = lib.lambdas(add_one, double, to_str)
    chain = (first | second) | third
    assert run(chain, 1, {"callbacks": [handler]}) == "4"
    assert handler.events.lines() == [
        "chain_start RunnableSequence R1<-None []",
        "chain_start add_one R2<-R1 ['seq:step:1']",
        "chain_end R2<-R1 ['seq:step:1']",
        "chain_start double R3<-R1 ['seq:step:2']",
        "chain_end R3<-R1 ['seq:step:2']",
        "chain_start to_str R4<-R1 ['seq:step:3']",
        "chain_end R4<-R1 ['seq:step:3']",
        "chain_end R1<-None []",
    ]


def test_parallel_branches_are_tagged_map_key(lib: Any, run: Any) -> None:
    """Branches of a RunnableParallel are its children tagged `map:key:K`; the parallel run is
    named after its keys, `RunnableParallel<a,b>` (§3.4). Branches run concurrently, so the
    tree is compared with siblings sorted."""
    handler = lib.Recorder()
    first, second = lib.lambdas(add_one, double)
    parallel = lib.RunnableParallel(a=first | second, b=lib.RunnablePassthrough())
    assert run(parallel, 1, {"callbacks": [handler]}) == {"a": 4, "b": 1}
    assert handler.events.tree(sort=True) == [
        "RunnableParallel<a,b> [] -> chain_end",
        "  RunnablePassthrough ['map:key:b'] -> chain_end",
        "  RunnableSequence ['map:key:a'] -> chain_end",
        "    add_one ['seq:step:1'] -> chain_end",
        "    double ['seq:step:2'] -> chain_end",
    ]


def test_dict_step_in_a_sequence_is_a_parallel_child(lib: Any, run: Any) -> None:
    """A dict inside a sequence becomes a RunnableParallel step: itself tagged `seq:step:N`, its
    branches tagged `map:key:K` (and not `seq:step:N`)."""
    handler = lib.Recorder()
    first, second, third = lib.lambdas(add_one, double, to_str)
    chain = first | {"d": second, "s": third}
    assert run(chain, 1, {"callbacks": [handler]}) == {"d": 4, "s": "2"}
    assert handler.events.tree(sort=True) == [
        "RunnableSequence [] -> chain_end",
        "  RunnableParallel<d,s> ['seq:step:2'] -> chain_end",
        "    double ['map:key:d'] -> chain_end",
        "    to_str ['map:key:s'] -> chain_end",
        "  add_one ['seq:step:1'] -> chain_end",
    ]


def test_branch_condition_and_chosen_branch_are_children(lib: Any, run: Any) -> None:
    """RunnableBranch runs each condition as a child tagged `condition:N` and the chosen branch
    as a child tagged `branch:N` (or `branch:default`)."""

    def is_small(x: int) -> bool:
        return x < 5

    def big(x: int) -> str:
        return "big"

    handler = lib.Recorder()
    check, small_branch, default = lib.lambdas(is_small, to_str, big)
    branch = lib.RunnableBranch((check, small_branch), default)
    assert run(branch, 9, {"callbacks": [handler]}) == "big"
    assert handler.events.lines() == [
        "chain_start RunnableBranch R1<-None []",
        "chain_start is_small R2<-R1 ['condition:1']",
        "chain_end R2<-R1 ['condition:1']",
        "chain_start big R3<-R1 ['branch:default']",
        "chain_end R3<-R1 ['branch:default']",
        "chain_end R1<-None []",
    ]


def test_config_tags_reach_every_event_and_metadata_every_start_event(lib: Any, run: Any) -> None:
    """User tags from the config appear on every event of every run (after the step tag);
    user metadata appears on every start event and on no end event."""
    handler = lib.Recorder()
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    run(chain, 1, {"callbacks": [handler], "tags": ["t"], "metadata": {"m": 1}})
    assert handler.events.lines() == [
        "chain_start RunnableSequence R1<-None ['t']",
        "chain_start add_one R2<-R1 ['seq:step:1', 't']",
        "chain_end R2<-R1 ['seq:step:1', 't']",
        "chain_start double R3<-R1 ['seq:step:2', 't']",
        "chain_end R3<-R1 ['seq:step:2', 't']",
        "chain_end R1<-None ['t']",
    ]
    assert [event.metadata for event in handler.events.starts()] == [{"m": 1}] * 3
    assert [("metadata" in event.kwargs) for event in handler.events.of("chain_end")] == [False] * 3


def test_run_name_and_run_id_apply_to_the_root_only(lib: Any, run: Any) -> None:
    """`run_name` and `run_id` in the config name and identify the root run; children keep
    their own names and get fresh ids."""
    handler = lib.Recorder()
    root_id = uuid.uuid4()
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    run(chain, 1, {"callbacks": [handler], "run_name": "MyRoot", "run_id": root_id})
    assert handler.events.lines() == [
        "chain_start MyRoot R1<-None []",
        "chain_start add_one R2<-R1 ['seq:step:1']",
        "chain_end R2<-R1 ['seq:step:1']",
        "chain_start double R3<-R1 ['seq:step:2']",
        "chain_end R3<-R1 ['seq:step:2']",
        "chain_end R1<-None []",
    ]
    assert handler.events[0].run_id == root_id


def test_runnable_invoked_inside_lambda_without_config_nests(lib: Any, run: Any) -> None:
    """A runnable invoked inside a lambda with no config is a child of the lambda's run and
    inherits its tags and metadata (no step tag: a lambda adds none) (§3.4)."""
    handler = lib.Recorder()
    inner = lib.RunnableLambda(double)

    def outer(x: int) -> int:
        return inner.invoke(x)

    run(lib.RunnableLambda(outer), 1, {"callbacks": [handler], "tags": ["outer-tag"], "metadata": {"m": 1}})
    assert handler.events.lines() == [
        "chain_start outer R1<-None ['outer-tag']",
        "chain_start double R2<-R1 ['outer-tag']",
        "chain_end R2<-R1 ['outer-tag']",
        "chain_end R1<-None ['outer-tag']",
    ]
    assert handler.events[1].metadata == {"m": 1}


def test_chat_model_invoked_inside_lambda_without_config_nests(lib: Any, run: Any) -> None:
    """A chat model invoked inside a lambda with no config reports as the lambda's child with
    the lambda's tags (§3.4, "implicit contextvar")."""
    handler = lib.Recorder()
    model = lib.FakeListChatModel(responses=["inner answer"])

    def outer(question: str) -> Any:
        return model.invoke(question)

    result = run(lib.RunnableLambda(outer), "q", {"callbacks": [handler], "tags": ["outer-tag"]})
    assert result.content == "inner answer"
    assert handler.events.lines() == [
        "chain_start outer R1<-None ['outer-tag']",
        "chat_model_start FakeListChatModel R2<-R1 ['outer-tag']",
        "llm_end R2<-R1 ['outer-tag']",
        "chain_end R1<-None ['outer-tag']",
    ]


def test_lambda_passing_its_config_on_nests(lib: Any, run: Any) -> None:
    """A lambda that declares `config` gets the child config and passing it on nests the inner
    run; `run_name` renamed only the lambda's own run."""
    handler = lib.Recorder()
    inner = lib.RunnableLambda(double)

    def outer(x: int, config: Any) -> int:
        return inner.invoke(x, config)

    run(lib.RunnableLambda(outer), 1, {"callbacks": [handler], "tags": ["t1"], "run_name": "MyLambda"})
    assert handler.events.lines() == [
        "chain_start MyLambda R1<-None ['t1']",
        "chain_start double R2<-R1 ['t1']",
        "chain_end R2<-R1 ['t1']",
        "chain_end R1<-None ['t1']",
    ]


def test_runnable_invoked_in_context_thread_pool_executor_nests(lib: Any, run: Any) -> None:
    """`ContextThreadPoolExecutor` copies the context into its thread, so a runnable invoked
    there with no config still nests under the lambda that submitted it (§3.4)."""
    handler = lib.Recorder()
    inner = lib.RunnableLambda(double)

    def outer_ctp(x: int) -> int:
        with lib.ContextThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(inner.invoke, x).result()

    assert run(lib.RunnableLambda(outer_ctp), 1, {"callbacks": [handler]}) == 2
    assert handler.events.lines() == [
        "chain_start outer_ctp R1<-None []",
        "chain_start double R2<-R1 []",
        "chain_end R2<-R1 []",
        "chain_end R1<-None []",
    ]
    assert handler.events[1].thread != handler.events[0].thread


def test_plain_thread_does_not_carry_the_run(lib: Any, run: Any) -> None:
    """A plain `threading.Thread` does not copy the context: the inner run has no parent and no
    handlers, so it is not heard at all (no orphan root appears) (§3.4)."""
    handler = lib.Recorder()
    inner = lib.RunnableLambda(double)

    def outer_thread(x: int) -> int:
        box: list[int] = []
        thread = threading.Thread(target=lambda: box.append(inner.invoke(x)))
        thread.start()
        thread.join()
        return box[0]

    assert run(lib.RunnableLambda(outer_thread), 1, {"callbacks": [handler]}) == 2
    assert handler.events.lines() == [
        "chain_start outer_thread R1<-None []",
        "chain_end R1<-None []",
    ]


async def test_runnables_awaited_in_asyncio_tasks_inside_async_lambda_nest(lib: Any) -> None:
    """Runnables awaited in tasks created inside an async lambda (create_task, gather) are
    children of the lambda's run: tasks copy the context (Python 3.11+)."""
    handler = lib.Recorder()
    doubler, incrementer = lib.lambdas(double, add_one)

    async def fan_out(x: int) -> int:
        task = asyncio.create_task(doubler.ainvoke(x))
        doubled, incremented = await asyncio.gather(task, incrementer.ainvoke(x))
        return doubled + incremented

    assert await lib.RunnableLambda(fan_out).ainvoke(1, {"callbacks": [handler]}) == 4
    assert handler.events.tree(sort=True) == [
        "fan_out [] -> chain_end",
        "  add_one [] -> chain_end",
        "  double [] -> chain_end",
    ]


def test_runnable_invoked_inside_batch_worker_nests_under_its_own_input(lib: Any, run: Any) -> None:
    """In `batch`, each input's lambda runs in a worker thread (or task); a runnable it invokes
    with no config nests under that input's run, not another's."""
    handler = lib.Recorder()
    inner = lib.RunnableLambda(double)

    def outer(x: int) -> int:
        return inner.invoke(x)

    assert run.batch(lib.RunnableLambda(outer), [1, 2], {"callbacks": [handler]}) == [2, 4]
    assert handler.events.tree(sort=True, inputs=True) == [
        "outer [] input=1 -> chain_end",
        "  double [] input=1 -> chain_end",
        "outer [] input=2 -> chain_end",
        "  double [] input=2 -> chain_end",
    ]


def test_batch_with_one_config_gives_independent_roots(lib: Any, run: Any) -> None:
    """`batch([a, b], config)` gives one root per input, sharing no parent, each with its own
    correctly tagged children (§3.3)."""
    handler = lib.Recorder()
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    assert run.batch(chain, [1, 2], {"callbacks": [handler]}) == [4, 6]
    assert handler.events.tree(sort=True, inputs=True) == [
        "RunnableSequence [] input=1 -> chain_end",
        "  add_one ['seq:step:1'] input=1 -> chain_end",
        "  double ['seq:step:2'] input=2 -> chain_end",
        "RunnableSequence [] input=2 -> chain_end",
        "  add_one ['seq:step:1'] input=2 -> chain_end",
        "  double ['seq:step:2'] input=3 -> chain_end",
    ]
    assert [event.parent_run_id for event in handler.events.starts() if event.name == "RunnableSequence"] == [
        None,
        None,
    ]


def test_batch_with_a_config_per_input(lib: Any, run: Any) -> None:
    """A list of configs gives each input its own handlers and tags."""
    first, second = lib.Recorder("A"), lib.Recorder("B")
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    configs = [{"callbacks": [first], "tags": ["one"]}, {"callbacks": [second], "tags": ["two"]}]
    assert run.batch(chain, [1, 2], configs) == [4, 6]
    assert first.events.tree(inputs=True) == [
        "RunnableSequence ['one'] input=1 -> chain_end",
        "  add_one ['seq:step:1', 'one'] input=1 -> chain_end",
        "  double ['seq:step:2', 'one'] input=2 -> chain_end",
    ]
    assert second.events.tree(inputs=True) == [
        "RunnableSequence ['two'] input=2 -> chain_end",
        "  add_one ['seq:step:1', 'two'] input=2 -> chain_end",
        "  double ['seq:step:2', 'two'] input=3 -> chain_end",
    ]


def test_nothing_leaks_into_the_next_call(lib: Any, run: Any) -> None:
    """After a run with a handler finishes, calls without callbacks (of the same objects, and of
    an inner runnable directly) emit nothing to that handler."""
    handler = lib.Recorder()
    inner = lib.RunnableLambda(double)

    def outer(x: int) -> int:
        return inner.invoke(x)

    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(outer)
    run(chain, 1, {"callbacks": [handler]})
    heard = len(handler.events)
    assert heard == 8
    assert run(chain, 1) == 4
    assert run(inner, 1) == 2
    assert len(handler.events) == heard


# -- properties over random compositions ------------------------------------------------------

# A composition is "ok" / "fail" (a lambda leaf), or ("seq" | "par", [children]).
_OK = st.recursive(
    st.just("ok"),
    lambda kids: st.tuples(st.sampled_from(["seq", "par"]), st.lists(kids, min_size=2, max_size=3)),
    max_leaves=8,
)
# Failures only inside sequences: a failing parallel branch leaves its siblings racing, so what
# they emit is not deterministic in either library.
_MAY_FAIL = st.recursive(
    st.sampled_from(["ok", "fail"]),
    lambda kids: st.one_of(
        st.tuples(st.just("seq"), st.lists(kids, min_size=2, max_size=3)),
        st.tuples(st.just("par"), st.lists(_OK, min_size=2, max_size=3)),
    ),
    max_leaves=8,
)
_PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _build(lib: Any, spec: Any, counter: list[int]) -> Any:
    if spec in ("ok", "fail"):
        counter[0] += 1

        def leaf(x: Any, spec: str = spec) -> Any:
            if spec == "fail":
                raise ValueError("leaf failed")
            return x

        return lib.RunnableLambda(leaf, name=f"leaf{counter[0]}")
    kind, kids = spec
    built = [_build(lib, kid, counter) for kid in kids]
    if kind == "seq":
        return lib.RunnableSequence(*built)
    return lib.RunnableParallel({f"k{i}": kid for i, kid in enumerate(built)})


@_PROPERTY
@given(spec=_MAY_FAIL)
def test_every_start_has_exactly_one_terminal_event_in_random_compositions(
    lib: Any, run: Any, spec: Any
) -> None:
    """For any nesting of sequences and parallels (with failing leaves in sequences): one root,
    every other run's parent is a run already started, and every start has exactly one
    terminal event (an error on the root iff the call raised)."""
    handler = lib.Recorder()
    try:
        run(_build(lib, spec, [0]), 1, {"callbacks": [handler]})
        raised = False
    except ValueError:
        raised = True
    starts = handler.events.starts()
    started: set[Any] = set()
    for event in starts:
        assert event.parent_run_id is None or event.parent_run_id in started
        started.add(event.run_id)
    assert [event.parent_run_id for event in starts].count(None) == 1
    terminals = [event.run_id for event in handler.events if event.is_terminal]
    assert sorted(map(str, terminals)) == sorted(map(str, started))
    assert handler.events[-1].kind == ("chain_error" if raised else "chain_end")
    assert handler.events[-1].run_id == starts[0].run_id


@_PROPERTY
@given(spec=_OK)
def test_random_compositions_give_langchains_tree(runwire: Any, langchain: Any, run: Any, spec: Any) -> None:
    """For any nesting of sequences and parallels, runwire reports the same run tree (names,
    tags, inputs, terminal events) as langchain-core."""
    trees = []
    for lib in (langchain, runwire):
        handler = lib.Recorder()
        run(_build(lib, spec, [0]), 1, {"callbacks": [handler], "tags": ["t"]})
        trees.append(handler.events.tree(sort=True, inputs=True))
    assert trees[1] == trees[0]
