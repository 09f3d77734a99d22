"""Handler base classes: the `on_*` methods a handler may override, all no-ops by default.

These mirror langchain-core's `BaseCallbackHandler` so handlers written for it work here unchanged.
A handler hears only the events whose methods it overrides: the dispatcher reads that once per
handler class (see `runwire.callbacks.dispatch`), so an unused method costs nothing per event.
Not here: deciding who hears what, or calling handlers; that is the dispatcher's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from runwire.messages import BaseMessage
    from runwire.outputs import ChatGenerationChunk, GenerationChunk, LLMResult

# One callable per event; the dispatcher recognises these defaults and skips them.
__all__ = [
    "AsyncCallbackHandler",
    "BaseCallbackHandler",
    "CallbackManagerMixin",
    "ChainManagerMixin",
    "LLMManagerMixin",
    "RetrieverManagerMixin",
    "RunManagerMixin",
    "ToolManagerMixin",
]


class LLMManagerMixin:
    """Events of a model run after its start."""

    def on_llm_new_token(
        self,
        token: str,
        *,
        chunk: GenerationChunk | ChatGenerationChunk | None = None,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A streamed token (and its chunk), delivered before the consumer gets it."""

    def on_llm_end(
        self,
        response: LLMResult,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A model run finished with `response`."""

    def on_llm_error(
        self,
        error: BaseException,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A model run failed; `response=` holds the generations made before the failure."""


class ChainManagerMixin:
    """Events of a chain run after its start."""

    def on_chain_end(
        self,
        outputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A chain run finished; `outputs` is the raw output value."""

    def on_chain_error(
        self,
        error: BaseException,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A chain run failed with `error` (the exception the caller sees)."""

    def on_chain_stream(
        self, chunk: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> Any:
        """runwire: a chunk a streamed chain run yields (what `astream_events` reports as
        `on_chain_stream`); langchain-core has no such callback."""

    def on_agent_action(
        self, action: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> Any:
        """An agent decided to call a tool."""

    def on_agent_finish(
        self, finish: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> Any:
        """An agent produced its final answer."""


class ToolManagerMixin:
    """Events of a tool run after its start."""

    def on_tool_end(
        self, output: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> Any:
        """A tool run finished with `output`."""

    def on_tool_error(
        self,
        error: BaseException,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A tool run failed."""


class RetrieverManagerMixin:
    """Events of a retriever run after its start."""

    def on_retriever_end(
        self,
        documents: Sequence[Any],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A retriever run finished with `documents`."""

    def on_retriever_error(
        self,
        error: BaseException,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A retriever run failed."""


class CallbackManagerMixin:
    """The start events: each opens a run with a fresh `run_id`."""

    def on_llm_start(
        self,
        serialized: dict[str, Any],
        prompts: list[str],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A text model run started (also called for chat models by handlers that lack
        `on_chat_model_start`, with the messages rendered as strings)."""

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A chat model run started. Not overriding it routes the event to `on_llm_start`."""
        raise NotImplementedError(f"{type(self).__name__} does not implement `on_chat_model_start`")

    def on_retriever_start(
        self,
        serialized: dict[str, Any],
        query: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A retriever run started."""

    def on_chain_start(
        self,
        serialized: dict[str, Any],
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A chain run started; `serialized` is never None and `name=` carries the run name."""

    def on_tool_start(
        self,
        serialized: dict[str, Any],
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        inputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A tool run started."""


class RunManagerMixin:
    """Events attached to a run that is already open."""

    def on_text(self, text: str, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any) -> Any:
        """Free text from a run."""

    def on_retry(
        self, retry_state: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> Any:
        """An attempt failed and will be retried; `retry_state` says which attempt and why."""

    def on_custom_event(
        self,
        name: str,
        data: Any,
        *,
        run_id: UUID,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A user event from `dispatch_custom_event`, attributed to the enclosing run."""


class BaseCallbackHandler(
    LLMManagerMixin,
    ChainManagerMixin,
    ToolManagerMixin,
    RetrieverManagerMixin,
    CallbackManagerMixin,
    RunManagerMixin,
):
    """Base class for handlers. Override the events you want; the rest cost nothing."""

    raise_error: bool = False
    """Re-raise this handler's exceptions into the run (after the other handlers got the event)."""

    run_inline: bool = False
    """Kept for langchain compatibility: runwire always calls sync handlers inline, in order."""

    payloads_read_only: bool = False
    """Set True on a handler that never modifies the inputs/outputs/`serialized` it is given:
    runwire then skips the per-handler copies that keep a mutating handler from changing a run's
    data (built-in tracers set it)."""

    wants_tokens: bool = False
    """Ask chat models to stream inside `invoke` too, so `on_llm_new_token` fires for every model
    call of the run, not only for `stream()` (a model with `disable_streaming=True` never does)."""

    @property
    def ignore_llm(self) -> bool:
        """Skip model events (and the chat-to-llm start fallback)."""
        return False

    @property
    def ignore_retry(self) -> bool:
        """Skip `on_retry`."""
        return False

    @property
    def ignore_chain(self) -> bool:
        """Skip chain events."""
        return False

    @property
    def ignore_agent(self) -> bool:
        """Skip agent and tool events."""
        return False

    @property
    def ignore_retriever(self) -> bool:
        """Skip retriever events."""
        return False

    @property
    def ignore_chat_model(self) -> bool:
        """Skip `on_chat_model_start`."""
        return False

    @property
    def ignore_custom_event(self) -> bool:
        """Skip `on_custom_event`."""
        return False


class AsyncCallbackHandler(BaseCallbackHandler):
    """Base class for async handlers: override the events you want as `async def`.

    Under `ainvoke` they are awaited in order on the caller's loop; under `invoke` they run on
    one long-lived background loop and the run waits for each, so ordering is the same.
    """

    async def on_llm_new_token(
        self, token: str, *, chunk: Any = None, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """A streamed token."""

    async def on_llm_end(
        self, response: LLMResult, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """A model run finished."""

    async def on_llm_error(
        self, error: BaseException, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """A model run failed."""

    async def on_chain_end(
        self, outputs: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """A chain run finished."""

    async def on_chain_error(
        self, error: BaseException, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """A chain run failed."""

    async def on_agent_action(
        self, action: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """An agent action."""

    async def on_agent_finish(
        self, finish: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """An agent finish."""

    async def on_tool_end(
        self, output: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """A tool run finished."""

    async def on_tool_error(
        self, error: BaseException, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """A tool run failed."""

    async def on_retriever_end(
        self, documents: Sequence[Any], *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """A retriever run finished."""

    async def on_retriever_error(
        self, error: BaseException, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """A retriever run failed."""

    async def on_llm_start(
        self, serialized: dict[str, Any], prompts: list[str], *, run_id: UUID, **kwargs: Any
    ) -> None:
        """A text model run started."""

    async def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], *, run_id: UUID, **kwargs: Any
    ) -> Any:
        """A chat model run started; not overriding it routes the event to `on_llm_start`."""
        raise NotImplementedError(f"{type(self).__name__} does not implement `on_chat_model_start`")

    async def on_retriever_start(
        self, serialized: dict[str, Any], query: str, *, run_id: UUID, **kwargs: Any
    ) -> None:
        """A retriever run started."""

    async def on_chain_start(
        self, serialized: dict[str, Any], inputs: Any, *, run_id: UUID, **kwargs: Any
    ) -> None:
        """A chain run started."""

    async def on_tool_start(
        self, serialized: dict[str, Any], input_str: str, *, run_id: UUID, **kwargs: Any
    ) -> None:
        """A tool run started."""

    async def on_text(
        self, text: str, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """Free text."""

    async def on_retry(
        self, retry_state: Any, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any
    ) -> None:
        """A retried attempt."""

    async def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        """A custom event."""


# The methods above are defaults: the dispatcher skips any handler method defined in these modules.
DEFAULT_MODULES = frozenset({__name__, "langchain_core.callbacks.base"})
