"""The remote run protocol on a spawned ProcessPoolExecutor (stdlib only): the driver's handlers
hear what a local batch makes them hear, whatever shape their attach point has."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from distributed_helpers import EventLog, check_pairing, make_chain, trees

from runwire.callbacks import (
    AsyncCallbackHandler,
    BaseCallbackHandler,
    CallbackManager,
    dispatch_custom_event,
)
from runwire.distributed import ProcessExecutor
from runwire.runnables import RunnableLambda


def test_batch_matches_a_local_batch(processes: ProcessExecutor) -> None:
    """The 3-step chain with a tool: same outputs, same events, same normalised tree as local."""
    chain, inputs = make_chain(), list(range(300))
    local, remote = EventLog(), EventLog()
    config = {"tags": ["eval"], "metadata": {"run": 7}}
    expected = chain.batch(inputs, {**config, "callbacks": [local]})
    got = chain.batch(inputs, {**config, "callbacks": [remote]}, executor=processes)
    assert got == expected
    assert len(remote.events) == len(local.events) == 300 * 12
    check_pairing(remote.events)
    assert trees(remote.events) == trees(local.events)


def _custom(x: int) -> int:
    dispatch_custom_event("progress", {"x": x})
    return x


def test_runs_nest_under_the_drivers_current_run(processes: ProcessExecutor) -> None:
    """Called inside a run on the driver with no config, the remote roots are its children (as
    locally), and custom events from the workers reach the driver's handlers."""
    chain = RunnableLambda(_custom) | make_chain()
    local, remote = EventLog(), EventLog()
    RunnableLambda(lambda xs: chain.batch(xs)).invoke([1, 2, 3], {"callbacks": [local]})
    RunnableLambda(lambda xs: chain.batch(xs, executor=processes)).invoke([1, 2, 3], {"callbacks": [remote]})
    check_pairing(remote.events)
    outer = remote.events[0][2]["run_id"]
    roots = [kw for e, _, kw in remote.events if e == "on_chain_start" and kw["parent_run_id"] == outer]
    assert len(roots) == 3
    customs = [args[1] for e, args, _ in remote.events if e == "on_custom_event"]
    assert sorted(c["x"] for c in customs) == [1, 2, 3]
    assert trees(remote.events) == trees(local.events)


class RootOnly(BaseCallbackHandler):
    def __init__(self) -> None:
        self.names: list[str] = []

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.names.append(kwargs["name"])


def test_a_managers_local_handlers_hear_only_the_root_runs(processes: ProcessExecutor) -> None:
    """A CallbackManager's non-inheritable handlers hear each input's root run only; inheritable
    ones hear everything; the parent, tags and metadata it carries apply as locally."""
    parent = UUID("01a213f3-2b41-7859-8006-1d6d0fe4b09f")
    chain, inputs = make_chain(), list(range(40))

    def run(executor: Any) -> tuple[RootOnly, EventLog]:
        root_only, everything = RootOnly(), EventLog()
        manager = CallbackManager(
            [root_only, everything], [everything], parent, tags=["own"], inheritable_tags=["inh"]
        )
        chain.batch(inputs, {"callbacks": manager}, executor=executor)
        return root_only, everything

    (local_root, local_all), (remote_root, remote_all) = run(None), run(processes)
    assert remote_root.names == local_root.names == ["RunnableSequence"] * 40
    check_pairing(remote_all.events)
    assert trees(remote_all.events) == trees(local_all.events)


class PromptsOnly(BaseCallbackHandler):
    """A handler without on_chat_model_start: chat starts reach it as string prompts."""

    def __init__(self) -> None:
        self.prompts: list[list[str]] = []

    def on_llm_start(self, serialized: Any, prompts: list[str], **kwargs: Any) -> None:
        self.prompts.append(prompts)


def test_chat_starts_fall_back_to_llm_start_on_the_driver(processes: ProcessExecutor) -> None:
    """Which method hears a chat start is decided on the driver, as locally."""
    local, remote = PromptsOnly(), PromptsOnly()
    make_chain().batch([1, 2], {"callbacks": [local]})
    make_chain().batch([1, 2], {"callbacks": [remote]}, executor=processes)
    assert remote.prompts == local.prompts == [["Human: what is 2?"], ["Human: what is 3?"]]


class Tokens(BaseCallbackHandler):
    wants_tokens = True

    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


