"""Driving runs by hand, as integrations written for langchain-core do: a manager's
`on_chain_start` / `on_llm_start` / `on_chat_model_start` / `on_tool_start` /
`on_retriever_start` returning run managers, and `handle_event` / `ahandle_event` (chain groups
are in `groups`).

The start methods open runs through `manager.open_run`, so a run started by hand is the same
object a runnable would make (its children nest under it, its terminal event fires once). An
explicit `run_id=` is honoured, also when nobody listens. Not on any hot path: runnables never
call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from runwire.callbacks.calling import (
    _is_coroutine,
    acall_chat_start,
    acall_handlers,
    call_chat_start,
    call_handlers,
    logger,
)
from runwire.callbacks.context import new_run_id
from runwire.callbacks.handler_loop import run_coroutine_sync

if TYPE_CHECKING:
    from runwire.callbacks.attach import CallbackManager
    from runwire.callbacks.runs import BaseRunManager


def _open(manager: CallbackManager, cls: type[BaseRunManager], run_id: UUID | None) -> Any:
    """A run of `cls` attached where `manager` points; a silent one (still with `run_id`) when
    nobody listens, so callers can always use what they get back."""
    from runwire.callbacks.manager import open_run

    config: dict[str, Any] = {"callbacks": manager}
    if run_id is not None:
        config["run_id"] = run_id
    run = open_run(cls, config, None, None, None)
    if run is None:
        run = cls._noop()
        run.run_id = run_id or run.run_id
        run.parent_run_id = manager.parent_run_id
    return run


def _kw(run: BaseRunManager, kwargs: dict[str, Any]) -> dict[str, Any]:
    # langchain-core passes exactly these plus the caller's keywords (no `name=` of its own).
    return {
        "run_id": run.run_id,
        "parent_run_id": run.parent_run_id,
        "tags": run._tags,
        "metadata": run._md,
        **kwargs,
    }


def _buffer_strings(messages: list[list[Any]]) -> list[str]:
    from runwire.messages import get_buffer_string

    return [get_buffer_string(m) for m in messages]


def fire(run: BaseRunManager, event: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if event == "on_chat_model_start":
        entries = run._dispatch.chat_start
        if entries:
            call_chat_start(entries, args, lambda: (args[0], _buffer_strings(args[1])), _kw(run, kwargs))
        return
    table = run._dispatch.table.get(event)
    if table:
        call_handlers(table, event, args, _kw(run, kwargs))


async def afire(run: BaseRunManager, event: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    if event == "on_chat_model_start":
        entries = run._dispatch.chat_start
        if entries:
            await acall_chat_start(
                entries, args, lambda: (args[0], _buffer_strings(args[1])), _kw(run, kwargs)
            )
        return
    table = run._dispatch.table.get(event)
    if table:
        await acall_handlers(table, event, args, _kw(run, kwargs))


def _per_prompt_ids(run_id: UUID | None, count: int) -> list[UUID | None]:
    # One run per prompt; an explicit id goes to the first (run ids must stay unique).
    return [run_id if i == 0 else new_run_id() for i in range(count)]


class ManualStarts:
    """The sync start methods of `CallbackManager` (each opens one run, or one per prompt)."""

    __slots__ = ()

    def on_chain_start(
        self, serialized: dict[str, Any] | None, inputs: Any, run_id: UUID | None = None, **kwargs: Any
    ) -> Any:
        from runwire.callbacks.runs import CallbackManagerForChainRun

        run = _open(self, CallbackManagerForChainRun, run_id)  # type: ignore[arg-type]
        fire(run, "on_chain_start", (serialized, inputs), kwargs)
        return run

    def on_llm_start(
        self, serialized: dict[str, Any], prompts: list[str], run_id: UUID | None = None, **kwargs: Any
    ) -> list[Any]:
        from runwire.callbacks.runs import CallbackManagerForLLMRun

        runs = []
        for prompt, rid in zip(prompts, _per_prompt_ids(run_id, len(prompts)), strict=True):
            run = _open(self, CallbackManagerForLLMRun, rid)  # type: ignore[arg-type]
            fire(run, "on_llm_start", (serialized, [prompt]), kwargs)
            runs.append(run)
        return runs

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[Any]],
        run_id: UUID | None = None,
        **kwargs: Any,
    ) -> list[Any]:
        from runwire.callbacks.runs import CallbackManagerForLLMRun

        runs = []
        for batch, rid in zip(messages, _per_prompt_ids(run_id, len(messages)), strict=True):
            run = _open(self, CallbackManagerForLLMRun, rid)  # type: ignore[arg-type]
            fire(run, "on_chat_model_start", (serialized, [batch]), kwargs)
            runs.append(run)
        return runs

    def on_tool_start(
        self,
        serialized: dict[str, Any] | None,
        input_str: str,
        run_id: UUID | None = None,
        parent_run_id: UUID | None = None,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        from runwire.callbacks.runs import CallbackManagerForToolRun

        del parent_run_id  # langchain-core ignores it too: the manager's parent wins
        run = _open(self, CallbackManagerForToolRun, run_id)  # type: ignore[arg-type]
        fire(run, "on_tool_start", (serialized, input_str), {"inputs": inputs, **kwargs})
        return run

    def on_retriever_start(
        self,
        serialized: dict[str, Any] | None,
        query: str,
        run_id: UUID | None = None,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> Any:
        from runwire.callbacks.runs import CallbackManagerForRetrieverRun

        del parent_run_id
        run = _open(self, CallbackManagerForRetrieverRun, run_id)  # type: ignore[arg-type]
        fire(run, "on_retriever_start", (serialized, query), kwargs)
        return run

    def on_custom_event(self, name: str, data: Any, run_id: UUID | None = None, **kwargs: Any) -> None:
        if kwargs:
            raise ValueError(
                "The dispatcher API does not accept additional keyword arguments: put them in "
                f"the data field instead (got {sorted(kwargs)})."
            )
        from runwire.callbacks.runs import CallbackManagerForChainRun

        run = _open(self, CallbackManagerForChainRun, run_id)  # type: ignore[arg-type]
        table = run._dispatch.table.get("on_custom_event")
        if table:
            call_handlers(
                table,
                "on_custom_event",
                (name, data),
                {"run_id": run.run_id, "tags": run._tags, "metadata": run._md},
            )


class AsyncManualStarts:
    """The async start methods of `AsyncCallbackManager` (awaitable, async run managers)."""

    __slots__ = ()

    async def on_chain_start(
        self, serialized: dict[str, Any] | None, inputs: Any, run_id: UUID | None = None, **kwargs: Any
    ) -> Any:
        from runwire.callbacks.async_runs import AsyncCallbackManagerForChainRun

        run = _open(self, AsyncCallbackManagerForChainRun, run_id)  # type: ignore[arg-type]
        await afire(run, "on_chain_start", (serialized, inputs), kwargs)
        return run

    async def on_llm_start(
        self, serialized: dict[str, Any], prompts: list[str], run_id: UUID | None = None, **kwargs: Any
    ) -> list[Any]:
        from runwire.callbacks.async_runs import AsyncCallbackManagerForLLMRun

        runs = []
        for prompt, rid in zip(prompts, _per_prompt_ids(run_id, len(prompts)), strict=True):
            run = _open(self, AsyncCallbackManagerForLLMRun, rid)  # type: ignore[arg-type]
            await afire(run, "on_llm_start", (serialized, [prompt]), kwargs)
            runs.append(run)
        return runs

    async def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[Any]],
        run_id: UUID | None = None,
        **kwargs: Any,
    ) -> list[Any]:
        from runwire.callbacks.async_runs import AsyncCallbackManagerForLLMRun

        runs = []
        for batch, rid in zip(messages, _per_prompt_ids(run_id, len(messages)), strict=True):
            run = _open(self, AsyncCallbackManagerForLLMRun, rid)  # type: ignore[arg-type]
            await afire(run, "on_chat_model_start", (serialized, [batch]), kwargs)
            runs.append(run)
        return runs

    async def on_tool_start(
        self,
        serialized: dict[str, Any] | None,
        input_str: str,
        run_id: UUID | None = None,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> Any:
        from runwire.callbacks.async_runs import AsyncCallbackManagerForToolRun

        del parent_run_id
        run = _open(self, AsyncCallbackManagerForToolRun, run_id)  # type: ignore[arg-type]
        await afire(run, "on_tool_start", (serialized, input_str), kwargs)
        return run

    async def on_retriever_start(
        self,
        serialized: dict[str, Any] | None,
        query: str,
        run_id: UUID | None = None,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> Any:
        from runwire.callbacks.async_runs import AsyncCallbackManagerForRetrieverRun

        del parent_run_id
        run = _open(self, AsyncCallbackManagerForRetrieverRun, run_id)  # type: ignore[arg-type]
        await afire(run, "on_retriever_start", (serialized, query), kwargs)
        return run

    async def on_custom_event(self, name: str, data: Any, run_id: UUID | None = None, **kwargs: Any) -> None:
        if kwargs:
            raise ValueError(
                "The dispatcher API does not accept additional keyword arguments: put them in "
                f"the data field instead (got {sorted(kwargs)})."
            )
        from runwire.callbacks.async_runs import AsyncCallbackManagerForChainRun

        run = _open(self, AsyncCallbackManagerForChainRun, run_id)  # type: ignore[arg-type]
        table = run._dispatch.table.get("on_custom_event")
        if table:
            await acall_handlers(
                table,
                "on_custom_event",
                (name, data),
                {"run_id": run.run_id, "tags": run._tags, "metadata": run._md},
            )


# ---------------------------------------------------------------------------------------------
# handle_event: calling an explicit handler list (langchain-core's generic dispatcher)


def _skipped(handler: Any, ignore_condition_name: str | None) -> bool:
    return ignore_condition_name is not None and bool(getattr(handler, ignore_condition_name, False))


def handle_event(
    handlers: Sequence[Any], event_name: str, ignore_condition_name: str | None, *args: Any, **kwargs: Any
) -> None:
    """Call `event_name` on each handler not ignoring it. A handler whose `on_chat_model_start`
    raises NotImplementedError gets `on_llm_start` with the messages as buffer strings; other
    failures are logged, and re-raised for a handler with `raise_error=True`."""
    for handler in handlers:
        if _skipped(handler, ignore_condition_name):
            continue
        try:
            result = getattr(handler, event_name)(*args, **kwargs)
            if _is_coroutine(result):
                run_coroutine_sync(result)
        except NotImplementedError as exc:
            if event_name == "on_chat_model_start":
                handle_event(
                    [handler],
                    "on_llm_start",
                    "ignore_llm",
                    args[0],
                    _buffer_strings(args[1]),
                    *args[2:],
                    **kwargs,
                )
            else:
                logger.warning(
                    "NotImplementedError in %s.%s callback: %r", type(handler).__name__, event_name, exc
                )
        except Exception as exc:
            logger.warning("Error in %s.%s callback: %r", type(handler).__name__, event_name, exc)
            if getattr(handler, "raise_error", False):
                raise


async def ahandle_event(
    handlers: Sequence[Any], event_name: str, ignore_condition_name: str | None, *args: Any, **kwargs: Any
) -> None:
    """Async `handle_event`: coroutines are awaited on the running loop, in handler order
    (`run_inline` handlers first, as langchain-core orders them)."""
    ordered = [h for h in handlers if getattr(h, "run_inline", False)]
    ordered += [h for h in handlers if not getattr(h, "run_inline", False)]
    for handler in ordered:
        if _skipped(handler, ignore_condition_name):
            continue
        try:
            result = getattr(handler, event_name)(*args, **kwargs)
            if _is_coroutine(result):
                await result
        except NotImplementedError as exc:
            if event_name == "on_chat_model_start":
                await ahandle_event(
                    [handler],
                    "on_llm_start",
                    "ignore_llm",
                    args[0],
                    _buffer_strings(args[1]),
                    *args[2:],
                    **kwargs,
                )
            else:
                logger.warning(
                    "NotImplementedError in %s.%s callback: %r", type(handler).__name__, event_name, exc
                )
        except Exception as exc:
            logger.warning("Error in %s.%s callback: %r", type(handler).__name__, event_name, exc)
            if getattr(handler, "raise_error", False):
                raise
