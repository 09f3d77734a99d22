"""Chains, a recording handler and a normaliser shared by the distributed tests."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from runwire.callbacks import BaseCallbackHandler
from runwire.callbacks.dispatch import EVENTS
from runwire.language_models import GenericFakeChatModel
from runwire.output_parsers import StrOutputParser
from runwire.runnables import Runnable, RunnableLambda
from runwire.tools import tool


class Replies:
    """A picklable endless script for GenericFakeChatModel (itertools objects stop pickling in 3.14)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __iter__(self) -> Replies:
        return self

    def __next__(self) -> str:
        return self.text


@tool
def add_one(x: int) -> int:
    """Add one to x."""
    return x + 1


def _fail_on_sevens(d: dict[str, int]) -> str:
    if d["n"] % 7 == 0:
        raise ValueError(f"no sevens: {d['n']}")
    return f"what is {add_one.invoke({'x': d['n']})}?"


def make_chain(*, fail_on_sevens: bool = False) -> Runnable[Any, str]:
    """lambda -> a tool invoked inside a lambda -> fake chat model -> StrOutputParser."""
    second = _fail_on_sevens if fail_on_sevens else (lambda d: f"what is {add_one.invoke({'x': d['n']})}?")
    return (
        RunnableLambda(lambda x: {"n": x})
        | RunnableLambda(second)
        | GenericFakeChatModel(messages=Replies("it is a number"))
        | StrOutputParser()
    )


def _make_method(event: str) -> Any:
    def method(self: EventLog, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self.events.append((event, args, kwargs))

    method.__name__ = event
    return method


class EventLog(BaseCallbackHandler):
    """Hears every event. Holds a lock and a lambda: it cannot be pickled, so it must stay home."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.label = lambda event: event[0]
        self.events: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []


for _event in EVENTS:
    setattr(EventLog, _event, _make_method(_event))


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def trees(events: Iterable[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Events grouped by the input of their root run; within a tree, run ids become R1, R2, ... by
    first appearance and every payload's text has its ids replaced the same way."""
    events = list(events)
    parent: dict[UUID, UUID | None] = {}
    inputs: dict[UUID, Any] = {}
    for event, args, kw in events:
        if event.endswith("_start"):
            parent[kw["run_id"]] = kw.get("parent_run_id")
            inputs[kw["run_id"]] = args[1] if len(args) > 1 else None

    def root(run_id: UUID) -> UUID:
        while parent.get(run_id) in parent:
            run_id = parent[run_id]  # type: ignore[assignment]
        return run_id

    out: dict[str, list[tuple[Any, ...]]] = {}
    labels: dict[UUID, dict[str, str]] = {}
    for event, args, kw in events:
        top = root(kw["run_id"])
        names = labels.setdefault(top, {})

        def label(value: Any, names: dict[str, str] = names) -> str:
            if value is None:
                return "-"
            return names.setdefault(str(value), f"R{len(names) + 1}")

        def text(value: Any, names: dict[str, str] = names) -> str:
            return _UUID.sub(lambda m: names.get(m.group(0), "ID"), repr(value))

        run, up = (
            label(kw["run_id"]),
            label(kw.get("parent_run_id")) if kw.get("parent_run_id") in parent else "root",
        )
        rest = {k: text(v) for k, v in sorted(kw.items()) if k not in {"run_id", "parent_run_id"}}
        out.setdefault(repr(inputs[top]), []).append((event, run, up, tuple(map(text, args)), rest))
    return out


def check_pairing(events: list[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> None:
    """Every run has exactly one start and exactly one terminal event: nothing lost, nothing twice."""
    starts = [kw["run_id"] for e, _, kw in events if e.endswith("_start")]
    ends = [kw["run_id"] for e, _, kw in events if e.endswith(("_end", "_error"))]
    assert len(set(starts)) == len(starts), "a run started twice"
    assert len(set(ends)) == len(ends), "a run ended twice"
    assert set(starts) == set(ends)
