"""Fake models for testing the runtime (never for pretending a provider works): scripted replies,
streamed word by word where the real ones stream (tool calls too: name and id, then the JSON
arguments word by word). Pure CPU, so async paths do not hop threads. Fakes scripted with
messages (GenericFakeChatModel, FakeMessagesListChatModel) keep BaseChatModel's `bind_tools`, so
agents can drive them to call tools; fakes replying with plain text raise NotImplementedError
from `bind_tools` / `with_structured_output`, as in langchain-core."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

from runwire.language_models.chat_models import BaseChatModel
from runwire.language_models.llms import LLM
from runwire.messages import AIMessage, AIMessageChunk, BaseMessage, tool_call_chunk
from runwire.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


class GenericFakeChatModel(BaseChatModel):
    """Replies with the next item of `messages` (an iterator of AIMessage or str); streams the
    content split on whitespace, keeping the spaces as their own chunks."""

    messages: Any

    @property
    def _llm_type(self) -> str:
        return "generic-fake-chat-model"

    def _next(self) -> AIMessage:
        try:
            message = next(self.messages)
        except StopIteration:
            raise ValueError(
                "GenericFakeChatModel ran out of scripted messages; give it more, e.g. "
                "messages=itertools.cycle([...]) or itertools.repeat(...)"
            ) from None
        return AIMessage(content=message) if isinstance(message, str) else message

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next())])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate(messages, stop)

    def _chunks(self) -> Iterator[ChatGenerationChunk]:
        """The next message in pieces, as langchain-core streams it: its content split on
        whitespace (the spaces, and the empty strings between repeated spaces, are pieces too),
        then its `additional_kwargs` key by key (a `function_call`'s string values split on
        commas). runwire also streams tool calls (name and id, then the JSON arguments word by
        word) and the metadata, which langchain-core drops. The last piece is marked
        `chunk_position="last"` (an extra empty one after additional_kwargs, as langchain-core's
        stream() adds it). The pieces add up to the message."""
        message = self._next()
        pieces = list(_pieces(message))
        if pieces[-1].additional_kwargs:
            # additional_kwargs came last: an empty closing chunk, as langchain-core's stream() adds.
            empty: Any = "" if isinstance(message.content, str) else []
            pieces.append(AIMessageChunk(content=empty, id=message.id))
        pieces[-1].chunk_position = "last"
        for piece in pieces:
            yield ChatGenerationChunk(message=piece)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self._chunks():
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._chunks():
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


def _kwarg_pieces(message: AIMessage) -> Iterator[AIMessageChunk]:
    for key, value in message.additional_kwargs.items():
        if key != "function_call":
            yield AIMessageChunk(content="", id=message.id, additional_kwargs={key: value})
            continue
        for field, field_value in value.items():
            parts = re.split(r"(,)", field_value) if isinstance(field_value, str) else [field_value]
            for part in parts:
                yield AIMessageChunk(
                    content="", id=message.id, additional_kwargs={"function_call": {field: part}}
                )


def _pieces(message: AIMessage) -> Iterator[AIMessageChunk]:
    content = message.content
    calls: list[tuple[str | None, str, str | None]] = [
        (c["name"], json.dumps(c["args"]), c["id"]) for c in message.tool_calls
    ]
    calls += [(c["name"], c["args"] or "", c["id"]) for c in message.invalid_tool_calls]
    if isinstance(content, str) and content:
        for part in re.split(r"(\s)", content):
            yield AIMessageChunk(content=part, id=message.id)
    elif content or not (calls or message.additional_kwargs):
        yield AIMessageChunk(content=content, id=message.id)
    yield from _kwarg_pieces(message)
    for index, (name, args, call_id) in enumerate(calls):
        yield AIMessageChunk(
            content="",
            id=message.id,
            tool_call_chunks=[tool_call_chunk(name=name, args="", id=call_id, index=index)],
        )
        for part in re.split(r"(\s)", args):
            if part:
                yield AIMessageChunk(
                    content="", id=message.id, tool_call_chunks=[tool_call_chunk(args=part, index=index)]
                )
    if message.response_metadata or message.usage_metadata:
        yield AIMessageChunk(
            content="",
            id=message.id,
            response_metadata=message.response_metadata,
            usage_metadata=message.usage_metadata,
        )


def _cannot_bind(model: Any, what: str) -> NotImplementedError:
    return NotImplementedError(
        f"{type(model).__name__} replies with scripted text, so it cannot honour {what}. Script the "
        "tool calls with GenericFakeChatModel(messages=iter([AIMessage(..., tool_calls=[...])])) instead."
    )


class _NoTools:
    """For fakes that reply with plain text: tool binding would pretend, so it raises, as in
    langchain-core."""

    def bind_tools(self, tools: Any, *, tool_choice: Any = None, **kwargs: Any) -> Any:
        raise _cannot_bind(self, "bind_tools")

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Any:
        raise _cannot_bind(self, "with_structured_output")


def _next_response(model: Any) -> Any:
    """`responses[i]`, then `i` moves on (back to 0 after the last), as langchain-core's fakes do;
    an `i` past the end is an IndexError."""
    if not 0 <= model.i < len(model.responses):
        raise IndexError(
            f"{type(model).__name__}.i={model.i} is past its {len(model.responses)} response(s); "
            "set i to a valid index or give more responses."
        )
    response = model.responses[model.i]
    model.i = model.i + 1 if model.i < len(model.responses) - 1 else 0
    return response


class FakeListChatModel(_NoTools, BaseChatModel):
    """Replies with `responses` in turn, starting over after the last; streams character by
    character. `sleep` (seconds) waits before each reply and each streamed character;
    `error_on_chunk_number` fails a stream at that chunk."""

    responses: list[str]
    sleep: float | None = None
    i: int = 0
    error_on_chunk_number: int | None = None

    @property
    def _llm_type(self) -> str:
        return "fake-list-chat-model"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"responses": self.responses}

    def _reply(self, text: str) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.sleep is not None:
            time.sleep(self.sleep)
        return self._reply(_next_response(self))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.sleep is not None:
            await asyncio.sleep(self.sleep)
        return self._reply(_next_response(self))

    def _char_chunk(self, response: str, index: int) -> ChatGenerationChunk:
        if self.error_on_chunk_number is not None and index == self.error_on_chunk_number:
            raise FakeListChatModelError(f"scripted failure at chunk {index}")
        chunk = AIMessageChunk(content=response[index])
        if index == len(response) - 1:
            chunk.chunk_position = "last"
        return ChatGenerationChunk(message=chunk)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        response = str(_next_response(self))
        for index in range(len(response)):
            if self.sleep is not None:
                time.sleep(self.sleep)
            chunk = self._char_chunk(response, index)
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        response = str(_next_response(self))
        for index in range(len(response)):
            if self.sleep is not None:
                await asyncio.sleep(self.sleep)
            chunk = self._char_chunk(response, index)
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


class FakeListChatModelError(Exception):
    """Raised by FakeListChatModel at `error_on_chunk_number`."""


class FakeMessagesListChatModel(BaseChatModel):
    """Replies with the messages of `responses` in turn (starting over after the last), after
    `sleep` seconds when set. Tool calls scripted on those messages come back as they are."""

    responses: list[BaseMessage]
    sleep: float | None = None
    i: int = 0

    @property
    def _llm_type(self) -> str:
        return "fake-messages-list-chat-model"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.sleep is not None:
            time.sleep(self.sleep)
        return ChatResult(generations=[ChatGeneration(message=_next_response(self))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.sleep is not None:
            await asyncio.sleep(self.sleep)
        return ChatResult(generations=[ChatGeneration(message=_next_response(self))])


class ParrotFakeChatModel(_NoTools, BaseChatModel):
    """Replies with the last message it was given, unchanged."""

    @property
    def _llm_type(self) -> str:
        return "parrot-fake-chat-model"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if not messages:
            raise ValueError("messages list cannot be empty.")
        return ChatResult(generations=[ChatGeneration(message=messages[-1])])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate(messages)


class FakeListLLM(LLM):
    """A text model replying with `responses` in turn, starting over after the last; an `i`
    set past them is an IndexError, as in langchain-core."""

    responses: list[str]
    sleep: float | None = None
    i: int = 0

    @property
    def _llm_type(self) -> str:
        return "fake-list"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"responses": self.responses}

    def _call(
        self, prompt: str, stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any
    ) -> str:
        return str(_next_response(self))

    async def _acall(
        self, prompt: str, stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any
    ) -> str:
        return str(_next_response(self))


class FakeListLLMError(Exception):
    """Raised by FakeStreamingListLLM at `error_on_chunk_number`."""


class FakeStreamingListLLM(FakeListLLM):
    """FakeListLLM whose `stream` yields the reply character by character (after the whole
    model run, as in langchain-core), waiting `sleep` seconds before each, and fails at
    `error_on_chunk_number` when set."""

    error_on_chunk_number: int | None = None

    def _check(self, index: int) -> None:
        if self.error_on_chunk_number is not None and index == self.error_on_chunk_number:
            raise FakeListLLMError

    def stream(
        self, input: Any, config: Any = None, *, stop: list[str] | None = None, **kwargs: Any
    ) -> Iterator[str]:
        for index, char in enumerate(self.invoke(input, config)):
            if self.sleep is not None:
                time.sleep(self.sleep)
            self._check(index)
            yield char

    async def astream(
        self, input: Any, config: Any = None, *, stop: list[str] | None = None, **kwargs: Any
    ) -> AsyncIterator[str]:
        for index, char in enumerate(await self.ainvoke(input, config)):
            if self.sleep is not None:
                await asyncio.sleep(self.sleep)
            self._check(index)
            yield char
