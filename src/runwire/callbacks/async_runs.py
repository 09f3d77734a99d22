"""Async run managers: the same runs as `runs`, with awaitable event methods.

An async manager shares its sync twin's state layout (`get_sync` hands a sync view of the same
run to code that only knows sync managers). With sync handlers only, events are delivered
inline, without a coroutine per handler. Not here: opening runs or the sync managers (see `runs`).
"""

from __future__ import annotations

from typing import Any

from runwire.callbacks.calling import acall_handlers, deliver_token
from runwire.callbacks.runs import (
    BaseRunManager,
    CallbackManagerForChainRun,
    CallbackManagerForLLMRun,
    CallbackManagerForRetrieverRun,
    CallbackManagerForToolRun,
    _name_chunk,
)


class AsyncRunManager(BaseRunManager):
    """Async run manager: the same run, with awaitable event methods."""

    __slots__ = ()

    async def on_text(self, text: str, **kwargs: Any) -> None:
        await self._afire("on_text", (text,), kwargs)

    async def on_retry(self, retry_state: Any, **kwargs: Any) -> None:
        await self._afire("on_retry", (retry_state,), kwargs)

    def get_sync(self) -> Any:
        """The sync twin sharing this run's state."""
        sync: BaseRunManager = object.__new__(_SYNC_TWIN.get(type(self), CallbackManagerForChainRun))
        for slot in BaseRunManager.__slots__:
            object.__setattr__(sync, slot, getattr(self, slot, None))  # `_token` only while begun
        return sync


class AsyncParentRunManager(AsyncRunManager):
    """An async run that can have children."""

    __slots__ = ()


class AsyncCallbackManagerForChainRun(AsyncParentRunManager):
    """An open chain run (async)."""

    __slots__ = ()

    async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        await self.afinish(outputs, **kwargs)

    async def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        await self.afinish_error(error, **kwargs)

    async def on_agent_action(self, action: Any, **kwargs: Any) -> None:
        await self._afire("on_agent_action", (action,), kwargs)

    async def on_agent_finish(self, finish: Any, **kwargs: Any) -> None:
        await self._afire("on_agent_finish", (finish,), kwargs)


class AsyncCallbackManagerForLLMRun(AsyncRunManager):
    """An open model run (async)."""

    __slots__ = ()
    _end_event = "on_llm_end"
    _error_event = "on_llm_error"

    async def on_llm_new_token(self, token: Any, *, chunk: Any = None, **kwargs: Any) -> None:
        entries = self._dispatch.table.get("on_llm_new_token")
        if entries:
            _name_chunk(chunk, self.run_id)
            if not kwargs and self._dispatch.all_sync:  # no coroutine per handler and token
                deliver_token(
                    entries, token, chunk, self.run_id, self.parent_run_id, self._tags, token_by_keyword=False
                )
                return
            kw = {
                "run_id": self.run_id,
                "parent_run_id": self.parent_run_id,
                "tags": self._tags,
                "chunk": chunk,
            }
            if kwargs:
                kw.update(kwargs)
            await acall_handlers(entries, "on_llm_new_token", (token,), kw)

    async def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        await self.afinish(response, **kwargs)

    async def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        await self.afinish_error(error, **kwargs)


class AsyncCallbackManagerForToolRun(AsyncParentRunManager):
    """An open tool run (async)."""

    __slots__ = ()
    _end_event = "on_tool_end"
    _error_event = "on_tool_error"

    async def on_tool_end(self, output: Any, **kwargs: Any) -> None:
        await self.afinish(output, **kwargs)

    async def on_tool_error(self, error: BaseException, **kwargs: Any) -> None:
        await self.afinish_error(error, **kwargs)


class AsyncCallbackManagerForRetrieverRun(AsyncParentRunManager):
    """An open retriever run (async)."""

    __slots__ = ()
    _end_event = "on_retriever_end"
    _error_event = "on_retriever_error"

    async def on_retriever_end(self, documents: Any, **kwargs: Any) -> None:
        await self.afinish(documents, **kwargs)

    async def on_retriever_error(self, error: BaseException, **kwargs: Any) -> None:
        await self.afinish_error(error, **kwargs)


_SYNC_TWIN: dict[type, type] = {
    AsyncCallbackManagerForChainRun: CallbackManagerForChainRun,
    AsyncCallbackManagerForLLMRun: CallbackManagerForLLMRun,
    AsyncCallbackManagerForToolRun: CallbackManagerForToolRun,
    AsyncCallbackManagerForRetrieverRun: CallbackManagerForRetrieverRun,
}
