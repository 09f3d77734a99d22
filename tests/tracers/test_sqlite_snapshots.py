"""SQLiteTracer defers serialisation to its writer thread: what it stores is still each payload as
it was when the event fired, whatever user code does to it afterwards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runwire.runnables import RunnableLambda
from runwire.tracers import TraceStore
from runwire.tracers.content import snapshot
from runwire.tracers.sqlite import SQLiteTracer


def _asleep(db: Path) -> SQLiteTracer:
    """A tracer whose writer stores nothing until `flush()`: every payload waits in the queue."""
    return SQLiteTracer(db, flush_interval=3600, batch_size=10**9, max_queue=10**9)


def _stored(db: Path) -> dict[str, dict[str, Any]]:
    with TraceStore(db) as store:
        root = store.traces(limit=1)[0]
        return {record["name"]: record for record in store.records(root["id"])}


def test_a_reused_input_dict_is_stored_as_it_was_at_each_call(tmp_path: Path) -> None:
    """The common loop `inputs["q"] = q; chain.invoke(inputs)` must not store the last q everywhere."""
    db = tmp_path / "t.db"
    tracer = _asleep(db)
    echo = RunnableLambda(lambda d: {"answer": d["q"], "seen": list(d["history"])}, name="echo")
    inputs: dict[str, Any] = {"q": "first", "history": ["a"]}
    out = echo.invoke(inputs, {"callbacks": [tracer]})
    inputs["q"] = "second"  # top level
    inputs["history"].append("b")  # nested
    out["answer"] = "edited"
    out["seen"].append("edited")
    assert tracer.flush()
    tracer.close()
    run = _stored(db)["echo"]
    assert run["inputs"] == {"q": "first", "history": ["a"]}
    assert run["outputs"] == {"answer": "first", "seen": ["a"]}


def test_a_step_editing_its_input_in_place_does_not_rewrite_the_previous_steps_output(
    tmp_path: Path,
) -> None:
    """`lambda d: d.update(...) or d` edits the dict the step before returned, after that step ended."""
    db = tmp_path / "t.db"
    tracer = _asleep(db)

    def make(x: int) -> dict[str, Any]:
        return {"x": x, "tags": ["made"]}

    def enrich(d: dict[str, Any]) -> dict[str, Any]:
        d["y"] = d["x"] * 2
        d["tags"].append("enriched")
        return d

    chain = RunnableLambda(make, name="make") | RunnableLambda(enrich, name="enrich")
    assert chain.invoke(1, {"callbacks": [tracer]}) == {"x": 1, "y": 2, "tags": ["made", "enriched"]}
    assert tracer.flush()
    tracer.close()
    runs = _stored(db)
    assert runs["make"]["outputs"] == {"x": 1, "tags": ["made"]}
    assert runs["enrich"]["inputs"] == {"x": 1, "tags": ["made"]}
    assert runs["enrich"]["outputs"] == {"x": 1, "y": 2, "tags": ["made", "enriched"]}


def test_a_custom_event_payload_is_stored_as_it_was_dispatched(tmp_path: Path) -> None:
    from runwire.callbacks import dispatch_custom_event

    db = tmp_path / "t.db"
    tracer = _asleep(db)

    def step(x: int) -> int:
        progress = {"done": [1]}
        dispatch_custom_event("progress", progress)
        progress["done"].append(2)
        return x

    RunnableLambda(step, name="step").invoke(1, {"callbacks": [tracer]})
    assert tracer.flush()
    tracer.close()
    with TraceStore(db) as store:
        root = store.traces(limit=1)[0]
        events = [e for r in store.records(root["id"]) for e in r.get("events") or ()]
    custom = [e["kwargs"] for e in events if e["name"] == "custom"]
    assert custom == [{"name": "progress", "data": {"done": [1]}}]


def test_snapshot_copies_plain_containers_at_every_depth_and_shares_objects() -> None:
    class Box:
        pass

    box = Box()
    flat = {"a": 1, "b": "x"}
    nested = {"k": [1, {"deep": [2]}], "t": (3, [4]), "box": box, "flat": (5, 6)}
    copied = snapshot(nested)
    assert copied == nested
    assert copied is not nested
    assert copied["k"] is not nested["k"]
    assert copied["k"][1]["deep"] is not nested["k"][1]["deep"]
    assert copied["t"][1] is not nested["t"][1]
    assert copied["box"] is box  # objects are shared, not copied
    assert copied["flat"] is nested["flat"]  # a tuple of scalars is already frozen
    assert snapshot(flat) == flat
    assert snapshot(flat) is not flat
    assert snapshot(box) is box
    looped: list[Any] = []
    looped.append(looped)
    assert snapshot(looped) is not looped  # a cycle is cut at the depth bound, not a RecursionError
