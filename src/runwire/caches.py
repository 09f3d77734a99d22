"""LLM response caches with langchain-core's interface: `BaseCache` (lookup / update / clear
by prompt and model settings) and `InMemoryCache` (a dict, optionally bounded, oldest out).

A model uses its own `cache=` or the process default (`runwire.globals.set_llm_cache`); a hit
returns the stored generations without calling the model and still fires the run's start and
end events, as in langchain-core. Not here: persistent caches (SQLite, Redis), which plug in
by subclassing `BaseCache`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from runwire.outputs import Generation
from runwire.runnables.config import run_in_executor

RETURN_VAL_TYPE = Sequence[Generation]


class BaseCache(ABC):
    """A store of model generations keyed by (prompt, llm_string)."""

    @abstractmethod
    def lookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        """The generations stored for this prompt and model configuration, or None."""

    @abstractmethod
    def update(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        """Store generations for this prompt and model configuration."""

    @abstractmethod
    def clear(self, **kwargs: Any) -> None:
        """Forget everything."""

    async def alookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        """Async `lookup` (a worker thread unless overridden)."""
        return await run_in_executor(None, self.lookup, prompt, llm_string)

    async def aupdate(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        """Async `update` (a worker thread unless overridden)."""
        return await run_in_executor(None, self.update, prompt, llm_string, return_val)

    async def aclear(self, **kwargs: Any) -> None:
        """Async `clear` (a worker thread unless overridden)."""
        return await run_in_executor(None, self.clear, **kwargs)


class InMemoryCache(BaseCache):
    """A dict cache; with `maxsize`, the oldest entry goes when a new one would exceed it."""

    def __init__(self, *, maxsize: int | None = None) -> None:
        if maxsize is not None and maxsize <= 0:
            raise ValueError("maxsize must be greater than 0")
        self._cache: dict[tuple[str, str], RETURN_VAL_TYPE] = {}
        self._maxsize = maxsize

    def lookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        return self._cache.get((prompt, llm_string))

    def update(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        if self._maxsize is not None and len(self._cache) == self._maxsize:
            del self._cache[next(iter(self._cache))]
        self._cache[prompt, llm_string] = return_val

    def clear(self, **kwargs: Any) -> None:
        self._cache = {}

    async def alookup(self, prompt: str, llm_string: str) -> RETURN_VAL_TYPE | None:
        return self.lookup(prompt, llm_string)

    async def aupdate(self, prompt: str, llm_string: str, return_val: RETURN_VAL_TYPE) -> None:
        self.update(prompt, llm_string, return_val)

    async def aclear(self, **kwargs: Any) -> None:
        self.clear()


__all__ = ["RETURN_VAL_TYPE", "BaseCache", "InMemoryCache"]
