"""Vector stores: embed documents, find them by similarity, search them as retrievers
(`langchain_core.vectorstores`). `InMemoryVectorStore` needs no service and no numpy."""

from runwire.vectorstores.base import VST, VectorStore
from runwire.vectorstores.in_memory import InMemoryVectorStore
from runwire.vectorstores.retriever import VectorStoreRetriever

__all__ = ["VST", "InMemoryVectorStore", "VectorStore", "VectorStoreRetriever"]
