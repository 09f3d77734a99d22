"""`BaseDocumentTransformer`: documents in, documents out (splitters, filters, translators).

One method to implement, `transform_documents`; the async twin runs it in a worker thread.
Not here: any transformer (text splitters live in other packages).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from runwire.runnables.config import run_in_executor

if TYPE_CHECKING:
    from runwire.documents.base import Document


class BaseDocumentTransformer(ABC):
    """Transforms a sequence of documents into another (e.g. splits them into chunks)."""

    @abstractmethod
    def transform_documents(self, documents: Sequence[Document], **kwargs: Any) -> Sequence[Document]:
        """The transformed documents."""

    async def atransform_documents(self, documents: Sequence[Document], **kwargs: Any) -> Sequence[Document]:
        """Async `transform_documents` (a worker thread unless overridden)."""
        return await run_in_executor(None, self.transform_documents, documents, **kwargs)
