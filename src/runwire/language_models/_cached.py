"""What a chat model call does when a cache or a rate limiter is set (langchain-core's
`_generate_with_cache`): look the call up in the model's cache (or the process default), on a
hit return the stored generations, else take a rate-limiter token, generate, and store.

The run around it (start and end events) is the caller's, so a hit fires the same start and
end as a miss, with no tokens. Only called when a cache or limiter is configured: the plain
path never comes here. Not here: the cache classes (`runwire.caches`).
"""

from __future__ import annotations

import json
from typing import Any

from runwire import globals as _globals
from runwire.callbacks.context import new_message_id
from runwire.messages import AIMessage, BaseMessage, messages_to_dict
from runwire.outputs import ChatGeneration, ChatResult, Generation


def llm_string(model: Any, stop: list[str] | None, kwargs: dict[str, Any]) -> str:
    """The model's configuration for this call, as part of the cache key."""
    params = {**model._get_invocation_params(stop=stop, **kwargs), **kwargs}
    return str(sorted(params.items()))


def _cache_of(model: Any) -> Any:
    from runwire.caches import BaseCache

    if model.cache is False:
        return None
    cache = model.cache if isinstance(model.cache, BaseCache) else _globals._llm_cache
    if cache is None and model.cache is not None:
        raise ValueError(
            "Asked to cache (cache=True), but no cache is set: pass cache=InMemoryCache() to the model "
            "or call runwire.globals.set_llm_cache(InMemoryCache()) first."
        )
    return cache


def _key(
    model: Any, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
) -> tuple[str, str]:
    # Message ids differ run to run; the cache keys on what the model is asked.
    normalized = [m.model_copy(update={"id": None}) if m.id is not None else m for m in messages]
    return json.dumps(messages_to_dict(normalized), sort_keys=True, default=repr), llm_string(
        model, stop, kwargs
    )


def from_cache(generations: list[Any]) -> ChatResult:
    """Cached generations as a chat result: plain Generations become AI messages, and a cached
    AI message's usage gets `total_cost: 0`, as langchain-core marks a hit."""
    converted = []
    for generation in generations:
        if isinstance(generation, Generation) and not isinstance(generation, ChatGeneration):
            converted.append(
                ChatGeneration(
                    message=AIMessage(content=generation.text), generation_info=generation.generation_info
                )
            )
            continue
        message = getattr(generation, "message", None)
        if isinstance(message, AIMessage):
            generation.message = message.model_copy(
                update={"usage_metadata": {**(message.usage_metadata or {}), "total_cost": 0}}
            )
        converted.append(generation)
    return ChatResult(generations=converted)


def _name(result: ChatResult, run: Any) -> None:
    for index, generation in enumerate(result.generations):
        if generation.message.id is None:
            generation.message.id = f"run-{run.run_id}-{index}" if run is not None else new_message_id()


def generate_with_cache(  # noqa: PLR0917  # private, two call sites
    model: Any,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run: Any,
    kwargs: dict[str, Any],
    produce: Any,
) -> ChatResult:
    """`produce()` (the model's generation) behind the cache and the rate limiter."""
    cache = _cache_of(model)
    if cache is not None:
        key = _key(model, messages, stop, kwargs)
        hit = cache.lookup(*key)
        if isinstance(hit, list):
            return from_cache(hit)
    if model.rate_limiter is not None:
        model.rate_limiter.acquire(blocking=True)
    result: ChatResult = produce()
    if cache is not None:
        _name(result, run)
        cache.update(*key, result.generations)
    return result


async def agenerate_with_cache(  # noqa: PLR0917  # private, two call sites
    model: Any,
    messages: list[BaseMessage],
    stop: list[str] | None,
    run: Any,
    kwargs: dict[str, Any],
    produce: Any,
) -> ChatResult:
    """Async `generate_with_cache`; `produce()` returns an awaitable."""
    cache = _cache_of(model)
    if cache is not None:
        key = _key(model, messages, stop, kwargs)
        hit = await cache.alookup(*key)
        if isinstance(hit, list):
            return from_cache(hit)
    if model.rate_limiter is not None:
        await model.rate_limiter.aacquire(blocking=True)
    result: ChatResult = await produce()
    if cache is not None:
        _name(result, run)
        await cache.aupdate(*key, result.generations)
    return result
