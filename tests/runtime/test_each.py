"""`runnable.map()` (RunnableEach): one run for the list, one child run per item, as langchain-core."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from runwire.runnables import RunnableEach, RunnableLambda

from .recorder import Recorder


def _double(x: int) -> int:
    return x * 2


def _trace(lib: str, mode: str) -> tuple[Any, list[str]]:
    if lib == "runwire":
        step: Any = RunnableLambda(_double).map()
        recorder: Any = Recorder()
    else:
        from langchain_core.callbacks import BaseCallbackHandler
        from langchain_core.runnables import RunnableLambda as LcLambda

        step = LcLambda(_double).map()
        events: list[tuple[str, Any, Any, Any]] = []

        class LcRecorder(BaseCallbackHandler):
            def on_chain_start(self, serialized: Any, inputs: Any, **kw: Any) -> None:
                events.append(("start", kw["run_id"], kw["parent_run_id"], kw["name"]))

            def on_chain_end(self, outputs: Any, **kw: Any) -> None:
                events.append(("end", kw["run_id"], kw["parent_run_id"], None))

        recorder = LcRecorder()
    config = {"callbacks": [recorder]}
    out = step.invoke([1, 2, 3], config) if mode == "invoke" else asyncio.run(step.ainvoke([1, 2, 3], config))
    if lib == "runwire":
        shape = [
            (e[0].removeprefix("on_chain_"), e[1], e[2], e[3] if e[0] == "on_chain_start" else None)
            for e in recorder.events
        ]
    else:
        shape = events
    ids: dict[Any, str] = {}
    lines = [
        f"{kind} {name or ''} {ids.setdefault(run, f'R{len(ids) + 1}')}<-{ids.get(parent, 'None')}"
        for kind, run, parent, name in shape
    ]
    return out, sorted(lines)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_map_gives_one_child_run_per_item_like_langchain_core(mode: str) -> None:
    """Same output and the same run tree as langchain-core's RunnableEach."""
    assert _trace("runwire", mode) == _trace("langchain_core", mode)
    out, lines = _trace("runwire", mode)
    assert out == [2, 4, 6]
    assert "start RunnableEach<_double> R1<-None" in lines


def test_map_refuses_a_non_list_with_the_fix() -> None:
    """A single value is refused, naming what `.map()` expects."""
    with pytest.raises(TypeError, match=r"takes a list .* Wrap a single value as \[value\]"):
        RunnableEach(bound=RunnableLambda(_double)).invoke(3)


def test_pick_selects_keys_like_langchain_core() -> None:
    """`.pick("a")` gives one value and `.pick([...])` a dict of those keys, as langchain-core."""
    from langchain_core.runnables import RunnableLambda as LcLambda

    def make(x: Any) -> dict[str, int]:
        return {"a": 1, "b": 2, "c": 3}

    for keys in ("a", ["a", "c"]):
        assert RunnableLambda(make).pick(keys).invoke(0) == LcLambda(make).pick(keys).invoke(0)
