"""`InMemoryVectorStore` search over 10,000 documents: runwire next to langchain-core.

Both stores hold the same 10,000 vectors (384 floats, seeded) and answer the same queries;
the figure is the median time of one `similarity_search_by_vector(k=4)` (and of one
`max_marginal_relevance_search_by_vector(k=4, fetch_k=20)`, and one search with a metadata
filter). runwire is measured twice: with numpy (as installed) and in pure Python (numpy hidden),
since numpy is optional for runwire and required by langchain-core's store.

    .venv/bin/python bench/vectorstore.py [--docs 10000] [--dim 384] [--queries 30]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


class Precomputed:
    """Embeddings that return vectors given in advance (so embedding costs nothing here)."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.vectors[text] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.vectors[text]


def _median_ms(fn: Callable[[Any], object], queries: list[list[float]]) -> float:
    fn(queries[0])  # warm-up: builds runwire's index once
    times = []
    for query in queries:
        start = time.perf_counter()
        fn(query)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _store(cls: Any, embeddings_base: type, vectors: dict[str, list[float]]) -> Any:
    embeddings = type("PrecomputedEmbeddings", (Precomputed, embeddings_base), {})(vectors)
    store = cls(embeddings)
    texts = list(vectors)
    store.add_texts(texts, metadatas=[{"n": i} for i in range(len(texts))])
    return store


def _figures(store: Any, queries: list[list[float]]) -> dict[str, float]:
    return {
        "similarity_search_by_vector(k=4)": _median_ms(
            lambda q: store.similarity_search_by_vector(q, k=4), queries
        ),
        "... with filter (half the docs)": _median_ms(
            lambda q: store.similarity_search_by_vector(q, k=4, filter=lambda d: d.metadata["n"] % 2 == 0),
            queries,
        ),
        "max_marginal_relevance_search_by_vector": _median_ms(
            lambda q: store.max_marginal_relevance_search_by_vector(q, k=4, fetch_k=20), queries
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=30)
    args = parser.parse_args()
    rng = random.Random(7)
    vectors = {f"doc {i}": [rng.gauss(0, 1) for _ in range(args.dim)] for i in range(args.docs)}
    queries = [[rng.gauss(0, 1) for _ in range(args.dim)] for _ in range(args.queries)]

    from langchain_core.embeddings import Embeddings as LcEmbeddings
    from langchain_core.vectorstores import InMemoryVectorStore as LcStore

    from runwire.embeddings import Embeddings
    from runwire.vectorstores import InMemoryVectorStore

    columns = {
        "runwire (numpy)": _figures(_store(InMemoryVectorStore, Embeddings, vectors), queries),
        "langchain-core": _figures(_store(LcStore, LcEmbeddings, vectors), queries),
    }
    sys.modules["numpy"] = None  # type: ignore[assignment]  # runwire's pure-Python path from here on
    columns["runwire (pure Python)"] = _figures(_store(InMemoryVectorStore, Embeddings, vectors), queries)

    print(
        f"InMemoryVectorStore, {args.docs} documents x {args.dim} floats, "
        f"median of {args.queries} queries (ms)\n"
    )
    names = list(columns)
    print("| search | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))
    for figure in columns[names[0]]:
        print(f"| {figure} | " + " | ".join(f"{columns[name][figure]:.2f}" for name in names) + " |")


if __name__ == "__main__":
    main()
