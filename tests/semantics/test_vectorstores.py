"""Documents, embeddings and vector stores: one program on langchain-core and on runwire.

Searches are checked against an oracle computed here (plain cosine similarity over the same
vectors), so both libraries are held to the same expected ranking, not to each other's output.
Where runwire deliberately differs, each library's own behaviour is asserted (see the README's
"Differences").
"""

from __future__ import annotations

import asyncio
import datetime
import math
from typing import Any, ClassVar

import pytest

TEXTS = ["apple pie", "banana bread", "cherry tart", "dog food", "cat toy", "emerald ring"]


class Vectors:
    """Embeddings with fixed vectors (so rankings are known), built on the library's base."""

    TABLE: ClassVar[dict[str, list[float]]] = {
        "apple pie": [1.0, 0.1, 0.0],
        "banana bread": [0.9, 0.3, 0.1],
        "cherry tart": [0.8, 0.0, 0.5],
        "dog food": [0.0, 1.0, 0.2],
        "cat toy": [0.1, 0.9, 0.0],
        "emerald ring": [0.0, 0.1, 1.0],
        "fruit": [1.0, 0.2, 0.2],
        "pets": [0.05, 1.0, 0.1],
    }

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.TABLE[text] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.TABLE[text]


def embeddings(lib: Any) -> Any:
    return type("TableEmbeddings", (Vectors, lib.Embeddings), {})()


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (math.hypot(*a) * math.hypot(*b))


def ranking(query: str, texts: list[str] = TEXTS) -> list[str]:
    """The oracle: texts by descending cosine similarity to the query's vector."""
    q = Vectors.TABLE[query]
    return sorted(texts, key=lambda t: cosine(q, Vectors.TABLE[t]), reverse=True)


def store_of(lib: Any) -> Any:
    store = lib.InMemoryVectorStore(embeddings(lib))
    ids = store.add_texts(
        TEXTS, metadatas=[{"n": i} for i in range(len(TEXTS))], ids=[f"id{i}" for i in range(6)]
    )
    assert ids == [f"id{i}" for i in range(6)]
    return store


# -- documents ----------------------------------------------------------------------------------


def test_format_document_fills_page_content_and_metadata(lib: Any) -> None:
    """`format_document` gives the template `page_content` and the metadata keys it names."""
    doc = lib.Document(page_content="This is a joke", metadata={"page": "1", "unused": 2})
    prompt = lib.PromptTemplate.from_template("Page {page}: {page_content}")
    assert lib.format_document(doc, prompt) == "Page 1: This is a joke"
    assert asyncio.run(lib.aformat_document(doc, prompt)) == "Page 1: This is a joke"


def test_format_document_names_missing_metadata(lib: Any) -> None:
    """A template variable the document lacks is a ValueError naming it."""
    doc = lib.Document(page_content="x", metadata={})
    with pytest.raises(ValueError, match=r"missing metadata: \['page'\]"):
        lib.format_document(doc, lib.PromptTemplate.from_template("{page}: {page_content}"))


def test_document_transformer_and_compressor_bases(lib: Any) -> None:
    """Both bases are abstract; a subclass gets an async twin that runs the sync method."""

    class Upper(lib.BaseDocumentTransformer):
        def transform_documents(self, documents: Any, **kwargs: Any) -> Any:
            return [lib.Document(page_content=d.page_content.upper()) for d in documents]

    class KeepMatching(lib.BaseDocumentCompressor):
        def compress_documents(self, documents: Any, query: str, callbacks: Any = None) -> Any:
            return [d for d in documents if query in d.page_content]

    docs = [lib.Document(page_content="a cat"), lib.Document(page_content="a dog")]
    assert [d.page_content for d in asyncio.run(Upper().atransform_documents(docs))] == ["A CAT", "A DOG"]
    assert asyncio.run(KeepMatching().acompress_documents(docs, "dog")) == [docs[1]]
    with pytest.raises(TypeError):
        lib.BaseDocumentTransformer()
    with pytest.raises(TypeError):
        lib.BaseDocumentCompressor()


