"""`BaseDocumentCompressor`: shrinks retrieved documents given the query (rerankers, extractors).

One method to implement, `compress_documents(documents, query, callbacks=None)`; the async twin
runs it in a worker thread. Keyword construction from annotated fields, as langchain-core's
pydantic base allows. Not here: any compressor.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from runwire._fields import Fields
from runwire.runnables.config import run_in_executor

if TYPE_CHECKING:
    from runwire.documents.base import Document


class BaseDocumentCompressor(Fields, ABC):
    """Compresses (filters, reorders, shortens) documents for a query."""

    @abstractmethod
    def compress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Any = None
    ) -> Sequence[Document]:
        """The documents worth keeping for `query`."""

    async def acompress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Any = None
    ) -> Sequence[Document]:
        """Async `compress_documents` (a worker thread unless overridden)."""
        return await run_in_executor(None, self.compress_documents, documents, query, callbacks)
