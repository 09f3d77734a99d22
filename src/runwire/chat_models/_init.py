"""`init_chat_model`: a chat model from a `"provider:model"` string, as langchain's.

With no model and no provider it returns the configured default: the `RUNWIRE_CHAT_MODEL`
environment variable (`"provider:model"`) if set, else the embedded local model. Not here:
the models themselves (imported only for the provider asked for).
"""

from __future__ import annotations

import importlib
import os
import re
from typing import Any

DEFAULT_MODEL_ENV = "RUNWIRE_CHAT_MODEL"

_PROVIDERS = {
    "anthropic": ("runwire.chat_models.anthropic", "ChatAnthropic"),
    "openai": ("runwire.chat_models.openai", "ChatOpenAI"),
    "llamacpp": ("runwire.chat_models.llamacpp", "ChatLlamaCpp"),
}
_SYNONYMS = {"local": "llamacpp", "llama_cpp": "llamacpp", "llama-cpp": "llamacpp"}
_LOCAL_DEFAULT_NAMES = frozenset({"smollm2", "default"})
_PREFIXES = (
    (("gpt-", "o1", "o3", "o4", "chatgpt", "text-davinci"), "openai"),
    (("claude",), "anthropic"),
)


def _infer(model: str) -> str | None:
    if model.endswith(".gguf"):
        return "llamacpp"
    for prefixes, provider in _PREFIXES:
        if model.startswith(prefixes):
            return provider
    return None


_COMPATIBLE = (
    "An OpenAI-compatible server (Ollama, vLLM, LM Studio, llama_cpp.server) is "
    "init_chat_model('openai:MODEL', base_url='http://HOST:PORT/v1', api_key='unused')."
)


def _split(model: str | None, model_provider: str | None) -> tuple[str, str | None]:
    if model is not None and model_provider is None and ":" in model:
        head, tail = model.split(":", 1)
        if head.lower() in _PROVIDERS or head.lower() in _SYNONYMS:
            model_provider, model = head, tail or None
        elif tail and _infer(model) is None and re.fullmatch(r"[A-Za-z][\w.-]*", head):
            raise ValueError(
                f"unknown model provider {head!r} in {model!r}: runwire knows "
                f"{sorted([*_PROVIDERS, *_SYNONYMS])}. {_COMPATIBLE}"
            )
    if model_provider is None and model is not None:
        model_provider = _infer(model)
    if model_provider is None:
        known = sorted([*_PROVIDERS, *_SYNONYMS])
        raise ValueError(
            f"cannot tell which provider serves {model!r}; write it as 'provider:model' "
            f"(providers: {known}) or pass model_provider=."
        )
    provider = model_provider.lower()
    provider = _SYNONYMS.get(provider, provider)
    if provider not in _PROVIDERS:
        raise ValueError(
            f"unknown model provider {model_provider!r}: runwire knows "
            f"{sorted([*_PROVIDERS, *_SYNONYMS])}. {_COMPATIBLE}"
        )
    return provider, model


def init_chat_model(model: str | None = None, *, model_provider: str | None = None, **kwargs: Any) -> Any:
    """A chat model: `init_chat_model("anthropic:claude-3-5-haiku-latest", temperature=0)`,
    `init_chat_model("openai:gpt-4o-mini")`, `init_chat_model("llamacpp:/path/model.gguf")`;
    `init_chat_model()` gives `RUNWIRE_CHAT_MODEL` or, if unset, the local SmolLM2 model."""
    if model is None and model_provider is None:
        model = os.environ.get(DEFAULT_MODEL_ENV) or None
        if model is None:
            model_provider = "llamacpp"
    provider, name = _split(model, model_provider)
    module, cls_name = _PROVIDERS[provider]
    cls = getattr(importlib.import_module(module), cls_name)
    if provider == "llamacpp" and name:
        if name.endswith(".gguf") or os.sep in name:
            kwargs["model_path"] = name
        elif name.lower() not in _LOCAL_DEFAULT_NAMES:
            raise ValueError(
                f"a local model is named by its GGUF file path (or 'smollm2' for the bundled one); "
                f"got {name!r}. Use init_chat_model('llamacpp:/path/to/model.gguf')."
            )
    elif name:
        kwargs["model"] = name
    return cls(**kwargs)
