"""Streaming views: `astream_events` v1 and v2 edge cases and `astream_log` (RunLogPatch /
RunLog), run on both libraries."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any


def add_one(x: int) -> int:
    return x + 1


def _collect_in_thread(make_stream: Any, timeout: float = 20.0) -> list[dict[str, Any]]:
    """All events of the stream, gathered on a daemon thread so that a stream that never ends
    fails the test instead of hanging it (an endless loop inside a handler cannot be cancelled)."""
    events: list[dict[str, Any]] = []

    async def gather() -> None:
        events.extend([event async for event in make_stream()])

    thread = threading.Thread(target=lambda: asyncio.run(gather()), daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"the event stream did not end within {timeout}s"
    return events


def test_child_reusing_the_parents_run_id_ends_normally(lib: Any) -> None:
    """A user passes a config with `run_id` on to a nested call: the nested run gets its parent's
    id. The stream must end; the duplicate's events are dropped. Deliberate difference:
    langchain-core's handler also loses the outer run's later events (its bookkeeping for the
    shared id is overwritten, and it logs an AssertionError); runwire keeps them."""
    run_id = uuid.uuid4()
    config: dict[str, Any] = {"run_id": run_id}
    inner = lib.RunnableLambda(add_one)

    def outer(x: int) -> int:
        return inner.invoke(x, config)

    events = _collect_in_thread(lambda: lib.RunnableLambda(outer).astream_events(1, config, version="v2"))
    assert all(event["name"] == "outer" for event in events)
    assert events[0]["event"] == "on_chain_start"
    assert events[0]["run_id"] == str(run_id)
    if lib.name == "langchain_core":
        assert [event["event"] for event in events] == ["on_chain_start"]
    else:
        assert [event["event"] for event in events] == ["on_chain_start", "on_chain_stream", "on_chain_end"]
        assert events[-1]["data"]["output"] == 2
