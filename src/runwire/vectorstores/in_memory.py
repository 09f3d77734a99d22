"""`InMemoryVectorStore`: documents and their vectors in a dict, searched by cosine similarity.

The `store` dict has langchain-core's shape (`{id: {"id", "vector", "text", "metadata"}}`), so
code that reads it keeps working. Searching scores the query against a search index built once
per change of the store (vectors, norms, and a numpy matrix when numpy is installed), not per
query. Pure Python without numpy; `max_marginal_relevance_search` works without numpy too.
Not here: the vector math (`utils`) or persistence beyond `dump`/`load` of plain JSON.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runwire.documents import Document
from runwire.vectorstores.base import VectorStore
from runwire.vectorstores.utils import _check_width, _norm, dot, maximal_marginal_relevance, top_k

if TYPE_CHECKING:
    from runwire.embeddings import Embeddings

Filter = Callable[[Document], bool]


_VERSIONS = itertools.count()


class _Store(dict[str, dict[str, Any]]):
    """The store's dict; every change gives it a new `version`, so the search index knows to
    rebuild (versions are unique across stores, so a replaced dict is never mistaken)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.version = next(_VERSIONS)

    def _changed(self) -> None:
        self.version = next(_VERSIONS)

    def __setitem__(self, key: str, value: dict[str, Any]) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed()

    def pop(self, *args: Any) -> Any:
        self._changed()
        return super().pop(*args)

    def popitem(self) -> tuple[str, dict[str, Any]]:
        self._changed()
        return super().popitem()

    def clear(self) -> None:
        self._changed()
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._changed()
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._changed()
        return super().setdefault(key, default)

    def __ior__(self, other: Any) -> _Store:  # type: ignore[override,misc]
        self.update(other)
        return self


class _Index:
    """The store's entries in arrays, for scoring them all at once."""

    __slots__ = ("_documents", "entries", "matrix", "norms", "vectors", "version")

    def __init__(self, store: _Store) -> None:
        self.version = store.version
        self.entries = list(store.values())
        self.vectors = [[float(x) for x in entry["vector"]] for entry in self.entries]
        _check_width(self.vectors, [])
        self.norms = [_norm(vector) for vector in self.vectors]
        self.matrix: Any = None
        self._documents: list[Document] | None = None
        if len(self.entries) >= 64:  # numpy pays off beyond a few dozen vectors
            try:
                import numpy as np
            except ImportError:
                return
            matrix = np.array(self.vectors, dtype=np.float64)
            norms = np.array(self.norms)
            norms[norms == 0] = 1.0  # a zero vector scores 0 against everything, as in langchain-core
            self.matrix = matrix / norms[:, None]

    def documents(self) -> list[Document]:
        """The entries as documents, made once per index: what `filter=` functions are shown."""
        if self._documents is None:
            self._documents = [_document(entry) for entry in self.entries]
        return self._documents

    def scores(self, query: list[float], rows: list[int] | None) -> Any:
        """Cosine similarity of `query` to each entry (or to the entries at `rows`): a list, or
        a numpy array when the index has a matrix."""
        if self.vectors and len(query) != len(self.vectors[0]):
            raise ValueError(
                f"Number of columns in X and Y must be the same: the query vector has {len(query)} "
                f"values, the stored vectors {len(self.vectors[0])}. Embed queries with the model "
                "that embedded the documents."
            )
        query_norm = _norm(query)
        if not query_norm:
            return [0.0] * (len(self.entries) if rows is None else len(rows))
        if self.matrix is not None:
            import numpy as np

            matrix = self.matrix if rows is None else self.matrix[rows]
            return matrix @ (np.array(query) / query_norm)
        vectors, norms = self.vectors, self.norms
        if rows is not None:
            vectors, norms = [vectors[i] for i in rows], [norms[i] for i in rows]
        return [
            dot(query, vector) / (query_norm * norm) if norm else 0.0
            for vector, norm in zip(vectors, norms, strict=True)
        ]


def _document(entry: dict[str, Any]) -> Document:
    return Document(id=entry["id"], page_content=entry["text"], metadata=entry["metadata"])


