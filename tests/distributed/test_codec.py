"""How a chunk is pickled (distributed/codec.py): what the driver unpickles equals what the
worker recorded, and the collector stays off while a worker records a chunk."""

from __future__ import annotations

import gc
import pickle
import threading
import uuid
from concurrent.futures import Future
from typing import Any

import cloudpickle
from distributed_helpers import EventLog, check_pairing, make_chain, trees

from runwire.distributed import RemoteExecutor, codec
from runwire.distributed.replay import listeners_for
from runwire.distributed.wire import ChunkTask, decode, run_chunk
from runwire.documents import Document
from runwire.messages import AIMessage, HumanMessage
from runwire.outputs import ChatGeneration, LLMResult


class _Noted(HumanMessage):  # a user subclass without __slots__: it has a __dict__
    pass


def _same(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    assert repr(a) == repr(b)
    if hasattr(type(a), "_slots"):
        for name, slot in type(a)._slots:
            try:
                expected = slot.__get__(a)
            except AttributeError:
                expected = AttributeError
            try:
                got = slot.__get__(b)
            except AttributeError:
                got = AttributeError
            assert got == expected, name


def test_ids_messages_and_outputs_come_back_equal() -> None:
    run_id = uuid.uuid4()
    ai = AIMessage(
        "x",
        id="run-1",
        tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c1"}],
        usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
    )
    noted = _Noted("hi")
    noted.note = "kept"  # type: ignore[attr-defined]
    values = [
        run_id,
        uuid.UUID(int=0),
        HumanMessage("q", name="me"),
        ai,
        LLMResult(generations=[[ChatGeneration(message=ai)]], llm_output={"k": [1]}),
        noted,
        Document(page_content="doc", metadata={"s": 1}),
    ]
    back = pickle.loads(codec.dumps(values))
    for original, copy in zip(values, back, strict=True):
        _same(original, copy)
    assert back[0] == run_id
    assert str(back[0]) == str(run_id)
    assert hash(back[0]) == hash(run_id)
    assert back[0].is_safe is uuid.SafeUUID.unknown
    flagged = uuid.UUID(int=5, is_safe=uuid.SafeUUID.safe)
    assert pickle.loads(codec.dumps(flagged)).is_safe is uuid.SafeUUID.safe
    assert back[5].note == "kept"
    # one object sent twice is one object on the driver (the payload of two events)
    again = pickle.loads(codec.dumps([ai, ai, run_id, run_id]))
    assert again[0] is again[1]
    assert again[2] is again[3]


def test_a_slot_set_where_its_class_usually_leaves_it_unset_still_travels() -> None:
    """The compact form of a class is judged on its first instance; one that differs (a slot
    usually unset is set) takes the default path and loses nothing."""
    slot = dict(HumanMessage._slots)["type"]
    usual, odd = HumanMessage("a"), HumanMessage("b")
    slot.__set__(odd, "unusual")
    usual_back, odd_back = pickle.loads(codec.dumps([usual, odd]))
    _same(usual, usual_back)
    assert slot.__get__(odd_back) == "unusual"
    _same(odd, odd_back)


def test_no_collection_runs_while_a_worker_records_a_chunk() -> None:
    """The records of a chunk are thousands of live containers: the collector waits until the
    chunk is encoded instead of walking them again and again (it ran ~150 times per 2,000
    inputs before), and is enabled again afterwards."""
    audience = listeners_for({"callbacks": [_Counting()]}).audience
    task = ChunkTask(
        "codec-" + str(id(audience)),
        cloudpickle.dumps(make_chain()),
        [(i, i, {}, 0) for i in range(300)],
        (audience,),
    )
    passes: list[int] = []

    def count(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(count)
    try:
        outcomes, records = decode(run_chunk(task))
    finally:
        gc.callbacks.remove(count)
    assert len(outcomes) == 300
    assert len(records) == 300 * 8
    assert len(passes) <= 2  # one as each pause ends (run_chunk, decode); unpaused: ~25
    assert gc.isenabled()


def test_the_pause_is_shared_by_threads_and_keeps_a_disabled_collector_disabled() -> None:
    entered, release = threading.Barrier(3), threading.Event()

    def hold() -> None:
        with codec.collector_paused():
            entered.wait()
            release.wait()

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for thread in threads:
        thread.start()
    entered.wait()
    assert not gc.isenabled()
    with codec.collector_paused():
        pass
    assert not gc.isenabled()  # the others are still inside
    release.set()
    for thread in threads:
        thread.join()
    assert gc.isenabled()
    gc.disable()
    try:
        with codec.collector_paused():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


class _Counting:
    def __init__(self) -> None:
        self.n = 0

    def on_chain_start(self, *args: Any, **kwargs: Any) -> None:
        self.n += 1

    def on_chain_end(self, *args: Any, **kwargs: Any) -> None:
        self.n += 1


class _Inline(RemoteExecutor):
    """Runs each chunk here, at submit time, and counts the round trips."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.submitted = 0

    def _submit(self, task: ChunkTask) -> Future[bytes]:
        self.submitted += 1
        future: Future[bytes] = Future()
        future.set_result(run_chunk(pickle.loads(pickle.dumps(task))))
        return future


def test_one_round_trip_per_chunk_carries_its_events() -> None:
    """250 inputs in chunks of 100: three submissions, no other channel, and the driver's handler
    hears the same events and run tree as a local batch."""
    chain, inputs = make_chain(), list(range(250))
    local, remote = EventLog(), EventLog()
    executor = _Inline(chunk_size=100)
    expected = chain.batch(inputs, {"callbacks": [local]})
    assert chain.batch(inputs, {"callbacks": [remote]}, executor=executor) == expected
    assert executor.submitted == 3
    assert len(remote.events) == len(local.events) == 250 * 12
    check_pairing(remote.events)
    assert trees(remote.events) == trees(local.events)