# -- embeddings ---------------------------------------------------------------------------------


def test_deterministic_fake_embedding_is_a_function_of_the_text(lib: Any) -> None:
    """Same text, same vector (query or document); different text, different vector."""
    fake = lib.DeterministicFakeEmbedding(size=8)
    first, again, other = fake.embed_documents(["hello", "hello", "bye"])
    assert len(first) == 8
    assert all(isinstance(x, float) for x in first)
    assert first == again == fake.embed_query("hello") == asyncio.run(fake.aembed_query("hello"))
    assert other != first


def test_fake_embeddings_are_random_vectors_of_the_size(lib: Any) -> None:
    """FakeEmbeddings gives a fresh vector of `size` floats per text."""
    fake = lib.FakeEmbeddings(size=5)
    a, b = fake.embed_documents(["x", "x"])
    assert len(a) == len(b) == len(fake.embed_query("x")) == 5
    assert a != b


def test_embeddings_is_abstract(lib: Any) -> None:
    with pytest.raises(TypeError):
        lib.Embeddings()


def test_deterministic_vectors_equal_langchain_cores(langchain: Any, runwire: Any) -> None:
    """With numpy installed, runwire's DeterministicFakeEmbedding returns langchain-core's numbers."""
    pytest.importorskip("numpy")
    texts = ["alpha", "beta"]
    ours = runwire.DeterministicFakeEmbedding(size=16).embed_documents(texts)
    theirs = langchain.DeterministicFakeEmbedding(size=16).embed_documents(texts)
    assert ours == [[float(x) for x in vector] for vector in theirs]


# -- the in-memory store ------------------------------------------------------------------------


def test_similarity_search_ranks_by_cosine_with_scores(lib: Any) -> None:
    """Results come best first with their cosine similarity; ids and metadata are kept."""
    store = store_of(lib)
    found = store.similarity_search_with_score("fruit", k=3)
    assert [doc.page_content for doc, _ in found] == ranking("fruit")[:3]
    for doc, score in found:
        assert score == pytest.approx(cosine(Vectors.TABLE["fruit"], Vectors.TABLE[doc.page_content]))
        assert doc.id == f"id{TEXTS.index(doc.page_content)}"
        assert doc.metadata == {"n": TEXTS.index(doc.page_content)}
    assert [d.page_content for d in store.similarity_search("pets", k=2)] == ranking("pets")[:2]
    by_vector = store.similarity_search_by_vector(Vectors.TABLE["pets"], k=2)
    assert [d.page_content for d in by_vector] == ranking("pets")[:2]


def test_filter_is_a_function_of_the_document(lib: Any) -> None:
    """`filter=` keeps only documents it accepts, before taking the top k."""
    store = store_of(lib)
    even = store.similarity_search("fruit", k=2, filter=lambda doc: doc.metadata["n"] % 2 == 0)
    expected = [t for t in ranking("fruit") if TEXTS.index(t) % 2 == 0][:2]
    assert [d.page_content for d in even] == expected
    assert store.similarity_search("fruit", filter=lambda _: False) == []


def test_get_by_ids_delete_and_add_documents(lib: Any) -> None:
    """get_by_ids skips unknown ids; delete removes; add_documents keeps documents' own ids."""
    store = store_of(lib)
    assert [d.page_content for d in store.get_by_ids(["id2", "nope", "id0"])] == ["cherry tart", "apple pie"]
    store.delete(["id0", "id1", "missing"])
    assert store.get_by_ids(["id0", "id1"]) == []
    assert "apple pie" not in [d.page_content for d in store.similarity_search("fruit", k=6)]
    ids = store.add_documents([lib.Document(page_content="apple pie", id="again")])
    assert ids == ["again"]
    assert store.similarity_search("fruit", k=1)[0].id == "again"
    (generated,) = store.add_texts(["cat toy"])
    assert isinstance(generated, str)
    assert len(generated) == 36


