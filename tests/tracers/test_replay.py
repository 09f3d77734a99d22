"""Record and replay: a recorded run re-run with model replies served from the trace."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from runwire.language_models import FakeListChatModel
from runwire.prompts import ChatPromptTemplate
from runwire.runnables import RunnableLambda
from runwire.tracers import ReplayError, TraceStore, collect_runs, replay_from
from runwire.tracers.sqlite import SQLiteTracer
from runwire.tracers.store import iter_export

from .helpers import model, qa_chain, record, reply, silent_model, twice_chain


def _shape(run: Any) -> list[Any]:
    """The event tree without ids and times: name, type, status, output, children."""
    outputs = run.outputs
    if run.run_type == "llm" and outputs is not None:
        outputs = [g["message"]["content"] for g in outputs["generations"][0]]
    return [run.name, run.run_type, run.status, outputs, [_shape(child) for child in run.child_runs]]


def _recorded(tmp_path: Path, chain: Any, given: Any) -> tuple[Path, str, Any, Any]:
    """Record one run of `chain` into a store; return (db, root id, output, collected tree)."""
    db = tmp_path / "t.db"
    tracer = SQLiteTracer(db)
    with collect_runs() as collector:
        output = chain.invoke(given, {"callbacks": [tracer]})
    tracer.close()
    with TraceStore(db) as store:
        return db, store.resolve("latest"), output, collector.traced_runs[0]


@pytest.mark.parametrize(
    ("recorded_chain", "replayed_chain", "given"),
    [
        (qa_chain, lambda: qa_chain(silent_model()), {"number": "2"}),
        (twice_chain, lambda: twice_chain(silent_model()), "why?"),
    ],
    ids=["prompt-model-parser", "lambda-calling-a-model-twice"],
)
def test_replay_gives_the_same_output_and_tree_without_calling_the_model(
    tmp_path: Path, recorded_chain: Any, replayed_chain: Any, given: Any
) -> None:
    """Replaying a stored run returns the recorded output, and the run tree is the same, while
    the model (which raises if called) is never reached."""
    db, root_id, output, original = _recorded(tmp_path, recorded_chain(), given)
    with collect_runs() as collector, replay_from(db, root_id) as replay:
        again = replayed_chain().invoke(given)
    assert again == output
    assert _shape(collector.traced_runs[0]) == _shape(original)
    assert replay.remaining == 0
    assert replay.divergences == []


def test_replayed_messages_are_the_recorded_ones(tmp_path: Path) -> None:
    """The replayed reply keeps the recorded message: content, id, usage and metadata."""
    db, root_id, _, original = _recorded(tmp_path, model(reply("hi", (3, 1))), "hello")
    with replay_from(db, root_id):
        message = silent_model().invoke("hello")
    assert message.content == "hi"
    assert message.id == original.outputs["generations"][0][0]["message"]["id"]
    assert message.usage_metadata == {"input_tokens": 3, "output_tokens": 1, "total_tokens": 4}


def test_replay_from_an_export_file_and_from_collected_runs(tmp_path: Path) -> None:
    """`json` and `jsonl` exports and a collector's runs replay like the store."""
    db, root_id, output, original = _recorded(tmp_path, qa_chain(), {"number": "5"})
    with TraceStore(db) as store:
        for fmt in ("json", "jsonl"):
            (tmp_path / f"trace.{fmt}").write_text("\n".join(iter_export(store, root_id, fmt)))
    for source in (tmp_path / "trace.json", tmp_path / "trace.jsonl", original, [original]):
        with replay_from(source) as replay:
            assert qa_chain(silent_model()).invoke({"number": "5"}) == output
        assert replay.served == 1


def test_replay_serves_async_and_streamed_calls(tmp_path: Path) -> None:
    """`ainvoke` and `stream` are answered from the recording too (a stream in one chunk)."""
    db, root_id, output, _ = _recorded(tmp_path, twice_chain(), "q")
    with replay_from(db, root_id):
        assert asyncio.run(twice_chain(silent_model()).ainvoke("q")) == output
    with replay_from(db, root_id):
        chunks = list(silent_model().stream("q")) + list(silent_model().stream("q"))
    assert [c.content for c in chunks] == ["first", "second"]


def test_a_call_the_recording_cannot_answer_fails_in_strict_mode(tmp_path: Path) -> None:
    """Strict replay raises instead of calling the model; non-strict calls it."""
    db, root_id, _, _ = _recorded(tmp_path, qa_chain(), {"number": "2"})
    chain = qa_chain(silent_model())
    with replay_from(db, root_id):
        chain.invoke({"number": "2"})
        with pytest.raises(ReplayError, match="no unserved reply for 'GenericFakeChatModel'"):
            chain.invoke({"number": "2"})
    with replay_from(db, root_id, strict=False):
        chain.invoke({"number": "2"})
        assert qa_chain(model("live")).invoke({"number": "2"}) == "live"


