"""Documents: text with metadata, what retrievers return (`langchain_core.documents`), and the
transformer and compressor interfaces that process them."""

from runwire.documents.base import BaseMedia, Document
from runwire.documents.compressor import BaseDocumentCompressor
from runwire.documents.transformers import BaseDocumentTransformer

__all__ = ["BaseDocumentCompressor", "BaseDocumentTransformer", "BaseMedia", "Document"]


def __getattr__(name: str) -> object:
    """A langchain-core name runwire does not have yet fails with a pointer to the migration guide."""
    from runwire._not_yet import missing_attribute

    raise missing_attribute(__name__, name)
