"""Documents: text with metadata, what retrievers return (`langchain_core.documents`)."""

from runwire.documents.base import BaseMedia, Document

__all__ = ["BaseMedia", "Document"]
