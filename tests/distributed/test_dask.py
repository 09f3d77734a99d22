"""DaskExecutor on a real LocalCluster: the driver's handlers hear what a local batch makes them
hear (same events, same tree), through worker loss, failures and unpicklable handlers."""

from __future__ import annotations

import os
import pickle
import signal
import time
from typing import Any

import pytest
from distributed_helpers import EventLog, check_pairing, make_chain, trees

from runwire.distributed import DaskExecutor
from runwire.runnables import RunnableLambda

pytest.importorskip("distributed")


def test_batch_of_1000_matches_a_local_batch(dask_client: Any) -> None:
    """1,000 inputs through lambda -> tool in a lambda -> fake chat model -> parser: same outputs,
    same multiset of events and the same normalised run tree as the local batch."""
    chain, inputs = make_chain(), list(range(1000))
    local, remote = EventLog(), EventLog()
    expected = chain.batch(inputs, {"callbacks": [local], "tags": ["nightly"], "metadata": {"k": 1}})
    got = chain.batch(
        inputs,
        {"callbacks": [remote], "tags": ["nightly"], "metadata": {"k": 1}},
        executor=DaskExecutor(dask_client, chunk_size=100),
    )
    assert got == expected
    assert len(remote.events) == len(local.events) == 1000 * 12
    check_pairing(remote.events)
    assert trees(remote.events) == trees(local.events)
    names = {kw.get("name") for event, _, kw in remote.events if event.endswith("_start")}
    assert {"add_one", "GenericFakeChatModel", "StrOutputParser"} <= names


def test_the_handler_stays_on_the_driver(dask_client: Any) -> None:
    """A handler holding a lock and a lambda cannot be pickled; it still hears every run."""
    log = EventLog()
    with pytest.raises(TypeError):
        pickle.dumps(log)
    chain = make_chain() | RunnableLambda(_pid)
    pids = chain.batch(list(range(10)), {"callbacks": [log]}, executor=DaskExecutor(dask_client))
    assert os.getpid() not in pids  # the chain ran on the workers ...
    assert len(log.events) == 10 * 14  # ... and this very object heard every run
    root_outputs = {args[0] for event, args, kw in log.events if event == "on_chain_end" and not kw["tags"]}
    assert root_outputs == set(pids)


def _pid(_: Any) -> int:
    return os.getpid()


def _slow(x: int) -> int:
    time.sleep(0.01)
    return x


def test_a_killed_worker_loses_nothing_and_duplicates_nothing(dask_client: Any) -> None:
    """Kill a worker mid-batch: Dask reruns its chunks; every input's result arrives once and no
    event is delivered twice (a chunk's events travel with its result)."""
    chain = RunnableLambda(_slow) | make_chain()
    inputs = list(range(200))
    local, remote = EventLog(), EventLog()
    chain.batch(inputs, {"callbacks": [local]})
    seen: list[int] = []
    killed = None
    executor = DaskExecutor(dask_client, chunk_size=10, max_in_flight=6)
    for index, _ in chain.batch_as_completed(inputs, {"callbacks": [remote]}, executor=executor):
        seen.append(index)
        if killed is None:
            busy = [addr for addr, keys in dask_client.processing().items() if keys]
            assert busy, "no chunk in flight to lose"
            pids = dask_client.run(os.getpid, workers=busy[:1])
            killed = next(iter(pids.values()))
            os.kill(killed, signal.SIGKILL)
    assert killed is not None
    assert sorted(seen) == inputs
    check_pairing(remote.events)
    assert trees(remote.events) == trees(local.events)
    dask_client.wait_for_workers(2, timeout=30)  # the nanny restarts it for the next tests


@pytest.mark.parametrize("return_exceptions", [True, False])
def test_failing_inputs_follow_return_exceptions(dask_client: Any, return_exceptions: bool) -> None:
    """Inputs that raise come back in place (or the first one is raised, after every input ran),
    and their error events reach the driver as in a local batch."""
    chain, inputs = make_chain(fail_on_sevens=True), list(range(1, 101))
    local, remote = EventLog(), EventLog()
    executor = DaskExecutor(dask_client, chunk_size=20)
    if return_exceptions:
        expected = chain.batch(inputs, {"callbacks": [local]}, return_exceptions=True)
        got = chain.batch(inputs, {"callbacks": [remote]}, return_exceptions=True, executor=executor)
        assert [repr(x) for x in got] == [repr(x) for x in expected]
        assert sum(isinstance(x, ValueError) for x in got) == 14
    else:
        with pytest.raises(ValueError, match=r"no sevens: 7$"):
            chain.batch(inputs, {"callbacks": [local]})
        with pytest.raises(ValueError, match=r"no sevens: 7$"):
            chain.batch(inputs, {"callbacks": [remote]}, executor=executor)
    check_pairing(remote.events)
    assert trees(remote.events) == trees(local.events)


async def test_abatch_matches_a_local_abatch(dask_client: Any) -> None:
    """`abatch(executor=...)` replays on the running loop; same outputs and tree as local."""
    chain, inputs = make_chain(), list(range(100))
    local, remote = EventLog(), EventLog()
    expected = await chain.abatch(inputs, {"callbacks": [local]})
    got = await chain.abatch(
        inputs, {"callbacks": [remote]}, executor=DaskExecutor(dask_client, chunk_size=30)
    )
    assert got == expected
    assert trees(remote.events) == trees(local.events)


def test_an_address_or_the_current_client_will_do(dask_client: Any) -> None:
    """`DaskExecutor("tcp://...")` connects its own client (closed by `close()`); with no argument
    it uses the current default client."""
    chain = make_chain()
    with DaskExecutor(dask_client.scheduler.address, chunk_size=5) as executor:
        assert chain.batch(list(range(10)), executor=executor) == ["it is a number"] * 10
        own = executor.client
        assert own is not dask_client
    assert own.status == "closed"
    with dask_client.as_current():
        assert DaskExecutor().client is dask_client
