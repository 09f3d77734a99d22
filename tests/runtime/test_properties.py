"""Laws of the run tree, checked over random pipelines, random stream consumption and random
cancellation points (hypothesis): every started run ends exactly once, after its children; no
run is orphaned; no event is delivered twice."""

from __future__ import annotations

import asyncio
import itertools
import threading
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runwire.callbacks import BaseCallbackHandler
from runwire.language_models import GenericFakeChatModel
from runwire.output_parsers import StrOutputParser
from runwire.runnables import RunnableGenerator, RunnableLambda, RunnableParallel, RunnableSequence

_TERMINAL = ("on_chain_end", "on_chain_error", "on_llm_end", "on_llm_error")
_START = ("on_chain_start", "on_chat_model_start")


class Log(BaseCallbackHandler):
    """Records (event, run_id, parent_run_id) from any thread."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any, Any]] = []
        self._lock = threading.Lock()

    def _add(self, event: str, kwargs: dict[str, Any]) -> None:
        with self._lock:
            self.events.append((event, kwargs["run_id"], kwargs.get("parent_run_id")))

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self._add("on_chain_start", kwargs)

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self._add("on_chat_model_start", kwargs)

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self._add("on_chain_end", kwargs)

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        self._add("on_chain_error", kwargs)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self._add("on_llm_end", kwargs)

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self._add("on_llm_error", kwargs)


def check_laws(log: Log) -> None:
    starts: dict[Any, int] = {}
    ends: dict[Any, int] = {}
    parents: dict[Any, Any] = {}
    for position, (event, run_id, parent) in enumerate(log.events):
        if event in _START:
            assert run_id not in starts, f"run {run_id} started twice"
            starts[run_id] = position
            parents[run_id] = parent
        else:
            assert event in _TERMINAL
            assert run_id not in ends, f"run {run_id} ended twice"
            assert run_id in starts, f"run {run_id} ended without a start"
            ends[run_id] = position
    assert set(starts) == set(ends), "a started run never ended"
    for run_id, parent in parents.items():
        if parent is not None:
            assert parent in starts, "a run's parent never started (orphan)"
            assert starts[parent] < starts[run_id], "a child started before its parent"
            assert ends[run_id] < ends[parent], "a parent ended before its child"


# -- random pipelines -----------------------------------------------------------------------------


async def _ayield(x: Any) -> Any:
    for _ in range(3):
        await asyncio.sleep(0)  # cancellation points
    return x


def _words(chunks: Any) -> Any:
    yield from chunks


def _leaf(kind: str) -> Any:
    if kind == "lambda":
        return RunnableLambda(lambda x: x)
    if kind == "async":
        return RunnableLambda(lambda x: x, afunc=_ayield)
    if kind == "model":
        model = GenericFakeChatModel(messages=itertools.repeat("one two three four"))
        return model | StrOutputParser()
    return RunnableGenerator(_words)


leaves = st.sampled_from(["lambda", "async", "model", "generator"]).map(_leaf)


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    sequences = st.lists(children, min_size=2, max_size=3).map(lambda steps: RunnableSequence(*steps))
    parallels = st.lists(children, min_size=1, max_size=3).map(
        lambda steps: RunnableParallel({f"k{i}": s for i, s in enumerate(steps)}) | RunnableLambda(str)
    )
    return sequences | parallels


pipelines = st.recursive(leaves, _extend, max_leaves=6)
_settings = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(
    pipeline=pipelines,
    mode=st.sampled_from(["invoke", "ainvoke", "stream", "astream"]),
    take=st.integers(0, 4),
)
def test_every_run_ends_once_after_its_children(pipeline: Any, mode: str, take: int) -> None:
    """Whole calls and streams consumed only `take` chunks: the laws hold."""
    log = Log()
    config = {"callbacks": [log]}
    if mode == "invoke":
        pipeline.invoke("x", config)
    elif mode == "ainvoke":
        asyncio.run(pipeline.ainvoke("x", config))
    elif mode == "stream":
        stream = pipeline.stream("x", config)
        for _ in zip(range(take), stream, strict=False):
            pass
        stream.close()
    else:

        async def partial() -> None:
            stream = pipeline.astream("x", config)
            async for _ in stream:
                break
            await stream.aclose()

        asyncio.run(partial())
    check_laws(log)


@_settings
@given(pipeline=pipelines, ticks=st.integers(0, 12), streamed=st.booleans())
def test_cancellation_at_any_point_ends_every_started_run(pipeline: Any, ticks: int, streamed: bool) -> None:
    """Cancelling the task after `ticks` loop iterations leaves no run without its terminal event."""
    log = Log()
    config = {"callbacks": [log]}

    async def main() -> None:
        async def call() -> None:
            if streamed:
                async for _ in pipeline.astream("x", config):
                    await asyncio.sleep(0)
            else:
                await pipeline.ainvoke("x", config)

        task = asyncio.ensure_future(call())
        for _ in range(ticks):
            await asyncio.sleep(0)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    asyncio.run(main())
    check_laws(log)
