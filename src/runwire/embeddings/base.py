"""`Embeddings`: the interface that turns texts into vectors (`langchain_core.embeddings`).

Two methods to implement, `embed_documents` and `embed_query`; the async twins default to
running them in a worker thread. Not here: any model (see `fake` and `llamacpp`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from runwire.runnables.config import run_in_executor


class Embeddings(ABC):
    """Embeds texts: `embed_documents` for what is stored, `embed_query` for what is searched."""

    @abstractmethod
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order."""

    @abstractmethod
    def embed_query(self, text: str) -> list[float]:
        """The vector of one search query."""

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async `embed_documents` (a worker thread unless overridden)."""
        return await run_in_executor(None, self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        """Async `embed_query` (a worker thread unless overridden)."""
        return await run_in_executor(None, self.embed_query, text)


from runwire._not_yet import install_methods as _install_methods  # noqa: E402 - needs the class

_install_methods(Embeddings, "Embeddings")  # langchain-core methods not here yet explain so
