"""runwire's own promises for vector stores beyond langchain-core's surface (that is in
tests/semantics/test_vectorstores.py): no numpy needed, same answers with or without it, the
search index follows every change to the store, and nothing heavy loads at import."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from runwire.documents import Document
from runwire.embeddings import DeterministicFakeEmbedding, Embeddings
from runwire.vectorstores import InMemoryVectorStore


class Table(Embeddings):
    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = table

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.table[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.table[text]


def _random_table(n: int, dim: int = 12) -> dict[str, list[float]]:
    rng = random.Random(3)
    return {f"t{i}": [rng.gauss(0, 1) for _ in range(dim)] for i in range(n)}


def _without_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)  # `import numpy` now raises ImportError


def test_pure_python_search_matches_the_numpy_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the size where numpy is used, hiding numpy changes no result (ids, order, scores)."""
    pytest.importorskip("numpy")
    table = _random_table(200)
    queries = [f"t{i}" for i in range(0, 200, 37)]

    def run() -> list[Any]:
        store = InMemoryVectorStore(Table(table))
        store.add_texts(list(table), metadatas=[{"i": i} for i in range(200)])
        return [
            (
                [(d.page_content, round(s, 12)) for d, s in store.similarity_search_with_score(q, k=5)],
                [
                    d.page_content
                    for d in store.similarity_search(q, k=3, filter=lambda d: d.metadata["i"] % 3 == 0)
                ],
                [d.page_content for d in store.max_marginal_relevance_search(q, k=4, fetch_k=10)],
            )
            for q in queries
        ]

    with_numpy = run()
    _without_numpy(monkeypatch)
    assert run() == with_numpy


def test_fake_embeddings_work_without_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without numpy the fakes still give deterministic / random vectors of the right size."""
    _without_numpy(monkeypatch)
    fake = DeterministicFakeEmbedding(size=6)
    assert fake.embed_query("a") == fake.embed_query("a") != fake.embed_query("b")
    assert len(fake.embed_query("a")) == 6


def test_the_index_follows_every_change_to_the_store() -> None:
    """Adding, deleting, replacing the store dict or writing into it: the next search sees it."""
    table = _random_table(100)
    store = InMemoryVectorStore(Table(table))
    store.add_texts(list(table)[:80], ids=list(table)[:80])
    assert store.similarity_search("t90", k=1)[0].page_content != "t90"
    store.add_texts(["t90"], ids=["t90"])
    assert store.similarity_search("t90", k=1)[0].page_content == "t90"
    store.delete(["t90"])
    assert store.similarity_search("t90", k=1)[0].page_content != "t90"
    store.store["t91"] = {"id": "t91", "vector": table["t91"], "text": "t91", "metadata": {}}
    assert store.similarity_search("t91", k=1)[0].id == "t91"
    store.store = {"only": {"id": "only", "vector": table["t5"], "text": "t5", "metadata": {}}}
    assert [d.id for d in store.similarity_search("t0", k=3)] == ["only"]


def test_vectors_of_another_width_are_a_clear_value_error() -> None:
    store = InMemoryVectorStore(Table({"a": [1.0, 0.0], "q": [1.0, 0.0, 0.0]}))
    store.add_texts(["a"])
    with pytest.raises(ValueError, match="query vector has 3 values, the stored vectors 2"):
        store.similarity_search("q")


def test_zero_vectors_score_zero() -> None:
    store = InMemoryVectorStore(Table({"zero": [0.0, 0.0], "one": [1.0, 0.0]}))
    store.add_texts(["zero", "one"])
    assert [(d.page_content, s) for d, s in store.similarity_search_with_score("one")] == [
        ("one", 1.0),
        ("zero", 0.0),
    ]
    assert [s for _, s in store.similarity_search_with_score("zero")] == [0.0, 0.0]


def test_dump_and_load_round_trip(tmp_path: Path) -> None:
    table = _random_table(5)
    store = InMemoryVectorStore(Table(table))
    store.add_documents([Document(t, metadata={"k": t}, id=t) for t in table])
    path = tmp_path / "sub" / "store.json"
    store.dump(str(path))
    loaded = InMemoryVectorStore.load(str(path), Table(table))
    assert loaded.store == store.store
    assert loaded.similarity_search("t2", k=2) == store.similarity_search("t2", k=2)


def test_importing_vector_stores_loads_no_numpy() -> None:
    code = (
        "import sys, runwire.vectorstores, runwire.embeddings, runwire.documents; "
        "assert 'numpy' not in sys.modules and 'llama_cpp' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
