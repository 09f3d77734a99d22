"""Real chat models: the embedded local model (llama.cpp + SmolLM2), Anthropic and OpenAI.

Each provider is an optional extra (`runwire[local]`, `runwire[anthropic]`, `runwire[openai]`);
its SDK is imported when a model is first constructed, never by importing this package.
`init_chat_model("provider:model")` picks the class; with no provider configured it returns
the local model. Errors are in `runwire.chat_models.errors`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runwire.chat_models._init import init_chat_model
    from runwire.chat_models.anthropic import ChatAnthropic
    from runwire.chat_models.llamacpp import ChatLlamaCpp
    from runwire.chat_models.openai import ChatOpenAI

__all__ = ["ChatAnthropic", "ChatLlamaCpp", "ChatOpenAI", "init_chat_model"]

_WHERE = {
    "ChatAnthropic": "runwire.chat_models.anthropic",
    "ChatLlamaCpp": "runwire.chat_models.llamacpp",
    "ChatOpenAI": "runwire.chat_models.openai",
    "init_chat_model": "runwire.chat_models._init",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'runwire.chat_models' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
