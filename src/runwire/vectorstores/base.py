"""`VectorStore`: the interface of stores that embed documents and find them by similarity
(`langchain_core.vectorstores`), with langchain-core's defaults between its methods.

Implement `similarity_search`, `from_texts` and one of `add_texts`/`add_documents`; the rest
(async twins in worker threads, relevance scores, `search(search_type=)`, `as_retriever`)
comes from here. Not here: a store (see `in_memory`) or the retriever run (`retriever`).
"""

from __future__ import annotations

import logging
import math
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from itertools import cycle
from typing import TYPE_CHECKING, Any, TypeVar

from runwire.documents import Document
from runwire.runnables.config import run_in_executor

if TYPE_CHECKING:
    from runwire.embeddings import Embeddings
    from runwire.vectorstores.retriever import VectorStoreRetriever

logger = logging.getLogger(__name__)
VST = TypeVar("VST", bound="VectorStore")

_SEARCH_TYPES = "'similarity', 'similarity_score_threshold' or 'mmr'"


def _documents(
    texts: Iterable[str], metadatas: list[dict[str, Any]] | None, ids: list[str] | None
) -> list[Document]:
    texts = texts if isinstance(texts, list | tuple) else list(texts)
    if metadatas and len(metadatas) != len(texts):
        raise ValueError(
            "The number of metadatas must match the number of texts."
            f"Got {len(metadatas)} metadatas and {len(texts)} texts."
        )
    metadatas_ = iter(metadatas) if metadatas else cycle([{}])
    ids_: Iterable[str | None] = iter(ids) if ids else cycle([None])
    return [
        Document(page_content=text, metadata=metadata, id=id_)
        for text, metadata, id_ in zip(texts, metadatas_, ids_, strict=False)
    ]


def _with_ids(documents: list[Document], kwargs: dict[str, Any]) -> dict[str, Any]:
    if "ids" not in kwargs:
        ids = [doc.id for doc in documents]
        if any(ids):
            kwargs["ids"] = ids
    return kwargs


def _thresholded(
    docs_and_similarities: list[tuple[Document, float]], score_threshold: float | None
) -> list[tuple[Document, float]]:
    if any(similarity < 0.0 or similarity > 1.0 for _, similarity in docs_and_similarities):
        warnings.warn(f"Relevance scores must be between 0 and 1, got {docs_and_similarities}", stacklevel=3)
    if score_threshold is not None:
        docs_and_similarities = [pair for pair in docs_and_similarities if pair[1] >= score_threshold]
        if not docs_and_similarities:
            logger.warning(
                "No relevant docs were retrieved using the relevance score threshold %s", score_threshold
            )
    return docs_and_similarities


def _bad_search_type(search_type: str) -> ValueError:
    return ValueError(
        f"search_type of {search_type} not allowed. Expected search_type to be {_SEARCH_TYPES}."
    )


