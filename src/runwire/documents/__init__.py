"""Documents: text with metadata, what retrievers return (`langchain_core.documents`), and the
transformer and compressor interfaces that process them."""

from runwire.documents.base import BaseMedia, Document
from runwire.documents.compressor import BaseDocumentCompressor
from runwire.documents.transformers import BaseDocumentTransformer

__all__ = ["BaseDocumentCompressor", "BaseDocumentTransformer", "BaseMedia", "Document"]
