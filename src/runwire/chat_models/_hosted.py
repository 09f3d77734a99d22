"""The shell shared by chat models behind a vendor SDK (Anthropic, OpenAI): credentials, lazy
clients, and invoke/stream twins around a provider's pure wire functions.

A provider subclass supplies `_body` (messages to a request body), `_result` (a response body
to a ChatResult), `_translator` (stream events to chunks) and `_create` (the one SDK call).
Every SDK or transport failure leaves as a typed `runwire.chat_models.errors` error; the SDK's
own retry (with `max_retries`) runs first. The key lives in a SecretStr and reaches only the
SDK client. Not here: anything a provider's wire format decides.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from types import ModuleType
from typing import Any, ClassVar

from runwire.chat_models._common import import_sdk, merge_chunks, parse_body, provider_errors, secret
from runwire.chat_models._tools import check_tool_choice, structured_output, to_openai_tool
from runwire.language_models.chat_models import BaseChatModel
from runwire.messages import BaseMessage
from runwire.outputs import ChatGenerationChunk, ChatResult

Translator = Callable[[dict[str, Any]], ChatGenerationChunk | None]


class HostedChatModel(BaseChatModel):
    """Base of the SDK-backed chat models. Constructor aliases (`model_name=`, ...) are mapped
    by `_aliases` before the fields are set, as langchain's pydantic aliases would."""

    api_key: Any = None
    base_url: str | None = None
    timeout: float | None = None
    max_retries: int = 2
    default_headers: dict[str, str] | None = None
    streaming: bool = False
    model_kwargs: dict[str, Any] = {}  # noqa: RUF012  # Fields copies mutable defaults per instance

    _provider_key: ClassVar[str] = ""
    _provider_name: ClassVar[str] = ""
    _sdk: ClassVar[tuple[str, str, str]] = ("", "", "")  # module, runwire extra, PyPI package
    _key_env: ClassVar[str] = ""
    _base_url_env: ClassVar[tuple[str, ...]] = ()
    _aliases: ClassVar[dict[str, str]] = {}

    def __init__(self, **kwargs: Any) -> None:
        for alias, name in self._aliases.items():
            if alias in kwargs:
                kwargs[name] = kwargs.pop(alias)
        super().__init__(**kwargs)

    def model_post_init(self, context: Any, /) -> None:
        self._module: ModuleType = import_sdk(*self._sdk)
        self.api_key = secret(self.api_key, self._key_env, self._provider_name)
        if self.base_url is None:
            self.base_url = next((os.environ[e] for e in self._base_url_env if os.environ.get(e)), None)
        self._sync_client: Any = None
        # One per event loop, dropped with its loop: an async pool must not cross loops.
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    def _provider(self) -> str:
        return self._provider_key

    def _client(self, *, async_: bool) -> Any:
        """The SDK client, made on first use and kept: one sync client, and one async client per
        event loop (an async connection pool must not outlive or cross its loop)."""
        loop = asyncio.get_running_loop() if async_ else None
        client = self._async_clients.get(loop) if loop is not None else self._sync_client
        if client is None:
            options: dict[str, Any] = {
                "api_key": self.api_key.get_secret_value(),
                "max_retries": self.max_retries,
            }
            if self.base_url is not None:
                options["base_url"] = self.base_url
            if self.timeout is not None:
                options["timeout"] = self.timeout
            if self.default_headers:
                options["default_headers"] = self.default_headers
            client = self._make_client(options, async_)
            if loop is None:
                self._sync_client = client
                # Pooled keep-alive sockets close with the model, not whenever GC finds them.
                weakref.finalize(self, client.close)
            else:
                self._async_clients[loop] = client
        return client

    def close(self) -> None:
        """Close the sync client's connections (they are also closed when the model is freed)."""
        client, self._sync_client = self._sync_client, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Close the running event loop's async client; call it before that loop ends."""
        client = self._async_clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.close()

    # -- what a provider supplies ---------------------------------------------------------------------

    def _make_client(self, options: dict[str, Any], async_: bool) -> Any:
        raise NotImplementedError

    def _create(self, client: Any, body: dict[str, Any]) -> Any:
        """The SDK call: a response object, or a stream when `body["stream"]`."""
        raise NotImplementedError

    def _body(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any], stream: bool
    ) -> dict[str, Any]:
        raise NotImplementedError

    def _result(self, body: dict[str, Any]) -> ChatResult:
        raise NotImplementedError

    def _translator(self) -> Translator:
        raise NotImplementedError

    # -- invoke / stream twins ------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            return merge_chunks(
                list(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs)), self._provider_key
            )
        body = self._body(messages, stop, kwargs, stream=False)
        with provider_errors(self._provider_key, self.max_retries, self.base_url):
            response = self._create(self._client(async_=False), body)
            return parse_body(self._result, response, self._provider_key)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            chunks = [c async for c in self._astream(messages, stop=stop, run_manager=run_manager, **kwargs)]
            return merge_chunks(chunks, self._provider_key)
        body = self._body(messages, stop, kwargs, stream=False)
        with provider_errors(self._provider_key, self.max_retries, self.base_url):
            response = await self._create(self._client(async_=True), body)
            return parse_body(self._result, response, self._provider_key)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        body = self._body(messages, stop, kwargs, stream=True)
        translate = self._translator()
        with provider_errors(self._provider_key, self.max_retries, self.base_url):
            stream = self._create(self._client(async_=False), body)
            try:
                for event in stream:
                    chunk = parse_body(translate, event, self._provider_key)
                    if chunk is not None:
                        if run_manager:
                            run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                        yield chunk
            finally:
                stream.close()  # an abandoned stream frees its connection now

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        body = self._body(messages, stop, kwargs, stream=True)
        translate = self._translator()
        with provider_errors(self._provider_key, self.max_retries, self.base_url):
            stream = await self._create(self._client(async_=True), body)
            try:
                async for event in stream:
                    chunk = parse_body(translate, event, self._provider_key)
                    if chunk is not None:
                        if run_manager:
                            await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                        yield chunk
            finally:
                await stream.close()

    # -- tools and structured output ----------------------------------------------------------------

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any) -> Any:
        """This model with `tools` offered (kept in OpenAI's format; sent in the provider's).
        `tool_choice`: a tool name or True forces that tool, "any" forces some tool, "auto"
        lets the model decide, "none" forbids tools."""
        formatted = [to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=check_tool_choice(tool_choice, formatted), **kwargs)

    def with_structured_output(
        self, schema: Any, *, include_raw: bool = False, method: str = "function_calling", **kwargs: Any
    ) -> Any:
        """A runnable returning `schema`-shaped output (a dict, or an instance of a pydantic
        `schema`); with `include_raw`, a dict with the message, the value and any parse error."""
        return structured_output(self, schema, method, include_raw, **kwargs)

    def _json_binding(self, name: str, tool: dict[str, Any], method: str, **kwargs: Any) -> Any:
        raise ValueError(
            f"{type(self).__name__} supports with_structured_output(method='function_calling') only; "
            f"got method={method!r}"
        )
