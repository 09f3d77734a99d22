"""`VectorStoreRetriever`: a vector store searched as a retriever run (what `as_retriever`
returns), so each query fires `on_retriever_start`/`on_retriever_end` like any retriever.

`search_type` picks the store method ('similarity', 'similarity_score_threshold', 'mmr');
`search_kwargs` are its arguments, overridden per call by keyword arguments to `invoke`.
Not here: the search itself (the store's methods).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar

from runwire.documents import Document
from runwire.messages._record import ValidationError
from runwire.retrievers import BaseRetriever
from runwire.vectorstores.base import VectorStore


class VectorStoreRetriever(BaseRetriever):
    """Retrieves from `vectorstore` by `search_type` with `search_kwargs`."""

    vectorstore: VectorStore
    search_type: str = "similarity"
    search_kwargs: dict[str, Any] = {}  # noqa: RUF012  # Fields copies mutable defaults per instance

    allowed_search_types: ClassVar[Collection[str]] = ("similarity", "similarity_score_threshold", "mmr")

    def model_post_init(self, context: Any, /) -> None:
        if self.search_type not in self.allowed_search_types:
            raise ValidationError(
                f"search_type of {self.search_type} not allowed. Valid values are: "
                f"{self.allowed_search_types}"
            )
        if self.search_type == "similarity_score_threshold":
            threshold = (self.search_kwargs or {}).get("score_threshold")
            if threshold is None or not isinstance(threshold, float):
                raise ValidationError(
                    "`score_threshold` is not specified with a float value(0~1) in `search_kwargs`."
                )

    def _get_ls_params(self, **kwargs: Any) -> dict[str, Any]:
        params = super()._get_ls_params(**kwargs)
        params["ls_vector_store_provider"] = type(self.vectorstore).__name__
        embeddings = self.vectorstore.embeddings or getattr(self.vectorstore, "embedding", None)
        if embeddings is not None:
            params["ls_embedding_provider"] = type(embeddings).__name__
        return params

    def _get_relevant_documents(self, query: str, *, run_manager: Any, **kwargs: Any) -> list[Document]:
        search_kwargs = self.search_kwargs | kwargs
        if self.search_type == "similarity":
            return self.vectorstore.similarity_search(query, **search_kwargs)
        if self.search_type == "similarity_score_threshold":
            pairs = self.vectorstore.similarity_search_with_relevance_scores(query, **search_kwargs)
            return [doc for doc, _ in pairs]
        if self.search_type == "mmr":
            return self.vectorstore.max_marginal_relevance_search(query, **search_kwargs)
        raise ValueError(f"search_type of {self.search_type} not allowed.")

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: Any, **kwargs: Any
    ) -> list[Document]:
        search_kwargs = self.search_kwargs | kwargs
        if self.search_type == "similarity":
            return await self.vectorstore.asimilarity_search(query, **search_kwargs)
        if self.search_type == "similarity_score_threshold":
            pairs = await self.vectorstore.asimilarity_search_with_relevance_scores(query, **search_kwargs)
            return [doc for doc, _ in pairs]
        if self.search_type == "mmr":
            return await self.vectorstore.amax_marginal_relevance_search(query, **search_kwargs)
        raise ValueError(f"search_type of {self.search_type} not allowed.")

    def add_documents(self, documents: list[Document], **kwargs: Any) -> list[str]:
        """Add documents to the store behind this retriever."""
        return self.vectorstore.add_documents(documents, **kwargs)

    async def aadd_documents(self, documents: list[Document], **kwargs: Any) -> list[str]:
        """Async `add_documents`."""
        return await self.vectorstore.aadd_documents(documents, **kwargs)
