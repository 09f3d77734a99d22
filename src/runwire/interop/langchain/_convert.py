"""Objects across the langchain-core boundary: messages, prompt values, documents, generations,
results and chunks, converted field by field in both directions (tool calls and usage kept).

`to_lc(x)` / `from_lc(x)` walk lists, tuples and dicts and return the very same object when
nothing inside needs converting, so payloads without foreign objects cost one type lookup each.
Not here: runs, handlers or config (see `_bridge`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Converter = Callable[[Any], Any]

_to_lc: dict[type, Converter | None] = {}
_from_lc: dict[type, Converter | None] = {}
_PLAIN = (str, int, float, bool, bytes, type(None))


def to_lc(value: Any) -> Any:
    """`value` with every runwire message/document/generation/result in it as langchain-core's."""
    return _walk(value, _to_lc, _find_to_lc)


def from_lc(value: Any) -> Any:
    """`value` with every langchain-core message/document/generation/result in it as runwire's."""
    return _walk(value, _from_lc, _find_from_lc)


def _walk(value: Any, cache: dict[type, Converter | None], find: Callable[[type], Converter | None]) -> Any:
    kind = value.__class__
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:
        items, changed = [], False
        for item in value:
            out = item if item.__class__ in _PLAIN else _walk(item, cache, find)
            changed = changed or out is not item
            items.append(out)
        if not changed:
            return value
        return items if kind is list else tuple(items)
    if kind is dict:
        found: dict[Any, Any] | None = None
        for key, item in value.items():
            if item.__class__ in _PLAIN:
                continue
            out = _walk(item, cache, find)
            if out is not item:
                if found is None:
                    found = dict(value)
                found[key] = out
        return value if found is None else found
    try:
        convert = cache[kind]
    except KeyError:
        convert = cache[kind] = find(kind)
    return value if convert is None else convert(value)


_PAYLOAD_KW = ("chunk", "response", "inputs", "outputs")


