"""Example selectors over a vector store: the `k` examples most similar to the input
(`SemanticSimilarityExampleSelector`) or most similar yet diverse (`MaxMarginalRelevanceExampleSelector`),
as in `langchain_core.example_selectors.semantic_similarity`.

An example is a dict of strings; it is stored as the text of its values (sorted by key, or only
`input_keys`) with the whole example as metadata. Not here: length-based selection or the
few-shot prompts that use selectors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runwire._fields import Fields
from runwire.example_selectors.base import BaseExampleSelector

if TYPE_CHECKING:
    from runwire.documents import Document
    from runwire.embeddings import Embeddings
    from runwire.vectorstores import VectorStore


def sorted_values(values: dict[str, str]) -> list[str]:
    """The values of a dict, ordered by key."""
    return [values[key] for key in sorted(values)]


class _VectorStoreExampleSelector(Fields, BaseExampleSelector):
    vectorstore: VectorStore
    k: int = 4
    example_keys: list[str] | None = None
    input_keys: list[str] | None = None
    vectorstore_kwargs: dict[str, Any] | None = None

    @staticmethod
    def _example_to_text(example: dict[str, str], input_keys: list[str] | None) -> str:
        if input_keys:
            return " ".join(sorted_values({key: example[key] for key in input_keys}))
        return " ".join(sorted_values(example))

    def _documents_to_examples(self, documents: list[Document]) -> list[dict[str, Any]]:
        examples = [dict(doc.metadata) for doc in documents]
        if self.example_keys:
            examples = [{key: example[key] for key in self.example_keys} for example in examples]
        return examples

    def add_example(self, example: dict[str, str]) -> str:
        """Store an example; returns its id in the vector store."""
        text = self._example_to_text(example, self.input_keys)
        return self.vectorstore.add_texts([text], metadatas=[example])[0]

    async def aadd_example(self, example: dict[str, str]) -> str:
        """Async `add_example`."""
        text = self._example_to_text(example, self.input_keys)
        return (await self.vectorstore.aadd_texts([text], metadatas=[example]))[0]

    def __repr__(self) -> str:
        return Fields.__repr__(self)


class SemanticSimilarityExampleSelector(_VectorStoreExampleSelector):
    """Selects the `k` examples most similar to the input."""

    def select_examples(self, input_variables: dict[str, str]) -> list[dict[str, Any]]:
        """The `k` stored examples most similar to `input_variables`."""
        query = self._example_to_text(input_variables, self.input_keys)
        documents = self.vectorstore.similarity_search(query, k=self.k, **(self.vectorstore_kwargs or {}))
        return self._documents_to_examples(documents)

    async def aselect_examples(self, input_variables: dict[str, str]) -> list[dict[str, Any]]:
        """Async `select_examples`."""
        query = self._example_to_text(input_variables, self.input_keys)
        documents = await self.vectorstore.asimilarity_search(
            query, k=self.k, **(self.vectorstore_kwargs or {})
        )
        return self._documents_to_examples(documents)

    @classmethod
    def from_examples(
        cls,
        examples: list[dict[str, str]],
        embeddings: Embeddings,
        vectorstore_cls: type[VectorStore],
        k: int = 4,
        input_keys: list[str] | None = None,
        *,
        example_keys: list[str] | None = None,
        vectorstore_kwargs: dict[str, Any] | None = None,
        **vectorstore_cls_kwargs: Any,
    ) -> SemanticSimilarityExampleSelector:
        """A selector over a new `vectorstore_cls` holding `examples`."""
        texts = [cls._example_to_text(example, input_keys) for example in examples]
        store = vectorstore_cls.from_texts(texts, embeddings, metadatas=examples, **vectorstore_cls_kwargs)
        return cls(
            vectorstore=store,
            k=k,
            input_keys=input_keys,
            example_keys=example_keys,
            vectorstore_kwargs=vectorstore_kwargs,
        )

    @classmethod
    async def afrom_examples(
        cls,
        examples: list[dict[str, str]],
        embeddings: Embeddings,
        vectorstore_cls: type[VectorStore],
        k: int = 4,
        input_keys: list[str] | None = None,
        *,
        example_keys: list[str] | None = None,
        vectorstore_kwargs: dict[str, Any] | None = None,
        **vectorstore_cls_kwargs: Any,
    ) -> SemanticSimilarityExampleSelector:
        """Async `from_examples`."""
        texts = [cls._example_to_text(example, input_keys) for example in examples]
        store = await vectorstore_cls.afrom_texts(
            texts, embeddings, metadatas=examples, **vectorstore_cls_kwargs
        )
        return cls(
            vectorstore=store,
            k=k,
            input_keys=input_keys,
            example_keys=example_keys,
            vectorstore_kwargs=vectorstore_kwargs,
        )


class MaxMarginalRelevanceExampleSelector(_VectorStoreExampleSelector):
    """Selects `k` examples among the `fetch_k` most similar, favouring diversity (MMR)."""

    fetch_k: int = 20

    def select_examples(self, input_variables: dict[str, str]) -> list[dict[str, Any]]:
        """`k` examples relevant to `input_variables` and different from each other."""
        query = self._example_to_text(input_variables, self.input_keys)
        documents = self.vectorstore.max_marginal_relevance_search(query, k=self.k, fetch_k=self.fetch_k)
        return self._documents_to_examples(documents)

    async def aselect_examples(self, input_variables: dict[str, str]) -> list[dict[str, Any]]:
        """Async `select_examples`."""
        query = self._example_to_text(input_variables, self.input_keys)
        documents = await self.vectorstore.amax_marginal_relevance_search(
            query, k=self.k, fetch_k=self.fetch_k
        )
        return self._documents_to_examples(documents)

    @classmethod
    def from_examples(  # noqa: PLR0917  # langchain-core's positional signature
        cls,
        examples: list[dict[str, str]],
        embeddings: Embeddings,
        vectorstore_cls: type[VectorStore],
        k: int = 4,
        input_keys: list[str] | None = None,
        fetch_k: int = 20,
        example_keys: list[str] | None = None,
        vectorstore_kwargs: dict[str, Any] | None = None,
        **vectorstore_cls_kwargs: Any,
    ) -> MaxMarginalRelevanceExampleSelector:
        """A selector over a new `vectorstore_cls` holding `examples`."""
        texts = [cls._example_to_text(example, input_keys) for example in examples]
        store = vectorstore_cls.from_texts(texts, embeddings, metadatas=examples, **vectorstore_cls_kwargs)
        return cls(
            vectorstore=store,
            k=k,
            fetch_k=fetch_k,
            input_keys=input_keys,
            example_keys=example_keys,
            vectorstore_kwargs=vectorstore_kwargs,
        )

    @classmethod
    async def afrom_examples(
        cls,
        examples: list[dict[str, str]],
        embeddings: Embeddings,
        vectorstore_cls: type[VectorStore],
        *,
        k: int = 4,
        input_keys: list[str] | None = None,
        fetch_k: int = 20,
        example_keys: list[str] | None = None,
        vectorstore_kwargs: dict[str, Any] | None = None,
        **vectorstore_cls_kwargs: Any,
    ) -> MaxMarginalRelevanceExampleSelector:
        """Async `from_examples`."""
        texts = [cls._example_to_text(example, input_keys) for example in examples]
        store = await vectorstore_cls.afrom_texts(
            texts, embeddings, metadatas=examples, **vectorstore_cls_kwargs
        )
        return cls(
            vectorstore=store,
            k=k,
            fetch_k=fetch_k,
            input_keys=input_keys,
            example_keys=example_keys,
            vectorstore_kwargs=vectorstore_kwargs,
        )
