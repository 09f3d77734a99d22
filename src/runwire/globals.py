"""Process-wide settings with langchain-core's names: the default LLM cache
(`set_llm_cache` / `get_llm_cache`). Models whose `cache` is None use it; `cache=False` opts out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runwire.caches import BaseCache

_llm_cache: BaseCache | None = None


def set_llm_cache(value: BaseCache | None) -> None:
    """Make `value` the cache every model without its own `cache=` uses (None: no cache)."""
    global _llm_cache
    _llm_cache = value


def get_llm_cache() -> BaseCache | None:
    """The default LLM cache, or None."""
    return _llm_cache