def test_mismatched_ids_and_metadatas_are_value_errors(lib: Any) -> None:
    store = lib.InMemoryVectorStore(embeddings(lib))
    with pytest.raises(ValueError, match="ids must be the same length as texts"):
        store.add_documents([lib.Document(page_content="cat toy")], ids=["a", "b"])
    with pytest.raises(ValueError, match="number of metadatas must match the number of texts"):
        store.add_texts(["cat toy"], metadatas=[{}, {}])


def test_max_marginal_relevance_prefers_diversity(lib: Any) -> None:
    """MMR picks the best match first, then trades relevance for difference."""
    store = store_of(lib)
    relevant = [d.page_content for d in store.max_marginal_relevance_search("fruit", k=3, lambda_mult=1.0)]
    assert relevant == ranking("fruit")[:3]
    diverse = [d.page_content for d in store.max_marginal_relevance_search("fruit", k=3, lambda_mult=0.1)]
    assert diverse[0] == ranking("fruit")[0]
    assert diverse != relevant
    assert set(diverse) & {"dog food", "cat toy", "emerald ring"}


def test_async_twins_give_the_same_results(lib: Any) -> None:
    store = store_of(lib)

    async def main() -> list[Any]:
        built = await lib.InMemoryVectorStore.afrom_texts(TEXTS, embeddings(lib), ids=list(TEXTS))
        await built.adelete(["dog food"])
        return [
            await store.asimilarity_search("fruit", k=2),
            await store.asimilarity_search_with_score("fruit", k=2),
            await store.amax_marginal_relevance_search("fruit", k=2),
            await store.aget_by_ids(["id3"]),
            [d.page_content for d in await built.asimilarity_search("pets", k=6)],
        ]

    found, scored, mmr, by_id, remaining = asyncio.run(main())
    assert found == store.similarity_search("fruit", k=2)
    assert scored == store.similarity_search_with_score("fruit", k=2)
    assert mmr == store.max_marginal_relevance_search("fruit", k=2)
    assert by_id == store.get_by_ids(["id3"])
    assert remaining == [t for t in ranking("pets") if t != "dog food"]


def test_from_documents_keeps_ids(lib: Any) -> None:
    docs = [lib.Document(page_content=t, id=f"d{i}", metadata={"i": i}) for i, t in enumerate(TEXTS)]
    store = lib.InMemoryVectorStore.from_documents(docs, embeddings(lib))
    assert store.get_by_ids(["d3"]) == [docs[3]]
    assert sorted(store.store) == sorted(f"d{i}" for i in range(6))
    assert store.store["d3"]["text"] == "dog food"
    assert store.store["d3"]["vector"] == Vectors.TABLE["dog food"]


def test_maximal_marginal_relevance_function(lib: Any) -> None:
    """The public helper returns indices: the best match first, then a diverse one."""
    vectors = [Vectors.TABLE[t] for t in TEXTS]
    query = Vectors.TABLE["fruit"]
    if lib.name == "langchain_core":
        import numpy as np

        query = np.array(query)
    chosen = lib.maximal_marginal_relevance(query, vectors, lambda_mult=0.3, k=3)
    assert chosen[0] == TEXTS.index(ranking("fruit")[0])
    assert len(set(chosen)) == 3
    assert lib.maximal_marginal_relevance(query, [], k=3) == []


# -- as a retriever -----------------------------------------------------------------------------


def test_as_retriever_runs_are_retriever_runs(lib: Any) -> None:
    """A retriever run: start with the query and langchain's ls_* metadata, end with the documents;
    tags name the store and the embeddings; search_kwargs apply, invoke kwargs override them."""
    store = store_of(lib)
    retriever = store.as_retriever(search_kwargs={"k": 2})
    assert isinstance(retriever, lib.VectorStoreRetriever)
    assert retriever.tags == ["InMemoryVectorStore", "TableEmbeddings"]
    recorder = lib.Recorder()
    docs = retriever.invoke("fruit", config={"callbacks": [recorder]})
    assert [d.page_content for d in docs] == ranking("fruit")[:2]
    assert recorder.events.kinds() == ["retriever_start", "retriever_end"]
    start, end = recorder.events
    assert start.args[1] == "fruit"
    assert start.name == "VectorStoreRetriever"
    assert start.tags == ["InMemoryVectorStore", "TableEmbeddings"]
    assert start.metadata == {
        "ls_retriever_name": "vectorstore",
        "ls_vector_store_provider": "InMemoryVectorStore",
        "ls_embedding_provider": "TableEmbeddings",
    }
    assert end.args[0] == docs
    assert len(retriever.invoke("fruit", k=4)) == 4
    assert asyncio.run(retriever.ainvoke("fruit")) == docs


