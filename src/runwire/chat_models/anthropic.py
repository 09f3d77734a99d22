"""ChatAnthropic: Claude models through the official `anthropic` SDK (Messages API).

Constructor arguments follow langchain-anthropic's. The request and response translation is
`_anthropic_wire` (pure); this module is the thin SDK call. Not here: extended thinking, the
batch and files APIs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from runwire.chat_models import _anthropic_wire as wire
from runwire.chat_models._common import call_sdk
from runwire.chat_models._hosted import HostedChatModel, Translator
from runwire.messages import BaseMessage
from runwire.outputs import ChatResult


class ChatAnthropic(HostedChatModel):
    """Anthropic chat models (`model="claude-3-5-haiku-latest"`, ...). Needs
    `pip install "runwire[anthropic]"` and an API key (`api_key=` or `ANTHROPIC_API_KEY`).
    The reply's ids are left to the run (`run-<run id>-0`); Anthropic's message id is in
    `response_metadata["id"]`."""

    model: str
    max_tokens: int = 1024
    temperature: float | None = None
    top_k: int | None = None
    top_p: float | None = None
    stop: list[str] | None = None

    _provider_key: ClassVar[str] = "anthropic"
    _provider_name: ClassVar[str] = "Anthropic"
    _sdk: ClassVar[tuple[str, str, str]] = ("anthropic", "anthropic", "anthropic")
    _key_env: ClassVar[str] = "ANTHROPIC_API_KEY"
    _base_url_env: ClassVar[tuple[str, ...]] = ("ANTHROPIC_BASE_URL", "ANTHROPIC_API_URL")
    _aliases: ClassVar[dict[str, str]] = {
        "model_name": "model",
        "anthropic_api_key": "api_key",
        "anthropic_api_url": "base_url",
        "default_request_timeout": "timeout",
        "max_tokens_to_sample": "max_tokens",
        "stop_sequences": "stop",
    }

    @property
    def _llm_type(self) -> str:
        return "anthropic-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model, "stream": self.streaming, **self._sampling()}

    def _sampling(self) -> dict[str, Any]:
        params = {
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "top_k": self.top_k,
            "top_p": self.top_p,
        }
        return {k: v for k, v in params.items() if v is not None}

    def _make_client(self, options: dict[str, Any], async_: bool) -> Any:
        return (self._module.AsyncAnthropic if async_ else self._module.Anthropic)(**options)

    def _create(self, client: Any, body: dict[str, Any]) -> Any:
        return call_sdk(client.messages.create, body)

    def _body(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any], stream: bool
    ) -> dict[str, Any]:
        params = {"model": self.model, **self._sampling(), **self.model_kwargs, **kwargs}
        return wire.to_wire(messages, params=params, stop=stop or self.stop, stream=stream)

    def _result(self, body: dict[str, Any]) -> ChatResult:
        return wire.from_wire(body)

    def _translator(self) -> Translator:
        return wire.StreamTranslator()
