"""Fake embeddings for tests: random vectors (`FakeEmbeddings`) or vectors seeded by the text
(`DeterministicFakeEmbedding`), with langchain-core's names and fields.

When numpy is installed the vectors are numpy's `default_rng(seed).normal(size=size)`, the very
numbers langchain-core returns (as plain floats); without numpy they come from Python's
`random` (same distribution, different numbers), so runwire needs no numpy. Not here: real
models (see `runwire.embeddings.llamacpp`).
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from runwire._fields import Fields
from runwire.embeddings.base import Embeddings


def _normal(size: int, seed: int | None) -> list[float]:
    try:
        import numpy as np
    except ImportError:
        rng = random.Random(seed)  # test vectors, not cryptography
        return [rng.gauss(0.0, 1.0) for _ in range(size)]
    return list(np.random.default_rng(seed).normal(size=size).tolist())


class _Sized(Fields, Embeddings):
    size: int
    """The length of every vector."""

    def model_post_init(self, context: Any, /) -> None:
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            from runwire.messages._record import ValidationError

            raise ValidationError(
                f"{type(self).__name__}(size=...) needs a non-negative int, the length of each "
                f"vector; got {self.size!r}."
            )


class FakeEmbeddings(_Sized):
    """A new random vector of `size` floats for every text: for tests that only need shapes."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [_normal(self.size, None) for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return _normal(self.size, None)

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents(texts)  # pure CPU: no worker thread

    async def aembed_query(self, text: str) -> list[float]:
        return self.embed_query(text)


class DeterministicFakeEmbedding(_Sized):
    """The same vector for the same text, every time (seeded by the text's SHA-256)."""

    @staticmethod
    def _get_seed(text: str) -> int:
        return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 10**8

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [_normal(self.size, self._get_seed(text)) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return _normal(self.size, self._get_seed(text))

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents(texts)  # pure CPU: no worker thread

    async def aembed_query(self, text: str) -> list[float]:
        return self.embed_query(text)