def test_retriever_search_types(lib: Any) -> None:
    """'mmr' searches by MMR; an unknown type or a threshold search without a float threshold is a
    ValueError at construction."""
    store = store_of(lib)
    mmr = store.as_retriever(search_type="mmr", search_kwargs={"k": 3, "lambda_mult": 0.1})
    assert mmr.invoke("fruit") == store.max_marginal_relevance_search("fruit", k=3, lambda_mult=0.1)
    with pytest.raises(ValueError, match="search_type of bogus not allowed"):
        store.as_retriever(search_type="bogus")
    with pytest.raises(ValueError, match="score_threshold"):
        store.as_retriever(search_type="similarity_score_threshold")


def test_relevance_score_threshold_search(lib: Any) -> None:
    """langchain-core's InMemoryVectorStore has no relevance function (NotImplementedError);
    runwire's scores are cosine similarities already, so the threshold search works."""
    store = store_of(lib)
    retriever = store.as_retriever(
        search_type="similarity_score_threshold", search_kwargs={"score_threshold": 0.9, "k": 6}
    )
    if lib.name == "langchain_core":
        with pytest.raises(NotImplementedError):
            retriever.invoke("fruit")
        return
    q = Vectors.TABLE["fruit"]
    expected = [t for t in ranking("fruit") if cosine(q, Vectors.TABLE[t]) >= 0.9]
    assert [d.page_content for d in retriever.invoke("fruit")] == expected
    assert 0 < len(expected) < 6


def test_dump_and_load_round_trip_metadata_objects(lib: Any, tmp_path: Any) -> None:
    """`dump` writes metadata as langchain-core's `dumpd` does: a Document in metadata comes
    back a Document, a tuple a list; a message is refused on load (only Documents are allowed)
    and an object with no serialization is written as "not_implemented" and refused on load."""
    store = lib.InMemoryVectorStore(embeddings(lib))
    inner = lib.Document("inner", metadata={"k": 1})
    store.add_documents([lib.Document("apple pie", id="a", metadata={"doc": inner, "t": (1, 2)})])
    path = tmp_path / "sub" / "store.json"
    store.dump(str(path))
    loaded = lib.InMemoryVectorStore.load(str(path), embeddings(lib))
    (doc,) = loaded.get_by_ids(["a"])
    assert doc.metadata == {"doc": inner, "t": [1, 2]}
    assert loaded.similarity_search("apple pie", k=1) == [doc]
    refused = [
        ({"m": lib.HumanMessage("hi")}, ValueError, "Deserialization of .*HumanMessage.* is not allowed"),
        ({"when": datetime.date(2020, 1, 1)}, NotImplementedError, "doesn't implement serialization"),
    ]
    for metadata, error, message in refused:
        store = lib.InMemoryVectorStore(embeddings(lib))
        store.add_documents([lib.Document("apple pie", id="a", metadata=metadata)])
        store.dump(str(path))
        with pytest.raises(error, match=message):
            lib.InMemoryVectorStore.load(str(path), embeddings(lib))


def test_a_dump_by_langchain_core_loads_in_runwire(langchain: Any, runwire: Any, tmp_path: Any) -> None:
    """The file format is langchain-core's: runwire reads its dump, Documents in metadata too."""
    store = langchain.InMemoryVectorStore(embeddings(langchain))
    inner = langchain.Document("inner", metadata={"k": 1})
    store.add_documents([langchain.Document("apple pie", id="a", metadata={"doc": inner})])
    path = tmp_path / "store.json"
    store.dump(str(path))
    (doc,) = runwire.InMemoryVectorStore.load(str(path), embeddings(runwire)).get_by_ids(["a"])
    assert doc == runwire.Document(
        "apple pie", id="a", metadata={"doc": runwire.Document("inner", metadata={"k": 1})}
    )


