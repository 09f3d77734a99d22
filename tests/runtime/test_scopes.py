"""Handler scopes: a handler that declares `enter_run`/`exit_run` gets its context opened around
each run's body, in the task or thread that runs it (how the OTel exporter makes spans current)."""

from __future__ import annotations

import asyncio
import contextvars
import itertools
from typing import Any
from uuid import UUID

from runwire.callbacks import BaseCallbackHandler
from runwire.language_models import GenericFakeChatModel
from runwire.runnables import RunnableLambda
from runwire.runnables.config import ContextThreadPoolExecutor

active: contextvars.ContextVar[UUID | None] = contextvars.ContextVar("active", default=None)


class Scoping(BaseCallbackHandler):
    """Makes the run's id current (like a span) while its body runs; records what bodies saw."""

    def __init__(self) -> None:
        self.starts: dict[str, UUID] = {}

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        self.starts[kwargs["name"]] = kwargs["run_id"]

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.starts[kwargs["name"]] = kwargs["run_id"]

    def enter_run(self, run_id: UUID) -> Any:
        return active.set(run_id)

    def exit_run(self, token: Any) -> None:
        active.reset(token)


def test_each_body_sees_its_own_run_as_current_and_nothing_leaks() -> None:
    """Nested bodies see their own run; after each body the outer one is current again."""
    seen: dict[str, UUID | None] = {}

    def inner(x: int) -> int:
        seen["inner"] = active.get()
        return x

    inner_step = RunnableLambda(inner)

    def outer(x: int) -> int:
        seen["outer-before"] = active.get()
        inner_step.invoke(x)
        seen["outer-after"] = active.get()
        return x

    handler = Scoping()
    RunnableLambda(outer).invoke(1, {"callbacks": [handler]})
    assert seen == {
        "outer-before": handler.starts["outer"],
        "inner": handler.starts["inner"],
        "outer-after": handler.starts["outer"],
    }
    assert active.get() is None


async def test_scopes_hold_in_asyncio_tasks_and_thread_pools() -> None:
    """Bodies run in tasks created inside a run, or in a context-copying pool, see their run."""
    seen: list[UUID | None] = []

    def leaf(x: int) -> int:
        seen.append(active.get())
        return x

    leaf_step = RunnableLambda(leaf, name="leaf")

    async def fan_out(x: int) -> int:
        await asyncio.gather(leaf_step.ainvoke(x), leaf_step.ainvoke(x))
        with ContextThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(leaf_step.invoke, x).result()
        return x

    handler = Scoping()
    await RunnableLambda(fan_out, name="fan_out").ainvoke(1, {"callbacks": [handler]})
    assert len(seen) == 3
    assert None not in seen
    assert handler.starts["fan_out"] not in seen  # each leaf body saw its own run, not the parent


def test_a_streaming_model_computes_each_chunk_inside_its_scope() -> None:
    """While the model produces chunks (where a provider makes its HTTP calls) its run is current."""
    seen: list[UUID | None] = []

    class Spy(GenericFakeChatModel):
        def _stream(self, *args: Any, **kwargs: Any) -> Any:
            for chunk in super()._stream(*args, **kwargs):
                seen.append(active.get())
                yield chunk

    handler = Scoping()
    model = Spy(messages=itertools.repeat("a b"))
    assert [c.content for c in model.stream("hi", {"callbacks": [handler]})] == ["a", " ", "b"]
    assert set(seen) == {handler.starts["Spy"]}
    assert active.get() is None


def test_a_failing_scope_hook_does_not_break_the_run() -> None:
    """An exception in enter_run is logged; the run still completes."""

    class Broken(Scoping):
        def enter_run(self, run_id: UUID) -> Any:
            raise RuntimeError("no tracer")

    assert RunnableLambda(lambda x: x + 1).invoke(1, {"callbacks": [Broken()]}) == 2
