"""`with_listeners` / `with_alisteners`: call functions with the `Run` of each root run.

The binding adds, per call, a tracer that follows only the first run it hears (the bound
runnable's own run) and calls `on_start(run)` when it starts and `on_end(run)` / `on_error(run)`
when it ends; a listener that declares a second parameter `config` gets the call's config too.
The tracer is a handler like any other, so the silent path of runnables without listeners is
untouched. Not here: building runs from events (`runwire.tracers.base`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from runwire.callbacks.base import AsyncCallbackHandler
from runwire.tracers.base import BaseTracer
from runwire.tracers.schemas import Run, wrap

if TYPE_CHECKING:
    from runwire.runnables.base import Runnable
    from runwire.runnables.binding import RunnableBinding
    from runwire.runnables.config import RunnableConfig

Listener = Callable[..., Any]


def _call(listener: Listener, run: Run, config: RunnableConfig) -> Any:
    try:
        params = inspect.signature(listener).parameters
    except (TypeError, ValueError):
        params = {}  # type: ignore[assignment]
    if "config" in params:
        return listener(run, config=config)
    return listener(run)


class RootListenersTracer(BaseTracer):
    """Calls the listeners for the first (root) run it hears; child runs are only recorded."""

    def __init__(
        self,
        *,
        config: RunnableConfig,
        on_start: Listener | None,
        on_end: Listener | None,
        on_error: Listener | None,
    ) -> None:
        super().__init__()
        self.config = config
        self._on_start, self._on_end, self._on_error = on_start, on_end, on_error
        self.root_id: UUID | None = None
        self.pending: list[Any] = []  # coroutines of async listeners, awaited by the async twin

    def _listen(self, listener: Listener | None, run: Run) -> None:
        if listener is not None:
            result = _call(listener, run, self.config)
            if inspect.isawaitable(result):
                self.pending.append(result)

    def _on_run_create(self, run: Run) -> None:
        if self.root_id is None:
            self.root_id = run.id
            self._listen(self._on_start, run)

    def _on_run_update(self, run: Run) -> None:
        if run.id == self.root_id:
            self._listen(self._on_end if run.error is None else self._on_error, run)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        inputs = kwargs.get("inputs")
        run = self.run_map.get(str(run_id))
        if inputs is not None and run is not None:  # a streamed run's input, known only at its end
            run.inputs = wrap(inputs, "input")
        super().on_chain_end(outputs, run_id=run_id, **kwargs)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        inputs = kwargs.get("inputs")
        run = self.run_map.get(str(run_id))
        if inputs is not None and run is not None:
            run.inputs = wrap(inputs, "input")
        super().on_chain_error(error, run_id=run_id, **kwargs)


_EVENTS = (
    "on_chain_start",
    "on_chain_end",
    "on_chain_error",
    "on_llm_start",
    "on_chat_model_start",
    "on_llm_end",
    "on_llm_error",
    "on_tool_start",
    "on_tool_end",
    "on_tool_error",
    "on_retriever_start",
    "on_retriever_end",
    "on_retriever_error",
)


def _async_event(name: str) -> Callable[..., Any]:
    async def handle(self: AsyncRootListenersTracer, *args: Any, **kwargs: Any) -> None:
        getattr(self.tracer, name)(*args, **kwargs)
        while self.tracer.pending:
            await self.tracer.pending.pop(0)

    handle.__name__ = name
    return handle


class AsyncRootListenersTracer(AsyncCallbackHandler):
    """The async twin: the same bookkeeping, with async listeners awaited in the event."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self.tracer = RootListenersTracer(**kwargs)

    for _name in _EVENTS:
        locals()[_name] = _async_event(_name)
    del _name


def with_listeners(
    runnable: Runnable[Any, Any],
    on_start: Listener | None,
    on_end: Listener | None,
    on_error: Listener | None,
    *,
    asynchronous: bool,
) -> RunnableBinding[Any, Any]:
    from runwire.runnables.binding import RunnableBinding

    tracer_class: Any = AsyncRootListenersTracer if asynchronous else RootListenersTracer

    def factory(config: RunnableConfig) -> RunnableConfig:
        tracer = tracer_class(config=config, on_start=on_start, on_end=on_end, on_error=on_error)
        return {"callbacks": [tracer]}

    return RunnableBinding(bound=runnable, config_factories=[factory])
