"""Fake models for testing the runtime (never for pretending a provider works): scripted replies,
streamed word by word where the real ones stream (tool calls too: name and id, then the JSON
arguments word by word). Pure CPU, so async paths do not hop threads. `bind_tools` comes from
BaseChatModel, so agents can drive a fake scripted to call tools."""

from __future__ import annotations

import json
import re
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
        """The next message in pieces: its content word by word (spaces kept), then each tool
        call (name and id first, then its JSON arguments word by word), then the metadata; the
        final piece is marked `chunk_position="last"`. The pieces add up to the message."""
        message = self._next()
        pieces = list(_pieces(message))
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


def _words(text: str) -> list[str]:
    return [part for part in re.split(r"(\s)", text) if part]


def _pieces(message: AIMessage) -> Iterator[AIMessageChunk]:
    content = message.content
    calls: list[tuple[str | None, str, str | None]] = [
        (c["name"], json.dumps(c["args"]), c["id"]) for c in message.tool_calls
    ]
    calls += [(c["name"], c["args"] or "", c["id"]) for c in message.invalid_tool_calls]
    if isinstance(content, str) and content:
        for part in _words(content):
            yield AIMessageChunk(content=part, id=message.id)
    elif content or not calls:
        yield AIMessageChunk(content=content, id=message.id)
    for index, (name, args, call_id) in enumerate(calls):
        yield AIMessageChunk(
            content="",
            id=message.id,
            tool_call_chunks=[tool_call_chunk(name=name, args="", id=call_id, index=index)],
        )
        for part in _words(args):
            yield AIMessageChunk(
                content="", id=message.id, tool_call_chunks=[tool_call_chunk(args=part, index=index)]
            )
    if message.additional_kwargs or message.response_metadata or message.usage_metadata:
        yield AIMessageChunk(
            content="",
            id=message.id,
            additional_kwargs=message.additional_kwargs,
            response_metadata=message.response_metadata,
            usage_metadata=message.usage_metadata,
        )


class FakeListChatModel(BaseChatModel):
    """Replies with `responses` in turn, starting over after the last; streams character by
    character. `sleep` (seconds) waits before each reply, `error_on_chunk_number` fails a stream."""

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

    def _next(self) -> str:
        if not self.responses:
            raise ValueError("FakeListChatModel has no responses; pass responses=['...']")
        response = self.responses[self.i % len(self.responses)]
        self.i = (self.i + 1) % len(self.responses)
        return response

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.sleep:
            import time

            time.sleep(self.sleep)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._next()))])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.sleep:
            import asyncio

            await asyncio.sleep(self.sleep)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._next()))])

    def _chars(self) -> Iterator[ChatGenerationChunk]:
        response = self._next()
        for index, char in enumerate(response):
            if self.error_on_chunk_number is not None and index == self.error_on_chunk_number:
                raise FakeListChatModelError(f"scripted failure at chunk {index}")
            chunk = AIMessageChunk(content=char)
            if index == len(response) - 1:
                chunk.chunk_position = "last"
            yield ChatGenerationChunk(message=chunk)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in self._chars():
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
        for chunk in self._chars():
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


class FakeListChatModelError(Exception):
    """Raised by FakeListChatModel at `error_on_chunk_number`."""


class FakeMessagesListChatModel(BaseChatModel):
    """Replies with the messages of `responses` in turn."""

    responses: list[BaseMessage]
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
        response = self.responses[self.i % len(self.responses)]
        self.i = (self.i + 1) % len(self.responses)
        return ChatResult(generations=[ChatGeneration(message=response)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate(messages, stop)


class FakeListLLM(LLM):
    """A text model replying with `responses` in turn, starting over after the last."""

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
        if not self.responses:
            raise ValueError("FakeListLLM has no responses; pass responses=['...']")
        response = self.responses[self.i % len(self.responses)]
        self.i = (self.i + 1) % len(self.responses)
        return response

    async def _acall(
        self, prompt: str, stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any
    ) -> str:
        if self.sleep:
            import asyncio

            await asyncio.sleep(self.sleep)
        return self._call(prompt, stop)
