"""The embedded embeddings (LlamaCppEmbeddings on SmolLM2) for real, and the RAG example that
runs on them with ChatLlamaCpp. Required in CI like the other local-model tests."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from runwire.chat_models.errors import ProviderNotInstalledError
from runwire.embeddings import LlamaCppEmbeddings
from runwire.vectorstores import InMemoryVectorStore

EXAMPLE = Path(__file__).parent.parent.parent / "examples" / "rag_local.py"


@pytest.fixture(scope="module")
def embeddings(gguf_path: str) -> LlamaCppEmbeddings:
    return LlamaCppEmbeddings()


def test_local_embeddings_are_unit_vectors_that_rank_by_meaning(embeddings: LlamaCppEmbeddings) -> None:
    """One unit vector per text, the same for the same text; the related text ranks first."""
    texts = ["Paris is the capital of France.", "Dogs are loyal pets.", "Paris is the capital of France."]
    first, second, again = embeddings.embed_documents(texts)
    assert len(first) == len(second) > 100
    assert sum(x * x for x in first) == pytest.approx(1.0)
    assert first == pytest.approx(again)
    store = InMemoryVectorStore(embeddings)
    store.add_texts(texts[:2])
    assert store.similarity_search("What is the capital of France?", k=1)[0].page_content == texts[0]
    assert embeddings.embed_documents([]) == []


def test_a_store_on_local_embeddings_round_trips_through_dump_and_load(
    embeddings: LlamaCppEmbeddings, tmp_path: Path
) -> None:
    """Vectors, texts and metadata objects (a source Document) come back from the JSON file;
    the loaded store searches like the original without embedding the documents again."""
    from runwire.documents import Document

    source = Document("the atlas", metadata={"page": 3})
    texts = ["Paris is the capital of France.", "Dogs are loyal pets."]
    store = InMemoryVectorStore(embeddings)
    store.add_documents([Document(t, id=str(i), metadata={"source": source}) for i, t in enumerate(texts)])
    store.dump(str(tmp_path / "store.json"))
    loaded = InMemoryVectorStore.load(str(tmp_path / "store.json"), embeddings)
    assert loaded.store == store.store
    assert loaded.get_by_ids(["0"])[0].metadata["source"] == source
    query = "What is the capital of France?"
    assert loaded.similarity_search_with_score(query) == store.similarity_search_with_score(query)


def test_a_missing_model_file_says_where_to_point() -> None:
    with pytest.raises(ProviderNotInstalledError, match=r"no GGUF model file at '/nonexistent\.gguf'"):
        LlamaCppEmbeddings(model_path="/nonexistent.gguf")


def test_rag_example_prints_every_event_and_answers(gguf_path: str) -> None:
    """The example retrieves the France document, every run it starts ends, the model's run
    sits under the sequence, and the answer mentions Paris."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=300, check=True
    )
    lines = done.stdout.splitlines()
    events = [line.strip().split(" ")[0] for line in lines if line.strip().startswith("on_")]
    starts = [e for e in events if e.endswith("_start")]
    ends = [e for e in events if e.endswith(("_end", "_error"))]
    assert len(starts) == len(ends)
    assert "on_chain_error" not in events
    assert events[0] == "on_chain_start"
    assert events[-1] == "on_chain_end"
    assert {"on_retriever_start", "on_retriever_end", "on_chat_model_start", "on_llm_end"} <= set(events)
    retrieved = next(line for line in lines if "on_retriever_end" in line)
    assert "Paris is the capital and largest city of France." in retrieved
    assert re.search(r"^  on_chat_model_start ChatLlamaCpp$", done.stdout, re.MULTILINE)
    assert lines[-1].startswith("Answer: ")
    assert "Paris" in lines[-1]


def test_the_local_model_counts_tokens_with_its_own_tokenizer(gguf_path: str) -> None:
    """ChatLlamaCpp's token ids are llama.cpp's tokenization of the text (no BOS token)."""
    from runwire.chat_models import ChatLlamaCpp

    model = ChatLlamaCpp()
    ids = model.get_token_ids("Hello world")
    assert ids == list(model.client.tokenize(b"Hello world", add_bos=False))
    assert model.get_num_tokens("Hello world") == len(ids)
    assert model.client.detokenize(ids) == b"Hello world"
