"""Chain groups: `trace_as_chain_group` / `atrace_as_chain_group` open one chain run around calls
that are not composed in a chain; the manager they yield attaches those calls under it and can
end it (`on_chain_end` / `on_chain_error`, once). Not here: opening runs (see `by_hand`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from uuid import UUID

from runwire.callbacks.attach import AsyncCallbackManager, CallbackManager

__all__ = [
    "AsyncCallbackManagerForChainGroup",
    "CallbackManagerForChainGroup",
    "atrace_as_chain_group",
    "trace_as_chain_group",
]


class CallbackManagerForChainGroup(CallbackManager):
    """The manager `trace_as_chain_group` yields: children attach under the group's run, and
    `on_chain_end` / `on_chain_error` end that run (once)."""

    __slots__ = ("ended", "parent_run_manager")

    def __init__(
        self,
        handlers: Sequence[Any],
        inheritable_handlers: Sequence[Any] | None = None,
        parent_run_id: UUID | None = None,
        *,
        parent_run_manager: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(handlers, inheritable_handlers, parent_run_id, **kwargs)
        self.parent_run_manager = parent_run_manager
        self.ended = False

    def copy(self) -> CallbackManagerForChainGroup:
        return type(self)(
            self.handlers,
            self.inheritable_handlers,
            self.parent_run_id,
            parent_run_manager=self.parent_run_manager,
            tags=self.tags,
            inheritable_tags=self.inheritable_tags,
            metadata=self.metadata,
            inheritable_metadata=self.inheritable_metadata,
        )

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.ended = True
        self.parent_run_manager.on_chain_end(outputs, **kwargs)

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        self.ended = True
        self.parent_run_manager.on_chain_error(error, **kwargs)


class AsyncCallbackManagerForChainGroup(AsyncCallbackManager):
    """The manager `atrace_as_chain_group` yields (awaitable `on_chain_end` / `on_chain_error`)."""

    __slots__ = ("ended", "parent_run_manager")

    def __init__(
        self,
        handlers: Sequence[Any],
        inheritable_handlers: Sequence[Any] | None = None,
        parent_run_id: UUID | None = None,
        *,
        parent_run_manager: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(handlers, inheritable_handlers, parent_run_id, **kwargs)
        self.parent_run_manager = parent_run_manager
        self.ended = False

    def copy(self) -> AsyncCallbackManagerForChainGroup:
        return type(self)(
            self.handlers,
            self.inheritable_handlers,
            self.parent_run_id,
            parent_run_manager=self.parent_run_manager,
            tags=self.tags,
            inheritable_tags=self.inheritable_tags,
            metadata=self.metadata,
            inheritable_metadata=self.inheritable_metadata,
        )

    async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self.ended = True
        await self.parent_run_manager.on_chain_end(outputs, **kwargs)

    async def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        self.ended = True
        await self.parent_run_manager.on_chain_error(error, **kwargs)


# ---------------------------------------------------------------------------------------------
# Chain groups: one parent run around calls that are not composed in a chain


def _group_state(run: Any) -> dict[str, Any]:
    return {
        "handlers": list(run._inh.handlers),
        "inheritable_handlers": list(run._inh.handlers),
        "parent_run_id": run.run_id,
        "tags": list(run._inh_tags),
        "inheritable_tags": list(run._inh_tags),
        "metadata": dict(run._inh_md),
        "inheritable_metadata": dict(run._inh_md),
    }


@contextmanager
def trace_as_chain_group(
    group_name: str,
    callback_manager: CallbackManager | None = None,
    *,
    inputs: dict[str, Any] | None = None,
    project_name: str | None = None,
    example_id: str | UUID | None = None,
    run_id: UUID | None = None,
    tags: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> Iterator[Any]:
    """A chain run named `group_name` around the block; pass the yielded manager as
    `config["callbacks"]` to nest calls under it. Ends with `{}` unless the block ended it
    (`manager.on_chain_end(outputs)`); an exception ends it with that error."""
    del project_name, example_id  # LangSmith routing: runwire's tracers need none
    manager = CallbackManager.configure(
        inheritable_callbacks=callback_manager, inheritable_tags=tags, inheritable_metadata=metadata
    )
    run = manager.on_chain_start({"name": group_name}, inputs or {}, run_id=run_id)
    group = CallbackManagerForChainGroup(parent_run_manager=run, **_group_state(run))
    try:
        yield group
    except BaseException as exc:
        if not group.ended:
            run.on_chain_error(exc)
        raise
    else:
        if not group.ended:
            run.on_chain_end({})


@asynccontextmanager
async def atrace_as_chain_group(
    group_name: str,
    callback_manager: AsyncCallbackManager | None = None,
    *,
    inputs: dict[str, Any] | None = None,
    project_name: str | None = None,
    example_id: str | UUID | None = None,
    run_id: UUID | None = None,
    tags: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
) -> AsyncIterator[Any]:
    """Async `trace_as_chain_group` (the manager's `on_chain_end` is awaitable)."""
    del project_name, example_id
    manager = AsyncCallbackManager.configure(
        inheritable_callbacks=callback_manager, inheritable_tags=tags, inheritable_metadata=metadata
    )
    run = await manager.on_chain_start({"name": group_name}, inputs or {}, run_id=run_id)
    group = AsyncCallbackManagerForChainGroup(parent_run_manager=run, **_group_state(run))
    try:
        yield group
    except BaseException as exc:
        if not group.ended:
            await run.on_chain_error(exc)
        raise
    else:
        if not group.ended:
            await run.on_chain_end({})
