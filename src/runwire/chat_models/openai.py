"""ChatOpenAI: OpenAI's Chat Completions API through the official `openai` SDK, or any
OpenAI-compatible server (`base_url=`, e.g. `python -m llama_cpp.server`).

Constructor arguments follow langchain-openai's. The request and response translation is
`_openai_wire` (pure); this module is the thin SDK call. Not here: the Responses API.
"""

from __future__ import annotations

from typing import Any, ClassVar

from runwire.chat_models import _openai_wire as wire
from runwire.chat_models._common import call_sdk
from runwire.chat_models._hosted import HostedChatModel, Translator
from runwire.messages import BaseMessage
from runwire.outputs import ChatResult


class ChatOpenAI(HostedChatModel):
    """OpenAI chat models (`model="gpt-4o-mini"`, ...). Needs `pip install "runwire[openai]"`
    and an API key (`api_key=` or `OPENAI_API_KEY`); `base_url=` (or `OPENAI_BASE_URL`) points
    it at any OpenAI-compatible server. Streams report usage (`stream_options.include_usage`)."""

    model: str = "gpt-4o-mini"
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    seed: int | None = None
    stop: list[str] | None = None
    n: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    organization: str | None = None
    stream_usage: bool = True

    _provider_key: ClassVar[str] = "openai"
    _provider_name: ClassVar[str] = "OpenAI"
    _sdk: ClassVar[tuple[str, str, str]] = ("openai", "openai", "openai")
    _key_env: ClassVar[str] = "OPENAI_API_KEY"
    _base_url_env: ClassVar[tuple[str, ...]] = ("OPENAI_BASE_URL", "OPENAI_API_BASE")
    _aliases: ClassVar[dict[str, str]] = {
        "model_name": "model",
        "openai_api_key": "api_key",
        "openai_api_base": "base_url",
        "openai_organization": "organization",
        "request_timeout": "timeout",
        "max_completion_tokens": "max_tokens",
        "stop_sequences": "stop",
    }

    @property
    def _llm_type(self) -> str:
        return "openai-chat"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model, "stream": self.streaming, **self._sampling()}

    def _sampling(self) -> dict[str, Any]:
        params = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "seed": self.seed,
            "n": self.n,
            "frequency_penalty": self.frequency_penalty,
            "presence_penalty": self.presence_penalty,
        }
        return {k: v for k, v in params.items() if v is not None}

    def _make_client(self, options: dict[str, Any], async_: bool) -> Any:
        if self.organization is not None:
            options["organization"] = self.organization
        return (self._module.AsyncOpenAI if async_ else self._module.OpenAI)(**options)

    def _create(self, client: Any, body: dict[str, Any]) -> Any:
        return call_sdk(client.chat.completions.create, body)

    def _body(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any], stream: bool
    ) -> dict[str, Any]:
        params = {"model": self.model, **self._sampling(), **self.model_kwargs, **kwargs}
        return wire.to_wire(
            messages, params=params, stop=stop or self.stop, stream=stream, stream_usage=self.stream_usage
        )

    def _result(self, body: dict[str, Any]) -> ChatResult:
        return wire.from_wire(body)

    def _translator(self) -> Translator:
        seen: set[int] = set()
        return lambda body: wire.chunk_from_wire(body, "openai", seen)

    def with_structured_output(
        self, schema: Any, *, include_raw: bool = False, method: str = "json_schema", **kwargs: Any
    ) -> Any:
        """As langchain-openai: `json_schema` (default; `strict=True` for strict schemas),
        `json_mode` (any JSON object: say "JSON" in the prompt) or `function_calling`.

        Many OpenAI-compatible servers (llama_cpp.server, older vLLM) reject the `json_schema`
        response format (HTTP 400/422/500): then the same call is made with `function_calling`
        (a forced tool). Against such a server the `json_schema` attempt is not retried, so a
        rejection costs one request, not `max_retries + 1`."""
        structured = HostedChatModel.with_structured_output
        if method != "json_schema":
            return structured(self, schema, include_raw=include_raw, method=method, **kwargs)
        from runwire.chat_models.errors import BadRequestError, ServerError

        first = self
        if self.base_url is not None and "//api.openai.com" not in self.base_url and self.max_retries:
            first = type(self)(
                **{**{name: getattr(self, name) for name in self.model_fields}, "max_retries": 0}
            )
        chosen = structured(first, schema, include_raw=include_raw, method=method, **kwargs)
        other = {k: v for k, v in kwargs.items() if k != "strict"}
        fallback = structured(self, schema, include_raw=include_raw, method="function_calling", **other)
        return chosen.with_fallbacks([fallback], exceptions_to_handle=(BadRequestError, ServerError))

    def _json_binding(self, name: str, tool: dict[str, Any], method: str, **kwargs: Any) -> Any:
        if method == "json_mode":
            return self.bind(response_format={"type": "json_object"}, **kwargs)
        strict = kwargs.pop("strict", None)
        json_schema: dict[str, Any] = {"name": name, "schema": tool["function"]["parameters"]}
        if tool["function"].get("description"):
            json_schema["description"] = tool["function"]["description"]
        if strict is not None:
            json_schema["strict"] = strict
        return self.bind(response_format={"type": "json_schema", "json_schema": json_schema}, **kwargs)
