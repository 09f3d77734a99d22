"""Embeddings: texts to vectors, with langchain-core's `Embeddings` interface and fakes, plus
`LlamaCppEmbeddings`, the embedded local default (no key, no network). Importing this loads no
numpy and no llama.cpp; they load on first use."""

from runwire.embeddings.base import Embeddings
from runwire.embeddings.fake import DeterministicFakeEmbedding, FakeEmbeddings
from runwire.embeddings.llamacpp import LlamaCppEmbeddings

__all__ = ["DeterministicFakeEmbedding", "Embeddings", "FakeEmbeddings", "LlamaCppEmbeddings"]