def test_a_changed_prompt_is_reported_as_a_divergence(tmp_path: Path) -> None:
    """Replay still answers when the messages differ, and says which call diverged."""
    db, root_id, _, _ = _recorded(tmp_path, qa_chain(), {"number": "2"})
    with replay_from(db, root_id) as replay:
        qa_chain(silent_model()).invoke({"number": "7"})
    assert replay.divergences == [
        "call 1 to GenericFakeChatModel: recorded 'Human: What is 1 + 2?', replayed 'Human: What is 1 + 7?'"
    ]


def test_replay_is_scoped_to_its_block(tmp_path: Path) -> None:
    """Outside the block (and in no other context) models are called as usual."""
    db, root_id, _, _ = _recorded(tmp_path, qa_chain(), {"number": "2"})
    with replay_from(db, root_id):
        pass
    assert qa_chain(model("live")).invoke({"number": "2"}) == "live"


def test_a_trace_stored_without_content_cannot_be_replayed(tmp_path: Path) -> None:
    """A run recorded with content policy none has no replies to serve: a clear error."""
    from runwire.tracers import NONE

    db = tmp_path / "none.db"
    record(db, [(qa_chain(), {"number": "2"})], content=NONE)
    with pytest.raises(ReplayError, match="holds no reply"), replay_from(db):
        qa_chain(silent_model()).invoke({"number": "2"})


def test_recordings_are_plain_json(tmp_path: Path) -> None:
    """What replay reads is JSON text (no pickle): the export parses with json.loads."""
    db, root_id, _, _ = _recorded(tmp_path, qa_chain(), {"number": "2"})
    with TraceStore(db) as store:
        tree = json.loads("".join(iter_export(store, root_id, "json")))
    assert tree["child_runs"][1]["outputs"]["generations"][0][0]["message"]["content"] == "The answer is 3."


def _two_models(first: Any, planner: Any) -> Any:
    """prompt | a model | a lambda | the `planner` model: two chat models of one class in one chain."""
    return (
        ChatPromptTemplate.from_template("Plan {goal}")
        | first
        | RunnableLambda(lambda message: f"Refine: {message.content}")
        | planner.with_config(run_name="planner")
    )


def test_each_model_gets_its_own_replies_by_tree_position(tmp_path: Path) -> None:
    """Two models of one class, one renamed `planner`: each call is matched to its recording by
    its path in the run tree, in strict and non-strict mode alike."""
    chain = _two_models(FakeListChatModel(responses=["draft"]), FakeListChatModel(responses=["plan"]))
    db, root_id, output, _ = _recorded(tmp_path, chain, {"goal": "a trip"})
    assert output.content == "plan"
    for strict in (True, False):
        replayed = _two_models(FakeListChatModel(responses=[]), FakeListChatModel(responses=[]))
        with replay_from(db, root_id, strict=strict) as replay:
            assert replayed.invoke({"goal": "a trip"}).content == "plan"
        assert (replay.served, replay.divergences) == (2, [])


def test_a_recorded_chain_replays_inside_another_run(tmp_path: Path) -> None:
    """The recorded chain invoked as a step of a new outer chain still gets its replies."""
    chain = _two_models(FakeListChatModel(responses=["draft"]), FakeListChatModel(responses=["plan"]))
    db, root_id, _, _ = _recorded(tmp_path, chain, {"goal": "a trip"})
    inner = _two_models(FakeListChatModel(responses=[]), FakeListChatModel(responses=[]))
    outer = RunnableLambda(lambda goal: inner.invoke({"goal": goal}))
    with replay_from(db, root_id) as replay:
        assert outer.invoke("a trip").content == "plan"
    assert replay.served == 2


def test_a_reply_recorded_for_another_call_is_never_served(tmp_path: Path) -> None:
    """A call at a position the recording has no call for is refused (strict) or sent to the
    model (non-strict), even when a model of that class has unserved replies elsewhere."""
    chain = _two_models(FakeListChatModel(responses=["draft"]), FakeListChatModel(responses=["plan"]))
    db, root_id, _, _ = _recorded(tmp_path, chain, {"goal": "a trip"})
    same = RunnableLambda(lambda text: text)
    elsewhere = same | same | FakeListChatModel(responses=["live"])  # step 3: the recording had a lambda
    with replay_from(db, root_id, strict=False):
        assert elsewhere.invoke("x").content == "live"
    expected = r"at RunnableSequence > FakeListChatModel \(seq:step:3\)"
    with pytest.raises(ReplayError, match=expected), replay_from(db, root_id):
        elsewhere.invoke("x")


def test_an_agent_run_replays_without_its_models(tmp_path: Path) -> None:
    """A tool-calling agent (three model turns and a model called inside a tool) replays whole."""
    from viewer.traces import agent

    db, root_id, output, _ = _recorded(tmp_path, agent(), {"input": "What is (2 + 3) * 4?"})
    with replay_from(db, root_id) as replay:
        assert agent(replies=False).invoke({"input": "What is (2 + 3) * 4?"}) == output
    assert (replay.served, replay.remaining, replay.divergences) == (4, 0, [])
