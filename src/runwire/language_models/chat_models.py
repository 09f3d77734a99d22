"""BaseChatModel: messages in, an AIMessage out, as one LLM run.

A subclass implements `_generate` (and `_stream` to stream; `_agenerate`/`_astream` when it has
native async I/O). The base turns the input into messages, opens the run only if a handler
listens, fires `on_chat_model_start` (or `on_llm_start` with rendered prompts for handlers that
lack it), gives the message an id, and fires one `on_llm_end` with an `LLMResult`, or
`on_llm_error` with the generations made before the failure.
Not here: providers (see `runwire.chat_models`) or tool binding.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, cast

from runwire import globals as _globals
from runwire.callbacks.calling import acall_chat_start, deliver_chat_start
from runwire.callbacks.context import enter_run, exit_run, new_message_id, run_message_id
from runwire.language_models import _cached, _replay
from runwire.language_models.base import BaseLanguageModel, as_list
from runwire.language_models.tool_binding import ToolBindingMixin
from runwire.messages import AIMessage, BaseMessage, HumanMessage, convert_to_messages, get_buffer_string
from runwire.outputs import (
    ChatGeneration,
    ChatGenerationChunk,
    ChatResult,
    LLMResult,
    merge_chat_generation_chunks,
)
from runwire.runnables.config import RunnableConfig, run_in_executor


def to_messages(input: Any) -> list[BaseMessage]:
    """Chat model input as messages: a prompt value, a string, or a sequence of message-likes."""
    if isinstance(input, str):
        return [HumanMessage(content=input)]
    to_messages_ = getattr(input, "to_messages", None)
    if to_messages_ is not None:
        messages = to_messages_()
        return messages if type(messages) is list else list(messages)  # prompt values return a new list
    if isinstance(input, BaseMessage):
        return [input]
    if isinstance(input, Sequence):
        return convert_to_messages(input)
    raise ValueError(  # langchain-core's type and opening
        f"Invalid input type {type(input)}. Must be a PromptValue, str, or list of BaseMessages. "
        f"(a chat model got {type(input).__name__}: {input!r:.200}; put a prompt template before it "
        "or pass [HumanMessage(...)].)"
    )


class BaseChatModel(ToolBindingMixin, BaseLanguageModel):
    """Base for chat models. Implement `_generate(messages, stop=None, run_manager=None, **kw)`."""

    disable_streaming: bool = False
    streaming: bool = False
    rate_limiter: Any = None

    @property
    def OutputType(self) -> Any:
        return BaseMessage

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if type(self)._stream is not BaseChatModel._stream:
            return _result_from_stream(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))
        raise NotImplementedError(f"{type(self).__name__} must implement `_generate` (or `_stream`)")

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        # The sync run manager is what `_generate` expects; it shares the run's state.
        sync_run = run_manager.get_sync() if run_manager else run_manager
        return await run_in_executor(None, self._generate, messages, stop, sync_run, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        raise NotImplementedError

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        sync_run = run_manager.get_sync() if run_manager else run_manager
        for chunk in self._stream(messages, stop=stop, run_manager=sync_run, **kwargs):
            yield chunk

    # -- the run -------------------------------------------------------------------------------------

    def _call_generate(
        self, messages: list[BaseMessage], stop: list[str] | None, run: Any, kwargs: dict[str, Any]
    ) -> ChatResult:
        if _replay.active and (replayed := _replay.recorded(self, messages)) is not None:
            return cast(ChatResult, replayed)  # a recorded trace answers (runwire.tracers.replay)
        if self._takes_run_manager:
            return self._generate(messages, stop=stop, run_manager=run, **kwargs)
        return self._generate(messages, stop=stop, **kwargs)

    def _chat_start_kw(self, run: Any, config: Any, stop: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The keywords of `on_chat_model_start`, in langchain-core's order, in one dict."""
        return {
            "run_id": run.run_id,
            "parent_run_id": run.parent_run_id,
            "tags": run._tags,
            "metadata": run._md,
            "name": self._run_name(config),
            "invocation_params": self._get_invocation_params(stop=stop, **kwargs),
            "options": {"stop": stop, **kwargs},
            "batch_size": 1,
        }

    def _fire_start(
        self, run: Any, messages: list[BaseMessage], config: Any, stop: Any, kwargs: dict[str, Any]
    ) -> None:
        entries = run._dispatch.chat_start
        if entries:
            serialized = self._serialized
            try:
                deliver_chat_start(
                    entries,
                    run,
                    serialized,
                    messages,
                    self._run_name(config),
                    self._get_invocation_params(stop=stop, **kwargs),
                    {"stop": stop, **kwargs},
                    lambda: (serialized, [get_buffer_string(messages)]),
                )
            except BaseException as exc:
                run.finish_error(exc, response=LLMResult(generations=[[]]))
                raise

    async def _afire_start(
        self, run: Any, messages: list[BaseMessage], config: Any, stop: Any, kwargs: dict[str, Any]
    ) -> None:
        entries = run._dispatch.chat_start
        if entries:
            kw = self._chat_start_kw(run, config, stop, kwargs)
            try:
                await acall_chat_start(
                    entries,
                    (self._serialized, [messages]),
                    lambda: (self._serialized, [get_buffer_string(messages)]),
                    kw,
                )
            except BaseException as exc:
                await run.afinish_error(exc, response=LLMResult(generations=[[]]))
                raise

    def invoke(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AIMessage:
        messages = to_messages(input)
        if stop is not None:
            stop = as_list(stop)
        run = self._open(config, stop, kwargs, async_=False)
        plain = self.cache is None and self.rate_limiter is None and _globals._llm_cache is None
        if run is None:
            if plain:
                result = self._call_generate(messages, stop, None, kwargs)
            else:
                result = self._generate_with_cache(messages, stop, None, kwargs)
            message: AIMessage = result.generations[0].message  # type: ignore[assignment]
            if message.id is None:
                message.id = new_message_id()
            return message
        self._fire_start(run, messages, config, stop, kwargs)
        token = enter_run(run)
        try:
            if not plain:
                result = self._generate_with_cache(messages, stop, run, kwargs)
            elif self._streams_invoke(run):
                result = _result_from_stream(self._stream(messages, stop=stop, run_manager=run, **kwargs))
            else:
                result = self._call_generate(messages, stop, run, kwargs)
        except BaseException as exc:
            run.finish_error(exc, response=LLMResult(generations=[[]]))
            raise
        finally:
            exit_run(token)
        run.finish(self._end(result, run))
        return result.generations[0].message  # type: ignore[return-value]

    async def ainvoke(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AIMessage:
        if _replay.active and _replay.replaying():  # recorded replies need no I/O: the sync path serves them
            return self.invoke(input, config, stop=stop, **kwargs)
        messages = to_messages(input)
        stop = as_list(stop)
        run = self._open(config, stop, kwargs, async_=True)
        plain = self.cache is None and self.rate_limiter is None and _globals._llm_cache is None
        if run is None:
            if plain:
                result = await self._agenerate(messages, stop=stop, **kwargs)
            else:
                result = await self._agenerate_with_cache(messages, stop, None, kwargs)
            message = result.generations[0].message
            if message.id is None:
                message.id = new_message_id()
            return cast(AIMessage, message)
        if run._dispatch.all_sync:
            self._fire_start(run, messages, config, stop, kwargs)
        else:
            await self._afire_start(run, messages, config, stop, kwargs)
        token = enter_run(run)
        try:
            if not plain:
                result = await self._agenerate_with_cache(messages, stop, run, kwargs)
            elif self._streams_invoke(run):
                result = await _aresult_from_stream(
                    self._astream(messages, stop=stop, run_manager=run, **kwargs)
                )
            else:
                result = await self._agenerate(messages, stop=stop, run_manager=run, **kwargs)
        except BaseException as exc:
            await run.afinish_error(exc, response=LLMResult(generations=[[]]))
            raise
        finally:
            exit_run(token)
        if run._dispatch.all_sync:
            run.finish(self._end(result, run))
        else:
            await run.afinish(self._end(result, run))
        return cast(AIMessage, result.generations[0].message)

    def _generate_with_cache(
        self, messages: list[BaseMessage], stop: list[str] | None, run: Any, kwargs: dict[str, Any]
    ) -> ChatResult:
        def produce() -> ChatResult:
            if run is not None and self._streams_invoke(run):
                return _result_from_stream(self._stream(messages, stop=stop, run_manager=run, **kwargs))
            return self._call_generate(messages, stop, run, kwargs)

        return _cached.generate_with_cache(self, messages, stop, run, kwargs, produce)

    async def _agenerate_with_cache(
        self, messages: list[BaseMessage], stop: list[str] | None, run: Any, kwargs: dict[str, Any]
    ) -> ChatResult:
        async def produce() -> ChatResult:
            if run is not None and self._streams_invoke(run):
                return await _aresult_from_stream(
                    self._astream(messages, stop=stop, run_manager=run, **kwargs)
                )
            if run is None:
                return await self._agenerate(messages, stop=stop, **kwargs)
            return await self._agenerate(messages, stop=stop, run_manager=run, **kwargs)

        return await _cached.agenerate_with_cache(self, messages, stop, run, kwargs, produce)

    def _end(self, result: ChatResult, run: Any) -> LLMResult:
        generations = result.generations
        if len(generations) == 1:  # the common case, without enumerate
            message = generations[0].message
            if message.id is None:
                message.id = run_message_id(run.run_id, "-0")
        else:
            for index, generation in enumerate(generations):
                if generation.message.id is None:
                    generation.message.id = run_message_id(run.run_id, f"-{index}")
        return LLMResult._of_chat(result)

    # -- streaming ---------------------------------------------------------------------------------

    def _can_stream(self) -> bool:
        if _replay.active and _replay.replaying():
            return False  # a replayed reply comes whole, as one chunk
        return type(self)._stream is not BaseChatModel._stream and not self.disable_streaming

    def _streams_invoke(self, run: Any) -> bool:
        """The rule for when `invoke` streams internally: the model can stream, and either
        `streaming=True` is set on it or a handler of this run sets `wants_tokens = True` (as
        `astream_events` does), so that handler hears tokens from `invoke` too. Handlers that
        merely define `on_llm_new_token` do not switch providers to streaming behind the
        caller's back. `disable_streaming=True` on the model opts out."""
        return (self.streaming or run._dispatch.wants_tokens) and self._can_stream()

    def stream(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> Iterator[AIMessage]:
        """Yield message chunks as the model produces them; handlers hear each token first."""
        if not self._can_stream():
            yield self.invoke(input, config, stop=stop, **kwargs)
            return
        messages = to_messages(input)
        stop = as_list(stop)
        run = self._open(config, stop, kwargs, async_=False)
        if run is not None:
            self._fire_start(run, messages, config, stop, kwargs)
        if self.rate_limiter is not None:
            self.rate_limiter.acquire(blocking=True)
        message_id = run_message_id(run.run_id) if run is not None else new_message_id()[:-2]
        chunks: list[ChatGenerationChunk] | None = [] if run is not None else None
        try:
            for chunk in _scoped_chunks(run, self._stream(messages, stop=stop, run_manager=run, **kwargs)):
                if chunk.message.id is None:
                    chunk.message.id = message_id
                if chunks is not None:
                    chunks.append(chunk)
                yield chunk.message  # type: ignore[misc]  # an AIMessageChunk (no cast(): a call per chunk)
        except BaseException as exc:  # includes GeneratorExit: an abandoned stream still ends
            if run is not None:
                run.finish_error(exc, response=_streamed_result(chunks))
            raise
        if run is not None:
            run.finish(_streamed_result(chunks))

    async def astream(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[AIMessage]:
        """Async `stream`."""
        if not self._can_stream():
            yield await self.ainvoke(input, config, stop=stop, **kwargs)
            return
        messages = to_messages(input)
        stop = as_list(stop)
        run = self._open(config, stop, kwargs, async_=True)
        if run is not None:
            await self._afire_start(run, messages, config, stop, kwargs)
        if self.rate_limiter is not None:
            await self.rate_limiter.aacquire(blocking=True)
        message_id = run_message_id(run.run_id) if run is not None else new_message_id()[:-2]
        chunks: list[ChatGenerationChunk] | None = [] if run is not None else None
        try:
            async for chunk in _ascoped_chunks(
                run, self._astream(messages, stop=stop, run_manager=run, **kwargs)
            ):
                if chunk.message.id is None:
                    chunk.message.id = message_id
                if chunks is not None:
                    chunks.append(chunk)
                yield chunk.message  # type: ignore[misc]  # an AIMessageChunk (no cast(): a call per chunk)
        except BaseException as exc:
            if run is not None:
                await run.afinish_error(exc, response=_streamed_result(chunks))
            raise
        if run is not None:
            await run.afinish(_streamed_result(chunks))

    # -- langchain-core's batch-of-prompts API -------------------------------------------------------

    def generate(
        self,
        messages: list[list[BaseMessage]],
        stop: list[str] | None = None,
        callbacks: Any = None,
        *,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        run_name: str | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        """One run per message list; the results gathered in one LLMResult."""
        config: dict[str, Any] = {
            "callbacks": callbacks,
            "tags": tags,
            "metadata": metadata,
            "run_name": run_name,
        }
        config = {k: v for k, v in config.items() if v is not None}
        generations: list[list[ChatGeneration]] = []
        for batch in messages:
            message = self.invoke(batch, config or None, stop=stop, **kwargs)  # type: ignore[arg-type]
            generations.append([ChatGeneration(message=message)])
        return LLMResult(generations=generations)  # type: ignore[arg-type]

    async def agenerate(
        self,
        messages: list[list[BaseMessage]],
        stop: list[str] | None = None,
        callbacks: Any = None,
        **kwargs: Any,
    ) -> LLMResult:
        """Async `generate`."""
        config = {"callbacks": callbacks} if callbacks is not None else None
        generations = []
        for batch in messages:
            message = await self.ainvoke(batch, config, stop=stop, **kwargs)  # type: ignore[arg-type]
            generations.append([ChatGeneration(message=message)])
        return LLMResult(generations=generations)  # type: ignore[arg-type]


class SimpleChatModel(BaseChatModel):
    """A chat model from one method: `_call(messages, stop, run_manager, **kw) -> str`."""

    def _call(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> str:
        raise NotImplementedError(f"{type(self).__name__} must implement `_call`")

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = self._call(messages, stop=stop, run_manager=run_manager, **kwargs)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def _scoped_chunks(run: Any, chunks: Iterator[ChatGenerationChunk]) -> Iterator[ChatGenerationChunk]:
    """The model's chunks, computed inside the run's handler contexts (e.g. its OTel span, so the
    provider's HTTP spans nest under it) when a handler declares one; as they are otherwise."""
    if run is None or not run._dispatch.scopes:
        return chunks
    return _each_in(run, chunks)


def _each_in(run: Any, chunks: Iterator[ChatGenerationChunk]) -> Iterator[ChatGenerationChunk]:
    try:
        while True:
            token = enter_run(run)
            try:
                chunk = next(chunks, None)
            finally:
                exit_run(token)
            if chunk is None:
                return
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _ascoped_chunks(
    run: Any, chunks: AsyncIterator[ChatGenerationChunk]
) -> AsyncIterator[ChatGenerationChunk]:
    if run is None or not run._dispatch.scopes:
        return chunks
    return _aeach_in(run, chunks)


async def _aeach_in(
    run: Any, chunks: AsyncIterator[ChatGenerationChunk]
) -> AsyncIterator[ChatGenerationChunk]:
    try:
        while True:
            token = enter_run(run)
            try:
                chunk = await anext(chunks, None)
            finally:
                exit_run(token)
            if chunk is None:
                return
            yield chunk
    finally:
        aclose = getattr(chunks, "aclose", None)
        if aclose is not None:
            await aclose()


def _streamed_result(chunks: list[ChatGenerationChunk] | None) -> LLMResult:
    """The LLMResult of a streamed model run: the chunks merged in one pass."""
    merged = merge_chat_generation_chunks(chunks or [])
    return LLMResult(generations=[[merged]] if merged is not None else [[]])


async def _aresult_from_stream(chunks: AsyncIterator[ChatGenerationChunk]) -> ChatResult:
    return _result_from_stream(iter([chunk async for chunk in chunks]))


def _result_from_stream(chunks: Iterator[ChatGenerationChunk]) -> ChatResult:
    merged = merge_chat_generation_chunks(list(chunks))
    if merged is None:
        raise ValueError("the model's stream produced no chunks; expected at least one")
    from runwire.messages import message_chunk_to_message

    return ChatResult(
        generations=[
            ChatGeneration(
                message=message_chunk_to_message(merged.message), generation_info=merged.generation_info
            )
        ]
    )