class InMemoryVectorStore(VectorStore):
    """A vector store in a dict, searched by cosine similarity (scores in [-1, 1]).

    `filter=` on searches is a function of a `Document` returning whether it may be returned.
    """

    def __init__(self, embedding: Embeddings) -> None:
        self._store = _Store()
        self._index: _Index | None = None
        self.embedding = embedding

    @property
    def store(self) -> dict[str, dict[str, Any]]:
        """`{id: {"id": ..., "vector": [...], "text": ..., "metadata": {...}}}`."""
        return self._store

    @store.setter
    def store(self, value: dict[str, dict[str, Any]]) -> None:
        self._store = _Store(value)

    @property
    def embeddings(self) -> Embeddings:
        return self.embedding

    def __repr__(self) -> str:
        return f"InMemoryVectorStore(embedding={self.embedding!r}, documents={len(self._store)})"

    # -- writing ------------------------------------------------------------------------------------

    def _put(self, documents: list[Document], vectors: list[list[float]], ids: list[str] | None) -> list[str]:
        if ids and len(ids) != len(documents):
            raise ValueError(
                f"ids must be the same length as texts. Got {len(ids)} ids and {len(documents)} texts."
            )
        chosen: Iterable[str | None] = ids or (doc.id for doc in documents)
        stored = []
        for doc, vector, doc_id in zip(documents, vectors, chosen, strict=False):
            key = doc_id or str(uuid.uuid4())
            stored.append(key)
            self._store[key] = {
                "id": key,
                "vector": vector,
                "text": doc.page_content,
                "metadata": doc.metadata,
            }
        return stored

    def add_documents(
        self, documents: list[Document], ids: list[str] | None = None, **kwargs: Any
    ) -> list[str]:
        vectors = self.embedding.embed_documents([doc.page_content for doc in documents])
        return self._put(documents, vectors, ids)

    async def aadd_documents(
        self, documents: list[Document], ids: list[str] | None = None, **kwargs: Any
    ) -> list[str]:
        vectors = await self.embedding.aembed_documents([doc.page_content for doc in documents])
        return self._put(documents, vectors, ids)

    def delete(self, ids: Sequence[str] | None = None, **kwargs: Any) -> None:
        for doc_id in ids or ():
            self._store.pop(doc_id, None)

    async def adelete(self, ids: Sequence[str] | None = None, **kwargs: Any) -> None:
        self.delete(ids)

    def get_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        return [_document(entry) for doc_id in ids if (entry := self._store.get(doc_id))]

    async def aget_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        return self.get_by_ids(ids)

    # -- searching ----------------------------------------------------------------------------------

    def _search(
        self, embedding: list[float], k: int, filter: Filter | None
    ) -> list[tuple[Document, float, list[float]]]:
        index = self._index
        if index is None or index.version != self._store.version:
            index = self._index = _Index(self._store)
        query = [float(x) for x in embedding]
        rows = None
        if filter is not None:
            rows = [i for i, doc in enumerate(index.documents()) if filter(doc)]
            if not rows:
                return []
        elif not index.entries:
            return []
        scores = index.scores(query, rows)
        hits = []
        for position in top_k(scores, k):
            row = position if rows is None else rows[position]
            hits.append((_document(index.entries[row]), float(scores[position]), index.vectors[row]))
        return hits

    def similarity_search_with_score_by_vector(
        self, embedding: list[float], k: int = 4, filter: Filter | None = None, **_kwargs: Any
    ) -> list[tuple[Document, float]]:
        """The `k` documents most similar to `embedding`, with their cosine similarity."""
        return [(doc, score) for doc, score, _ in self._search(embedding, k, filter)]

    def similarity_search_with_score(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        return self.similarity_search_with_score_by_vector(self.embedding.embed_query(query), k, **kwargs)

    async def asimilarity_search_with_score(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        embedding = await self.embedding.aembed_query(query)
        return self.similarity_search_with_score_by_vector(embedding, k, **kwargs)

    def similarity_search_by_vector(
        self, embedding: list[float], k: int = 4, **kwargs: Any
    ) -> list[Document]:
        return [doc for doc, _ in self.similarity_search_with_score_by_vector(embedding, k, **kwargs)]

    async def asimilarity_search_by_vector(
        self, embedding: list[float], k: int = 4, **kwargs: Any
    ) -> list[Document]:
        return self.similarity_search_by_vector(embedding, k, **kwargs)

    def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        return [doc for doc, _ in self.similarity_search_with_score(query, k, **kwargs)]

    async def asimilarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        return [doc for doc, _ in await self.asimilarity_search_with_score(query, k, **kwargs)]

    def _select_relevance_score_fn(self) -> Callable[[float], float]:
        # Scores are cosine similarities already (langchain-core raises NotImplementedError here).
        return _identity

    def max_marginal_relevance_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        *,
        filter: Filter | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        hits = self._search(embedding, fetch_k, filter)
        chosen = maximal_marginal_relevance(embedding, [vector for _, _, vector in hits], lambda_mult, k)
        return [hits[i][0] for i in chosen]

    def max_marginal_relevance_search(
        self, query: str, k: int = 4, fetch_k: int = 20, lambda_mult: float = 0.5, **kwargs: Any
    ) -> list[Document]:
        embedding = self.embedding.embed_query(query)
        return self.max_marginal_relevance_search_by_vector(
            embedding, k, fetch_k, lambda_mult=lambda_mult, **kwargs
        )

    async def amax_marginal_relevance_search(
        self, query: str, k: int = 4, fetch_k: int = 20, lambda_mult: float = 0.5, **kwargs: Any
    ) -> list[Document]:
        embedding = await self.embedding.aembed_query(query)
        return self.max_marginal_relevance_search_by_vector(
            embedding, k, fetch_k, lambda_mult=lambda_mult, **kwargs
        )

    # -- building -----------------------------------------------------------------------------------

    @classmethod
    def from_texts(
        cls,
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> InMemoryVectorStore:
        store = cls(embedding=embedding)
        store.add_texts(texts=texts, metadatas=metadatas, **kwargs)
        return store

    @classmethod
    async def afrom_texts(
        cls,
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> InMemoryVectorStore:
        store = cls(embedding=embedding)
        await store.aadd_texts(texts=texts, metadatas=metadatas, **kwargs)
        return store

    @classmethod
    def load(cls, path: str, embedding: Embeddings, **kwargs: Any) -> InMemoryVectorStore:
        """A store read from a JSON file written by `dump` (runwire's or langchain-core's: the
        format is the same). Documents in metadata come back as Documents; other serialized
        objects are refused, as in langchain-core."""
        from runwire.load import load

        store = cls(embedding=embedding, **kwargs)
        with Path(path).open(encoding="utf-8") as file:
            store.store = load(json.load(file), allowed_objects=[Document])
        return store

    def dump(self, path: str) -> None:
        """Write the store (ids, vectors, texts, metadata) to a JSON file. Metadata values are
        written as langchain-core's `dumpd` writes them: serializable objects (a Document, a
        message) as constructor records, anything else not JSON as a "not_implemented" record."""
        from runwire.load import dumpd

        target = Path(path)
        target.parent.mkdir(exist_ok=True, parents=True)
        with target.open("w", encoding="utf-8") as file:
            json.dump(dumpd(dict(self._store)), file, indent=2)


def _identity(score: float) -> float:
    return score