def test_a_store_implementing_add_texts_gets_add_documents(lib: Any) -> None:
    """The base derives add_documents from add_texts (passing the documents' ids), and raises
    NotImplementedError when a store implements neither."""
    seen: list[Any] = []

    class Minimal(lib.VectorStore):
        def add_texts(self, texts: Any, metadatas: Any = None, *, ids: Any = None, **kwargs: Any) -> Any:
            seen.append((list(texts), metadatas, ids))
            return ids or ["x"]

        def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> Any:
            return []

        @classmethod
        def from_texts(cls, *args: Any, **kwargs: Any) -> Any:  # noqa: ARG003  # abstract in the base
            return cls()

    assert Minimal().add_documents([lib.Document(page_content="a", id="1", metadata={"m": 1})]) == ["1"]
    assert seen == [(["a"], [{"m": 1}], ["1"])]
    assert Minimal().embeddings is None

    class Nothing(lib.VectorStore):
        similarity_search = Minimal.similarity_search
        from_texts = Minimal.from_texts

    with pytest.raises(NotImplementedError):
        Nothing().add_texts(["a"])
    with pytest.raises(NotImplementedError):
        Nothing().get_by_ids(["a"])
    with pytest.raises(ValueError, match="search_type of nope not allowed"):
        Nothing().search("q", "nope")


# -- example selectors over a store -------------------------------------------------------------

EXAMPLES = [
    {"input": t, "output": t.upper()} for t in ("apple pie", "dog food", "emerald ring", "cherry tart")
]


class ExampleVectors(Vectors):
    """Examples are embedded as "<input> <output>" (values sorted by key) unless input_keys."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.TABLE[text.split(" ")[0] + " " + text.split(" ")[1]] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.TABLE[text]


def test_semantic_similarity_example_selector(lib: Any) -> None:
    """The k examples nearest the input, as dicts; example_keys trims them; add_example adds."""
    emb = type("ExampleEmbeddings", (ExampleVectors, lib.Embeddings), {})()
    selector = lib.SemanticSimilarityExampleSelector.from_examples(
        EXAMPLES, emb, lib.InMemoryVectorStore, k=2, input_keys=["input"]
    )
    chosen = selector.select_examples({"input": "fruit"})
    expected = ranking("fruit", [e["input"] for e in EXAMPLES])[:2]
    assert [e["input"] for e in chosen] == expected
    assert chosen[0] == next(e for e in EXAMPLES if e["input"] == expected[0])
    selector.example_keys = ["output"]
    inputs = [e["input"] for e in EXAMPLES]
    assert selector.select_examples({"input": "pets"}) == [
        {"output": t.upper()} for t in ranking("pets", inputs)[:2]
    ]
    selector.add_example({"input": "cat toy", "output": "CAT TOY"})
    assert selector.select_examples({"input": "pets"}) == [
        {"output": t.upper()} for t in ranking("pets", [*inputs, "cat toy"])[:2]
    ]
    assert asyncio.run(selector.aselect_examples({"input": "pets"})) == selector.select_examples(
        {"input": "pets"}
    )


def test_max_marginal_relevance_example_selector(lib: Any) -> None:
    emb = type("ExampleEmbeddings", (ExampleVectors, lib.Embeddings), {})()
    selector = lib.MaxMarginalRelevanceExampleSelector.from_examples(
        EXAMPLES, emb, lib.InMemoryVectorStore, k=2, input_keys=["input"], fetch_k=4
    )
    chosen = [e["input"] for e in selector.select_examples({"input": "fruit"})]
    assert chosen[0] == ranking("fruit", [e["input"] for e in EXAMPLES])[0]
    assert len(chosen) == 2