class VectorStore(ABC):
    """Base of vector stores: add documents, then search them by similarity to a query."""

    # -- writing ------------------------------------------------------------------------------------

    def add_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Embed and store `texts` (with `metadatas` and `ids`); returns the stored ids."""
        if type(self).add_documents is VectorStore.add_documents:
            raise NotImplementedError(f"`add_texts` has not been implemented for {type(self).__name__} ")
        if ids is not None:
            kwargs["ids"] = ids
        return self.add_documents(_documents(texts, metadatas, ids), **kwargs)

    async def aadd_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Async `add_texts`."""
        if ids is not None:
            kwargs["ids"] = ids
        if type(self).aadd_documents is not VectorStore.aadd_documents:
            return await self.aadd_documents(_documents(texts, metadatas, ids), **kwargs)
        return await run_in_executor(None, self.add_texts, texts, metadatas, **kwargs)

    def add_documents(self, documents: list[Document], **kwargs: Any) -> list[str]:
        """Embed and store `documents` (their ids kept unless `ids=` is given)."""
        if type(self).add_texts is VectorStore.add_texts:
            raise NotImplementedError(
                f"`add_documents` and `add_texts` has not been implemented for {type(self).__name__} "
            )
        texts = [doc.page_content for doc in documents]
        metadatas = [doc.metadata for doc in documents]
        return self.add_texts(texts, metadatas, **_with_ids(documents, kwargs))

    async def aadd_documents(self, documents: list[Document], **kwargs: Any) -> list[str]:
        """Async `add_documents`."""
        if type(self).aadd_texts is not VectorStore.aadd_texts:
            texts = [doc.page_content for doc in documents]
            metadatas = [doc.metadata for doc in documents]
            return await self.aadd_texts(texts, metadatas, **_with_ids(documents, kwargs))
        return await run_in_executor(None, self.add_documents, documents, **kwargs)

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        """Remove the documents with these ids."""
        raise NotImplementedError("delete method must be implemented by subclass.")

    async def adelete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        """Async `delete`."""
        return await run_in_executor(None, self.delete, ids, **kwargs)

    def get_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        """The stored documents with these ids (missing ids are skipped)."""
        raise NotImplementedError(f"{type(self).__name__} does not yet support get_by_ids.")

    async def aget_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        """Async `get_by_ids`."""
        return await run_in_executor(None, self.get_by_ids, ids)

    @property
    def embeddings(self) -> Embeddings | None:
        """The embeddings the store uses, if it exposes them."""
        return None

    # -- searching ----------------------------------------------------------------------------------

    def search(self, query: str, search_type: str, **kwargs: Any) -> list[Document]:
        """Search by `search_type`: 'similarity', 'similarity_score_threshold' or 'mmr'."""
        if search_type == "similarity":
            return self.similarity_search(query, **kwargs)
        if search_type == "similarity_score_threshold":
            return [doc for doc, _ in self.similarity_search_with_relevance_scores(query, **kwargs)]
        if search_type == "mmr":
            return self.max_marginal_relevance_search(query, **kwargs)
        raise _bad_search_type(search_type)

    async def asearch(self, query: str, search_type: str, **kwargs: Any) -> list[Document]:
        """Async `search`."""
        if search_type == "similarity":
            return await self.asimilarity_search(query, **kwargs)
        if search_type == "similarity_score_threshold":
            pairs = await self.asimilarity_search_with_relevance_scores(query, **kwargs)
            return [doc for doc, _ in pairs]
        if search_type == "mmr":
            return await self.amax_marginal_relevance_search(query, **kwargs)
        raise _bad_search_type(search_type)

    @abstractmethod
    def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        """The `k` documents most similar to `query`."""

    async def asimilarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        """Async `similarity_search`."""
        return await run_in_executor(None, self.similarity_search, query, k=k, **kwargs)

    def similarity_search_with_score(self, *args: Any, **kwargs: Any) -> list[tuple[Document, float]]:
        """Documents and their scores (the store's own measure)."""
        raise NotImplementedError

    async def asimilarity_search_with_score(self, *args: Any, **kwargs: Any) -> list[tuple[Document, float]]:
        """Async `similarity_search_with_score`."""
        return await run_in_executor(None, self.similarity_search_with_score, *args, **kwargs)

    def similarity_search_by_vector(
        self, embedding: list[float], k: int = 4, **kwargs: Any
    ) -> list[Document]:
        """The `k` documents most similar to an embedding."""
        raise NotImplementedError

    async def asimilarity_search_by_vector(
        self, embedding: list[float], k: int = 4, **kwargs: Any
    ) -> list[Document]:
        """Async `similarity_search_by_vector`."""
        return await run_in_executor(None, self.similarity_search_by_vector, embedding, k=k, **kwargs)

    @staticmethod
    def _euclidean_relevance_score_fn(distance: float) -> float:
        return 1.0 - distance / math.sqrt(2)

    @staticmethod
    def _cosine_relevance_score_fn(distance: float) -> float:
        return 1.0 - distance

    @staticmethod
    def _max_inner_product_relevance_score_fn(distance: float) -> float:
        return 1.0 - distance if distance > 0 else -1.0 * distance

    def _select_relevance_score_fn(self) -> Callable[[float], float]:
        """How this store's scores map to relevance in [0, 1]; stores override it."""
        raise NotImplementedError

    def _similarity_search_with_relevance_scores(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        relevance = self._select_relevance_score_fn()
        return [
            (doc, relevance(score)) for doc, score in self.similarity_search_with_score(query, k, **kwargs)
        ]

    async def _asimilarity_search_with_relevance_scores(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        relevance = self._select_relevance_score_fn()
        pairs = await self.asimilarity_search_with_score(query, k, **kwargs)
        return [(doc, relevance(score)) for doc, score in pairs]

    def similarity_search_with_relevance_scores(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        """Documents with relevance scores in [0, 1]; `score_threshold=` drops the lower ones."""
        score_threshold = kwargs.pop("score_threshold", None)
        pairs = self._similarity_search_with_relevance_scores(query, k=k, **kwargs)
        return _thresholded(pairs, score_threshold)

    async def asimilarity_search_with_relevance_scores(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        """Async `similarity_search_with_relevance_scores`."""
        score_threshold = kwargs.pop("score_threshold", None)
        pairs = await self._asimilarity_search_with_relevance_scores(query, k=k, **kwargs)
        return _thresholded(pairs, score_threshold)

    def max_marginal_relevance_search(
        self, query: str, k: int = 4, fetch_k: int = 20, lambda_mult: float = 0.5, **kwargs: Any
    ) -> list[Document]:
        """`k` documents among the `fetch_k` most similar, chosen for relevance and diversity."""
        raise NotImplementedError

    async def amax_marginal_relevance_search(
        self, query: str, k: int = 4, fetch_k: int = 20, lambda_mult: float = 0.5, **kwargs: Any
    ) -> list[Document]:
        """Async `max_marginal_relevance_search`."""
        return await run_in_executor(
            None,
            self.max_marginal_relevance_search,
            query,
            k=k,
            fetch_k=fetch_k,
            lambda_mult=lambda_mult,
            **kwargs,
        )

    def max_marginal_relevance_search_by_vector(
        self, embedding: list[float], k: int = 4, fetch_k: int = 20, lambda_mult: float = 0.5, **kwargs: Any
    ) -> list[Document]:
        """`max_marginal_relevance_search` from an embedding."""
        raise NotImplementedError

    async def amax_marginal_relevance_search_by_vector(
        self, embedding: list[float], k: int = 4, fetch_k: int = 20, lambda_mult: float = 0.5, **kwargs: Any
    ) -> list[Document]:
        """Async `max_marginal_relevance_search_by_vector`."""
        return await run_in_executor(
            None,
            self.max_marginal_relevance_search_by_vector,
            embedding,
            k=k,
            fetch_k=fetch_k,
            lambda_mult=lambda_mult,
            **kwargs,
        )

    # -- building -----------------------------------------------------------------------------------

    @classmethod
    @abstractmethod
    def from_texts(
        cls: type[VST],
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> VST:
        """A new store holding `texts`, embedded with `embedding`."""

    @classmethod
    async def afrom_texts(
        cls: type[VST],
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> VST:
        """Async `from_texts`."""
        if ids is not None:
            kwargs["ids"] = ids
        return await run_in_executor(None, cls.from_texts, texts, embedding, metadatas, **kwargs)

    @classmethod
    def from_documents(
        cls: type[VST], documents: list[Document], embedding: Embeddings, **kwargs: Any
    ) -> VST:
        """A new store holding `documents`, embedded with `embedding`."""
        texts = [doc.page_content for doc in documents]
        metadatas = [doc.metadata for doc in documents]
        return cls.from_texts(texts, embedding, metadatas=metadatas, **_with_ids(documents, kwargs))

    @classmethod
    async def afrom_documents(
        cls: type[VST], documents: list[Document], embedding: Embeddings, **kwargs: Any
    ) -> VST:
        """Async `from_documents`."""
        texts = [doc.page_content for doc in documents]
        metadatas = [doc.metadata for doc in documents]
        return await cls.afrom_texts(texts, embedding, metadatas=metadatas, **_with_ids(documents, kwargs))

    def _get_retriever_tags(self) -> list[str]:
        tags = [type(self).__name__]
        if self.embeddings:
            tags.append(type(self.embeddings).__name__)
        return tags

    def as_retriever(self, **kwargs: Any) -> VectorStoreRetriever:
        """This store as a retriever: `search_type=` ('similarity', 'mmr',
        'similarity_score_threshold') and `search_kwargs=` (e.g. `{"k": 2}`) pick the search."""
        from runwire.vectorstores.retriever import VectorStoreRetriever

        tags = kwargs.pop("tags", None) or self._get_retriever_tags()
        return VectorStoreRetriever(vectorstore=self, tags=tags, **kwargs)


from runwire._not_yet import install_methods as _install_methods  # noqa: E402 - needs the class

_install_methods(VectorStore, "VectorStore")  # langchain-core methods not here yet explain so
