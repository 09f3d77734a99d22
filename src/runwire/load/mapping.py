"""Which runwire classes serialize, under which langchain ids, with which constructor keywords.

Each entry names a runwire class (imported only when serialization is first used), the id
langchain-core writes for its twin (`["langchain", "schema", "messages", "HumanMessage"]`), the
id of langchain-core's module path (`["langchain_core", "messages", "human", "HumanMessage"]`,
also accepted on load), and a function giving the constructor keywords to write. Both ids load
into the runwire class, so records written by either library load in the other. Not here:
escaping or the allow-list checks (see `dump` and `load`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Kwargs = Callable[[Any], dict[str, Any]]


def _truthy(obj: Any, *names: str) -> dict[str, Any]:
    out = {}
    for name in names:
        value = getattr(obj, name, None)
        if value:
            out[name] = value
    return out


def _message(m: Any) -> dict[str, Any]:
    # langchain-core writes required fields and truthy ones; AI messages always carry tool calls.
    dumped = m.model_dump()
    kwargs: dict[str, Any] = {}
    for key, value in dumped.items():
        if key in ("content", "type") or value:
            kwargs[key] = getattr(m, key, value)
    if "tool_calls" in dumped:
        kwargs["tool_calls"] = m.tool_calls
        kwargs["invalid_tool_calls"] = m.invalid_tool_calls
    return kwargs


def _document(d: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if d.id is not None:
        kwargs["id"] = d.id
    if d.metadata:
        kwargs["metadata"] = d.metadata
    kwargs["page_content"] = d.page_content
    kwargs["type"] = "Document"
    return kwargs


def _generation(g: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"text": g.text}
    if g.generation_info:
        kwargs["generation_info"] = g.generation_info
    kwargs["type"] = type(g).__name__
    if hasattr(g, "message"):
        kwargs["message"] = g.message
    return kwargs


def _chat_value(v: Any) -> dict[str, Any]:
    return {"messages": list(v.messages)}


def _string_value(v: Any) -> dict[str, Any]:
    return {"text": v.text, "type": "StringPromptValue"}


def _common_prompt(p: Any) -> dict[str, Any]:
    return _truthy(p, "name", "metadata", "tags", "optional_variables", "partial_variables")


def _prompt_template(p: Any) -> dict[str, Any]:
    return {
        "input_variables": list(p.input_variables),
        **_common_prompt(p),
        "template": p.template,
        "template_format": p.template_format,
    }


def _chat_template(p: Any) -> dict[str, Any]:
    return {"input_variables": list(p.input_variables), **_common_prompt(p), "messages": list(p.messages)}


def _placeholder(p: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"variable_name": p.variable_name}
    if p.optional:
        kwargs["optional"] = True
    if p.n_messages is not None:
        kwargs["n_messages"] = p.n_messages
    return kwargs


def _message_template(p: Any) -> dict[str, Any]:
    return {"prompt": p.prompt, **_truthy(p, "additional_kwargs", "role")}


def _nothing(_: Any) -> dict[str, Any]:
    return {}


def _sequence(s: Any) -> dict[str, Any]:
    steps = list(s.steps)
    kwargs: dict[str, Any] = {"first": steps[0]}
    if steps[1:-1]:
        kwargs["middle"] = steps[1:-1]
    kwargs["last"] = steps[-1]
    return {**_truthy(s, "name"), **kwargs}


def _parallel(p: Any) -> dict[str, Any]:
    return {"steps__": dict(p.steps__)}


def _passthrough(p: Any) -> dict[str, Any]:
    return _truthy(p, "func", "afunc", "name")


def _binding(b: Any) -> dict[str, Any]:
    return {"bound": b.bound, **_truthy(b, "kwargs"), "config": dict(b.config)}


def _fallbacks(f: Any) -> dict[str, Any]:
    return {
        "runnable": f.runnable,
        "fallbacks": list(f.fallbacks),
        "exceptions_to_handle": list(f.exceptions_to_handle),
        **_truthy(f, "exception_key"),
    }


_HOSTED_NAMES = {
    # runwire field -> the field name langchain_openai / langchain_anthropic write
    "ChatOpenAI": {
        "model": "model_name",
        "base_url": "openai_api_base",
        "organization": "openai_organization",
        "timeout": "request_timeout",
    },
    "ChatAnthropic": {
        "base_url": "anthropic_api_url",
        "timeout": "default_request_timeout",
        "stop": "stop_sequences",
    },
}
_NOT_WRITTEN = frozenset({"api_key", "callbacks", "cache", "verbose"})


def _hosted(m: Any) -> dict[str, Any]:
    """A provider chat model: its settings under the partner package's names, and its API key
    as a secret record naming the environment variable (never the key)."""
    from runwire.load.serializable import SecretRef, useful

    names = _HOSTED_NAMES.get(type(m).__name__, {})
    kwargs: dict[str, Any] = {}
    for field, (default, factory) in type(m).model_fields.items():
        value = getattr(m, field, None)
        if field not in _NOT_WRITTEN and useful(value, default, factory):
            kwargs[names.get(field, field)] = value
    kwargs[f"{m._provider_key}_api_key"] = SecretRef(m._key_env)
    return kwargs


_LC_MESSAGES = ("langchain", "schema", "messages")
_LC_CHAT = ("langchain", "prompts", "chat")
_LC_RUNNABLE = ("langchain", "schema", "runnable")

# (runwire path, langchain id, langchain_core path id, kwargs)
ENTRIES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], Kwargs], ...] = (
    *(
        (
            f"runwire.messages.{name}",
            (*_LC_MESSAGES, name),
            ("langchain_core", "messages", module, name),
            _message,
        )
        for name, module in (
            ("AIMessage", "ai"),
            ("AIMessageChunk", "ai"),
            ("HumanMessage", "human"),
            ("HumanMessageChunk", "human"),
            ("SystemMessage", "system"),
            ("SystemMessageChunk", "system"),
            ("ToolMessage", "tool"),
            ("ToolMessageChunk", "tool"),
            ("ChatMessage", "chat"),
            ("ChatMessageChunk", "chat"),
            ("FunctionMessage", "function"),
            ("FunctionMessageChunk", "function"),
            ("RemoveMessage", "modifier"),
        )
    ),
    (
        "runwire.documents.Document",
        ("langchain", "schema", "document", "Document"),
        ("langchain_core", "documents", "base", "Document"),
        _document,
    ),
    *(
        (
            f"runwire.outputs.{name}",
            ("langchain", "schema", "output", name),
            ("langchain_core", "outputs", module, name),
            _generation,
        )
        for name, module in (
            ("Generation", "generation"),
            ("GenerationChunk", "generation"),
            ("ChatGeneration", "chat_generation"),
            ("ChatGenerationChunk", "chat_generation"),
        )
    ),
    (
        "runwire.prompt_values.ChatPromptValue",
        (*_LC_CHAT, "ChatPromptValue"),
        ("langchain_core", "prompt_values", "ChatPromptValue"),
        _chat_value,
    ),
    (
        "runwire.prompt_values.ChatPromptValueConcrete",
        (*_LC_CHAT, "ChatPromptValueConcrete"),
        ("langchain_core", "prompt_values", "ChatPromptValueConcrete"),
        _chat_value,
    ),
    (
        "runwire.prompt_values.StringPromptValue",
        ("langchain", "prompts", "base", "StringPromptValue"),
        ("langchain_core", "prompt_values", "StringPromptValue"),
        _string_value,
    ),
    (
        "runwire.prompts.PromptTemplate",
        ("langchain", "prompts", "prompt", "PromptTemplate"),
        ("langchain_core", "prompts", "prompt", "PromptTemplate"),
        _prompt_template,
    ),
    (
        "runwire.prompts.ChatPromptTemplate",
        (*_LC_CHAT, "ChatPromptTemplate"),
        ("langchain_core", "prompts", "chat", "ChatPromptTemplate"),
        _chat_template,
    ),
    (
        "runwire.prompts.MessagesPlaceholder",
        (*_LC_CHAT, "MessagesPlaceholder"),
        ("langchain_core", "prompts", "chat", "MessagesPlaceholder"),
        _placeholder,
    ),
    *(
        (
            f"runwire.prompts.{name}",
            (*_LC_CHAT, name),
            ("langchain_core", "prompts", "chat", name),
            _message_template,
        )
        for name in (
            "HumanMessagePromptTemplate",
            "SystemMessagePromptTemplate",
            "AIMessagePromptTemplate",
            "ChatMessagePromptTemplate",
        )
    ),
    (
        "runwire.output_parsers.StrOutputParser",
        ("langchain", "schema", "output_parser", "StrOutputParser"),
        ("langchain_core", "output_parsers", "string", "StrOutputParser"),
        _nothing,
    ),
    (
        "runwire.output_parsers.CommaSeparatedListOutputParser",
        ("langchain", "output_parsers", "list", "CommaSeparatedListOutputParser"),
        ("langchain_core", "output_parsers", "list", "CommaSeparatedListOutputParser"),
        _nothing,
    ),
    *(
        (
            f"runwire.runnables.{name}",
            (*_LC_RUNNABLE, name),
            ("langchain_core", "runnables", module, name),
            kwargs,
        )
        for name, module, kwargs in (
            ("RunnableSequence", "base", _sequence),
            ("RunnableParallel", "base", _parallel),
            ("RunnableBinding", "base", _binding),
            ("RunnableEach", "base", lambda e: {"bound": e.bound}),
            ("RunnablePassthrough", "passthrough", _passthrough),
            ("RunnableAssign", "passthrough", lambda a: {"mapper": a.mapper}),
            ("RunnablePick", "passthrough", lambda p: {"keys": p.keys}),
            ("RunnableWithFallbacks", "fallbacks", _fallbacks),
        )
    ),
    (
        "runwire.chat_models.openai.ChatOpenAI",
        ("langchain", "chat_models", "openai", "ChatOpenAI"),
        ("langchain_openai", "chat_models", "base", "ChatOpenAI"),
        _hosted,
    ),
    (
        "runwire.chat_models.anthropic.ChatAnthropic",
        ("langchain", "chat_models", "anthropic", "ChatAnthropic"),
        ("langchain_anthropic", "chat_models", "ChatAnthropic"),
        _hosted,
    ),
)

MESSAGE_CLASSES = frozenset(
    {
        "AIMessage",
        "AIMessageChunk",
        "HumanMessage",
        "HumanMessageChunk",
        "SystemMessage",
        "SystemMessageChunk",
    }
    | {"ToolMessage", "ToolMessageChunk", "RemoveMessage"}
)
"""What `allowed_objects="messages"` admits (langchain-core's list)."""


class Registry:
    """The entries above, resolved to classes on first use."""

    def __init__(self) -> None:
        self.by_class: dict[type, tuple[list[str], Kwargs]] = {}
        self.by_id: dict[tuple[str, ...], type] = {}
        for path, lc_id, core_id, kwargs in ENTRIES:
            module, _, name = path.rpartition(".")
            cls = getattr(importlib.import_module(module), name)
            self.by_class[cls] = (list(lc_id), kwargs)
            self.by_id[lc_id] = cls
            self.by_id[core_id] = cls


_registry: Registry | None = None


def registry() -> Registry:
    global _registry
    if _registry is None:
        _registry = Registry()
    return _registry
