"""Background delivery: a slow handler never slows the run, and nothing is silently lost."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from runwire.callbacks import BackgroundHandler, BaseCallbackHandler
from runwire.runnables import RunnableLambda

from .recorder import Recorder


def _chain() -> Any:
    return RunnableLambda(lambda x: x + 1) | RunnableLambda(lambda x: x * 2)


class Slow(BaseCallbackHandler):
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.events: list[str] = []
        self.threads: set[str] = set()

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        time.sleep(self.delay)
        self.threads.add(threading.current_thread().name)
        self.events.append("start")

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        time.sleep(self.delay)
        self.events.append("end")


def test_background_handler_hears_every_event_in_order_on_its_own_thread() -> None:
    """Events arrive in order, on the worker thread, after `flush()`."""
    inner = Recorder()
    background = BackgroundHandler(inner)
    _chain().invoke(1, {"callbacks": [background]})
    assert background.flush(5)
    assert [e[0] for e in inner.events] == ["on_chain_start"] * 2 + ["on_chain_end", "on_chain_start"] + [
        "on_chain_end"
    ] * 2
    assert inner.threads == {"runwire-background-Recorder"}
    assert (background.delivered, background.dropped, background.errors) == (6, 0, 0)
    inner.check_pairing()
    background.close()


def test_a_slow_background_handler_does_not_slow_the_run() -> None:
    """A handler sleeping 50 ms per event does not hold the run: the calls return while most of
    their 30 events are still queued (1.5 s of handler work)."""
    slow = Slow(0.05)
    background = BackgroundHandler(slow)
    for _ in range(5):
        _chain().invoke(1, {"callbacks": [background]})
    assert background.queue_depth + background.delivered == 30
    assert background.delivered < 30
    background.close(timeout=10)
    assert background.delivered == 30


@pytest.mark.parametrize(("on_full", "kept"), [("drop_new", ["start"]), ("drop_old", ["end"])])
def test_full_queue_drops_as_configured_and_counts(on_full: str, kept: list[str]) -> None:
    """With a one-slot queue and a blocked worker, drop_new keeps the first event, drop_old the last."""
    release = threading.Event()

    class Gate(BaseCallbackHandler):
        def __init__(self) -> None:
            self.events: list[str] = []

        def on_text(self, text: str, **kwargs: Any) -> None:
            release.wait(5)
            self.events.append(text)

    gate = Gate()
    background = BackgroundHandler(gate, max_queue=1, on_full=on_full)
    background.on_text("blocker")  # taken by the worker, which now waits on the gate
    deadline = time.monotonic() + 5
    while background.queue_depth and time.monotonic() < deadline:
        time.sleep(0.001)
    background.on_text("start")
    background.on_text("middle")
    background.on_text("end")
    release.set()
    background.close(timeout=5)
    assert gate.events == ["blocker", *kept]
    assert background.dropped == 2


def test_a_failing_background_handler_is_counted_and_logged() -> None:
    """An exception in the background handler is counted; the run and later events go on."""

    class Broken(BaseCallbackHandler):
        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            raise RuntimeError("sink down")

    background = BackgroundHandler(Broken())
    assert _chain().invoke(1, {"callbacks": [background]}) == 4
    background.flush(5)
    assert background.errors == 3
    background.close()


def test_bad_options_are_refused_with_the_choices() -> None:
    """An unknown on_full names the accepted values."""
    with pytest.raises(ValueError, match="on_full must be one of"):
        BackgroundHandler(Recorder(), on_full="spill")


class Capture(BaseCallbackHandler):
    """Keeps each event's name, positional and keyword arguments as received."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.calls.append(("on_chain_start", (serialized, inputs), kwargs))

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.calls.append(("on_chain_end", (outputs,), kwargs))


def test_the_wrapped_handler_gets_what_a_direct_handler_gets() -> None:
    """Same events, same positional and keyword arguments (tags still a list), in the same order."""
    direct, inner = Capture(), Capture()
    background = BackgroundHandler(inner)
    config: Any = {"callbacks": [direct, background], "tags": ["t"], "metadata": {"m": 1}}
    _chain().invoke(1, config)
    assert background.flush(5)
    background.close()
    assert inner.calls == direct.calls
    assert len(inner.calls) == 6
    assert all(type(kwargs["tags"]) is list for _, _, kwargs in inner.calls)


def test_a_queued_event_keeps_one_tracked_object_alive() -> None:
    """A slow handler's queue keeps every event alive, and the garbage collector walks each tracked
    object it keeps at every full collection: an event with plain payloads costs one (its keyword
    dict), with no tuple around it and its tags no longer tracked."""
    import gc
    from uuid import uuid4

    gate = threading.Event()

    class Blocked(BaseCallbackHandler):
        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            gate.wait(10)

    background = BackgroundHandler(Blocked())
    run_id, parent = uuid4(), uuid4()
    background.on_chain_end("out", run_id=run_id, parent_run_id=parent, tags=["a", "b"])  # worker busy
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(1000):
        background.on_chain_end("out", run_id=run_id, parent_run_id=parent, tags=["a", "b"])
    gc.collect()
    kept = len(gc.get_objects()) - before
    depth = background.queue_depth
    gate.set()
    background.close(timeout=10)
    assert depth == 1000
    assert background.delivered == 1001
    assert kept < 1200  # as a (name, args, kwargs) tuple with a tags list, it was 3 per event


def test_arguments_keep_their_shape_however_they_are_passed() -> None:
    """Keyword-only payloads, tags given as a tuple, lists and None arrive as they were sent."""
    inner = Capture()
    background = BackgroundHandler(inner)
    background.on_chain_end(outputs="x", run_id=1, tags=("a",))
    background.on_chain_end("y", run_id=2, tags=None)
    background.on_chain_start({"name": "s"}, {"i": 1}, run_id=3, tags=["b"])
    assert background.flush(5)
    background.close()
    assert inner.calls == [
        ("on_chain_end", ("x",), {"run_id": 1, "tags": ("a",)}),
        ("on_chain_end", ("y",), {"run_id": 2, "tags": None}),
        ("on_chain_start", ({"name": "s"}, {"i": 1}), {"run_id": 3, "tags": ["b"]}),
    ]
    assert type(inner.calls[0][2]["tags"]) is tuple
    assert type(inner.calls[2][2]["tags"]) is list
