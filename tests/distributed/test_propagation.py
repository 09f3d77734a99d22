"""`runwire.propagation`: a plain-data carrier of where work continues, and restoring it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

import pytest
from distributed_helpers import EventLog, trees

from runwire.callbacks import CallbackManager
from runwire.callbacks.context import current_run
from runwire.propagation import capture, register_carrier, restore, unregister_carrier
from runwire.runnables import RunnableLambda


def test_outside_any_run_the_carrier_has_no_parent() -> None:
    """Captured outside a run: no parent, nothing inherited, no extensions."""
    assert capture() == {"parent_run_id": None, "tags": [], "metadata": {}}


def test_inside_a_run_the_carrier_names_it_with_inherited_tags_and_metadata() -> None:
    """The current run becomes the parent; what its children inherit travels; it is JSON."""
    seen: list[dict[str, Any]] = []
    step = RunnableLambda(lambda x: seen.append(capture()) or x)
    log = EventLog()
    step.invoke(1, {"callbacks": [log], "tags": ["t"], "metadata": {"user": "ada"}})
    (carrier,) = seen
    assert carrier["parent_run_id"] == str(log.events[0][2]["run_id"])
    assert carrier["tags"] == ["t"]
    assert carrier["metadata"] == {"user": "ada"}
    assert json.loads(json.dumps(carrier)) == carrier


def test_runs_started_inside_restore_nest_under_the_captured_run() -> None:
    """With no config, a run inside `restore` is a child of the captured run, hears the given
    handlers and gets the inherited tags and metadata."""
    parent = "01a213f3-2b41-7859-8006-1d6d0fe4b09f"
    log = EventLog()
    carrier = {"parent_run_id": parent, "tags": ["remote"], "metadata": {"k": 1}}
    with restore(carrier, [log]):
        RunnableLambda(lambda x: x + 1).invoke(1)
    assert current_run.get() is None
    start = log.events[0][2]
    assert start["parent_run_id"] == UUID(parent)
    assert start["tags"] == ["remote"]
    assert start["metadata"] == {"k": 1}


def test_the_yielded_manager_attaches_as_the_captured_config_would() -> None:
    """A config whose first run has its own tags and metadata (beside what children inherit)
    is reproduced exactly by the manager `restore` yields."""
    parent = UUID("01a213f3-2b41-7859-8006-1d6d0fe4b09f")
    chain = RunnableLambda(lambda x: x) | RunnableLambda(lambda x: x)
    direct, restored = EventLog(), EventLog()

    def manager_for(log: EventLog) -> CallbackManager:
        return CallbackManager(
            [log],
            [log],
            parent,
            tags=["own"],
            inheritable_tags=["inh"],
            metadata={"a": 1},
            inheritable_metadata={},
        )

    carrier = capture({"callbacks": manager_for(EventLog())})
    assert carrier["local_tags"] == ["own"]
    assert carrier["local_metadata"] == {"a": 1}
    chain.invoke(1, {"callbacks": manager_for(direct)})
    with restore(json.loads(json.dumps(carrier)), [restored]) as manager:
        chain.invoke(1, {"callbacks": manager})
    assert trees(restored.events) == trees(direct.events)
    assert restored.events[0][2]["tags"] == ["own"]
    assert restored.events[0][2]["parent_run_id"] == parent


_ambient: ContextVar[str | None] = ContextVar("ambient", default=None)


@contextmanager
def _attached(value: str) -> Iterator[None]:
    token = _ambient.set(value)
    try:
        yield
    finally:
        _ambient.reset(token)


def test_registered_extensions_travel_and_are_restored() -> None:
    """An extension (as OpenTelemetry's traceparent will be) adds its value to the carrier and
    gets it back as a context around the restored work; unknown extensions are ignored."""
    register_carrier("ambient", _ambient.get, _attached)
    try:
        token = _ambient.set("00-trace-span-01")
        try:
            carrier = capture()
        finally:
            _ambient.reset(token)
        assert carrier["ext"] == {"ambient": "00-trace-span-01"}
        carrier["ext"]["unknown"] = {"x": 1}
        with restore(carrier):
            assert _ambient.get() == "00-trace-span-01"
        assert _ambient.get() is None
    finally:
        unregister_carrier("ambient")


def test_a_failing_extension_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    """Observers never break the work: a broken extension is skipped with a log line."""

    def broken() -> Any:
        raise RuntimeError("no exporter")

    register_carrier("broken", broken, _attached)
    try:
        assert "ext" not in capture()
    finally:
        unregister_carrier("broken")
    assert "broken" in caplog.text