def test_a_handler_that_wants_tokens_gets_them_from_the_workers(processes: ProcessExecutor) -> None:
    """`wants_tokens` travels: the worker's model streams, and each token reaches the driver."""
    local, remote = Tokens(), Tokens()
    make_chain().batch([1], {"callbacks": [local]})
    make_chain().batch([1], {"callbacks": [remote]}, executor=processes)
    assert remote.tokens == local.tokens
    assert "".join(remote.tokens) == "it is a number"


class AsyncLog(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.events: list[str] = []

    async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.events.append("on_chain_start")

    async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.events.append("on_chain_end")


async def test_abatch_awaits_async_handlers_on_the_loop(processes: ProcessExecutor) -> None:
    """Under abatch, replayed events await async handlers on the running loop."""
    log = AsyncLog()
    got = await make_chain().abatch(list(range(30)), {"callbacks": [log]}, executor=processes)
    assert got == ["it is a number"] * 30
    assert log.events.count("on_chain_start") == log.events.count("on_chain_end") == 30 * 4


@pytest.mark.parametrize("return_exceptions", [True, False])
def test_failing_inputs_follow_return_exceptions(processes: ProcessExecutor, return_exceptions: bool) -> None:
    """Errors come back in place, or the first is raised after every input ran; error events as local."""
    chain, inputs = make_chain(fail_on_sevens=True), list(range(1, 61))
    local, remote = EventLog(), EventLog()
    if return_exceptions:
        expected = chain.batch(inputs, {"callbacks": [local]}, return_exceptions=True)
        got = chain.batch(inputs, {"callbacks": [remote]}, return_exceptions=True, executor=processes)
        assert [repr(x) for x in got] == [repr(x) for x in expected]
    else:
        with pytest.raises(ValueError, match=r"no sevens: 7$"):
            chain.batch(inputs, {"callbacks": [local]})
        with pytest.raises(ValueError, match=r"no sevens: 7$"):
            chain.batch(inputs, {"callbacks": [remote]}, executor=processes)
    check_pairing(remote.events)
    assert trees(remote.events) == trees(local.events)


def test_per_input_configs_keep_their_run_ids(processes: ProcessExecutor) -> None:
    """One config per input: each root run gets the run_id its config names."""
    ids = [UUID(int=i + 1) for i in range(5)]
    log = EventLog()
    make_chain().batch(list(range(5)), [{"callbacks": [log], "run_id": i} for i in ids], executor=processes)
    roots = [kw["run_id"] for e, _, kw in log.events if e == "on_chain_start" and kw["parent_run_id"] is None]
    assert sorted(roots) == ids


def test_batch_as_completed_consumes_inputs_lazily(process_pool: Any) -> None:
    """A generator of inputs is read a window at a time: memory stays bounded."""
    read = [0]

    def inputs() -> Iterator[int]:
        for i in range(1000):
            read[0] += 1
            yield i

    executor = ProcessExecutor(executor=process_pool, chunk_size=10, max_in_flight=2)
    stream = make_chain().batch_as_completed(inputs(), executor=executor)  # type: ignore[arg-type]
    first = next(stream)
    assert read[0] <= 10 * 3 + 1
    rest = list(stream)
    assert sorted(i for i, _ in [first, *rest]) == list(range(1000))


def test_progress_shows_done_and_rate(processes: ProcessExecutor, capsys: pytest.CaptureFixture[str]) -> None:
    """`progress=True` reports inputs done of the total, and events per second, on stderr."""
    executor = ProcessExecutor(executor=processes._executor, chunk_size=10, progress=True)
    make_chain().batch(list(range(30)), {"callbacks": [EventLog()]}, executor=executor)
    err = capsys.readouterr().err
    assert "30/30" in err
    assert "events/s" in err


async def test_abatch_as_completed_yields_each_index_once(processes: ProcessExecutor) -> None:
    """The async stream hands over every input once, each chunk after its events."""
    log = EventLog()
    seen = [
        index
        async for index, _ in make_chain().abatch_as_completed(
            list(range(60)), {"callbacks": [log]}, executor=processes
        )
    ]
    assert sorted(seen) == list(range(60))
    check_pairing(log.events)


def test_bound_runnables_and_empty_batches(processes: ProcessExecutor) -> None:
    """`with_config`/`bind` pass the executor through; an empty batch submits nothing."""
    log = EventLog()
    bound = make_chain().with_config(tags=["bound"])
    assert bound.batch([1, 2], {"callbacks": [log]}, executor=processes) == ["it is a number"] * 2
    assert all("bound" in kw["tags"] for _, _, kw in log.events)
    with ProcessExecutor(1) as owned:
        assert make_chain().batch([], executor=owned) == []
        assert owned._executor is None  # the pool is only started for work