def kw_to_lc(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Event keyword arguments with their payloads (`chunk=`, `response=`) as langchain-core's;
    ids, tags and metadata are left as they are."""
    for key in _PAYLOAD_KW:
        if key in kwargs:
            kwargs[key] = to_lc(kwargs[key])
    return kwargs


def kw_from_lc(kwargs: dict[str, Any]) -> dict[str, Any]:
    """`kw_to_lc`, the other way."""
    for key in _PAYLOAD_KW:
        if key in kwargs:
            kwargs[key] = from_lc(kwargs[key])
    return kwargs


# -- runwire -> langchain-core ------------------------------------------------------------------


def _module_is(kind: type, prefix: str) -> bool:
    return any(c.__module__.startswith(prefix) for c in kind.__mro__[:-1])


def _find_to_lc(kind: type) -> Converter | None:
    if not _module_is(kind, "runwire."):
        return None
    from runwire.documents import Document
    from runwire.messages import BaseMessage
    from runwire.outputs import ChatGeneration, ChatResult, Generation, LLMResult
    from runwire.prompt_values import PromptValue

    if issubclass(kind, BaseMessage):
        return _lc_message
    if issubclass(kind, Document):
        return _lc_document
    if issubclass(kind, ChatGeneration):
        return _lc_chat_generation
    if issubclass(kind, Generation):
        return _lc_generation
    if issubclass(kind, LLMResult):
        return _lc_llm_result
    if issubclass(kind, ChatResult):
        return _lc_chat_result
    if issubclass(kind, PromptValue):
        return _lc_prompt_value
    return None


def _lc_message(message: Any) -> Any:
    import langchain_core.messages as lc

    fields = message.model_dump()
    return getattr(lc, type(message).__name__)(**fields)


def _lc_document(doc: Any) -> Any:
    from langchain_core.documents import Document

    return Document(page_content=doc.page_content, metadata=dict(doc.metadata), id=doc.id)


def _lc_generation(gen: Any) -> Any:
    import langchain_core.outputs as lc

    return getattr(lc, type(gen).__name__)(text=gen.text, generation_info=gen.generation_info)


def _lc_chat_generation(gen: Any) -> Any:
    import langchain_core.outputs as lc

    cls = lc.ChatGenerationChunk if type(gen).__name__ == "ChatGenerationChunk" else lc.ChatGeneration
    return cls(message=_lc_message(gen.message), generation_info=gen.generation_info)


def _lc_llm_result(result: Any) -> Any:
    from langchain_core.outputs import LLMResult, RunInfo

    run = [RunInfo(run_id=r.run_id) for r in result.run] if result.run else None
    generations = [[to_lc(g) for g in gens] for gens in result.generations]
    return LLMResult(generations=generations, llm_output=result.llm_output, run=run)


def _lc_chat_result(result: Any) -> Any:
    from langchain_core.outputs import ChatResult

    return ChatResult(generations=[to_lc(g) for g in result.generations], llm_output=result.llm_output)


def _lc_prompt_value(value: Any) -> Any:
    from langchain_core.prompt_values import ChatPromptValue, StringPromptValue

    if hasattr(value, "messages"):
        return ChatPromptValue(messages=[_lc_message(m) for m in value.messages])
    return StringPromptValue(text=value.to_string())


# -- langchain-core -> runwire ------------------------------------------------------------------


def _find_from_lc(kind: type) -> Converter | None:
    if not _module_is(kind, "langchain_core."):
        return None
    from langchain_core.documents import Document
    from langchain_core.messages import BaseMessage
    from langchain_core.outputs import ChatGeneration, ChatResult, Generation, LLMResult
    from langchain_core.prompt_values import PromptValue

    if issubclass(kind, BaseMessage):
        return _rw_message
    if issubclass(kind, Document):
        return _rw_document
    if issubclass(kind, ChatGeneration):
        return _rw_chat_generation
    if issubclass(kind, Generation):
        return _rw_generation
    if issubclass(kind, LLMResult):
        return _rw_llm_result
    if issubclass(kind, ChatResult):
        return _rw_chat_result
    if issubclass(kind, PromptValue):
        return _rw_prompt_value
    return None


def _rw_message(message: Any) -> Any:
    import runwire.messages as rw

    cls = getattr(rw, type(message).__name__, None)
    if cls is None:  # a subclass from a partner package: its nearest langchain-core base
        cls = next(getattr(rw, c.__name__) for c in type(message).__mro__ if hasattr(rw, c.__name__))
    fields = message.model_dump()
    if "type" in fields and not fields["type"].endswith("Chunk") and cls.__name__.endswith("Chunk"):
        fields.pop("type")
    known = {name for name, *_ in cls._fields}
    return cls(**{k: v for k, v in fields.items() if k in known})


def _rw_document(doc: Any) -> Any:
    from runwire.documents import Document

    return Document(doc.page_content, metadata=dict(doc.metadata), id=doc.id)


def _rw_generation(gen: Any) -> Any:
    import runwire.outputs as rw

    cls = rw.GenerationChunk if type(gen).__name__ == "GenerationChunk" else rw.Generation
    return cls(text=gen.text, generation_info=gen.generation_info)


def _rw_chat_generation(gen: Any) -> Any:
    from langchain_core.outputs import ChatGenerationChunk

    import runwire.outputs as rw

    cls = rw.ChatGenerationChunk if isinstance(gen, ChatGenerationChunk) else rw.ChatGeneration
    return cls(message=_rw_message(gen.message), generation_info=gen.generation_info)


def _rw_llm_result(result: Any) -> Any:
    from runwire.outputs import LLMResult, RunInfo

    run = [RunInfo(run_id=r.run_id) for r in result.run] if result.run else None
    generations = [[from_lc(g) for g in gens] for gens in result.generations]
    return LLMResult(generations=generations, llm_output=result.llm_output, run=run)


def _rw_chat_result(result: Any) -> Any:
    from runwire.outputs import ChatResult

    return ChatResult(generations=[from_lc(g) for g in result.generations], llm_output=result.llm_output)


def _rw_prompt_value(value: Any) -> Any:
    from runwire.prompt_values import ChatPromptValue, StringPromptValue

    if hasattr(value, "messages"):
        return ChatPromptValue(messages=[_rw_message(m) for m in value.messages])
    return StringPromptValue(text=value.to_string())
