"""Documents and retriever runs, side by side with langchain-core.

A retriever call is `on_retriever_start(serialized, query, name=..., metadata={...,
ls_retriever_name})` then one `on_retriever_end(documents)` or `on_retriever_error(error)`.
runwire passes a `serialized` dict where langchain-core passes None (§0 of the reference note).
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ToolLib


def _retriever(lib: ToolLib, model: Any = None, fail: bool = False) -> Any:
    """A retriever returning the documents containing the query (asking `model` first, if given)."""

    class KeywordRetriever(lib.BaseRetriever):  # type: ignore[misc, name-defined]
        docs: list[Any]

        def _get_relevant_documents(self, query: str, *, run_manager: Any) -> list[Any]:
            if fail:
                raise LookupError("index is offline")
            if model is not None:
                model.invoke(query)
            return [d for d in self.docs if query in d.page_content]

    docs = [lib.Document(page_content="cats purr"), lib.Document(page_content="dogs bark", metadata={"n": 2})]
    return KeywordRetriever(docs=docs)


def test_document_repr_and_str_match_the_reference(lib: ToolLib) -> None:
    """`repr` shows id (when set), metadata and page_content; `str` is the prompt-friendly form."""
    doc = lib.Document(page_content="hello", metadata={"a": 1}, id="x")
    assert repr(doc) == "Document(id='x', metadata={'a': 1}, page_content='hello')"
    assert str(doc) == "page_content='hello' metadata={'a': 1}"
    assert repr(lib.Document("hi")) == "Document(metadata={}, page_content='hi')"
    assert str(lib.Document("hi")) == "page_content='hi'"


def test_documents_compare_by_value(lib: ToolLib) -> None:
    """Two documents with the same content, metadata and id are equal; a numeric id becomes a str."""
    assert lib.Document("hi") == lib.Document(page_content="hi")
    assert lib.Document("x", id=5).id == "5"


def test_retriever_returns_documents(lib: ToolLib, run: Any) -> None:
    """`invoke(query)` returns what `_get_relevant_documents` found."""
    assert run(_retriever(lib), "cats") == [lib.Document(page_content="cats purr")]


def test_retriever_events_match_the_reference(lib: ToolLib, run: Any) -> None:
    """Start with the query, the retriever's name and `ls_retriever_name` metadata; end with the
    documents. `serialized` is None in langchain-core, a dict naming the retriever in runwire."""
    handler = lib.Recorder()
    docs = run(_retriever(lib), "dogs", {"callbacks": [handler], "tags": ["t"], "metadata": {"m": 1}})
    assert handler.events.lines() == [
        "retriever_start KeywordRetriever R1<-None ['t']",
        "retriever_end R1<-None ['t']",
    ]
    start, end = handler.events
    assert start.args[1] == "dogs"
    assert start.metadata == {"m": 1, "ls_retriever_name": "keyword"}
    assert end.args == (docs,)
    if lib.name == "langchain_core":
        assert start.args[0] is None
    else:
        assert start.args[0]["name"] == "KeywordRetriever"


def test_retriever_error_is_reported_and_raised(lib: ToolLib, run: Any) -> None:
    """A failing retriever: `on_retriever_error` with the exception the caller gets."""
    handler = lib.Recorder()
    with pytest.raises(LookupError, match="offline") as raised:
        run(_retriever(lib, fail=True), "x", {"callbacks": [handler]})
    assert handler.events.kinds() == ["retriever_start", "retriever_error"]
    assert handler.events[1].args == (raised.value,)


def test_model_inside_a_retriever_is_its_child(lib: ToolLib, run: Any) -> None:
    """A model called inside `_get_relevant_documents` (no config passed) nests under the
    retriever run in runwire, inheriting its metadata. langchain-core does not make the retriever
    run current, so the handler never hears that model."""
    handler = lib.Recorder()
    run(_retriever(lib, model=lib.FakeListChatModel(responses=["ok"])), "cats", {"callbacks": [handler]})
    if lib.name == "langchain_core":
        assert handler.events.kinds() == ["retriever_start", "retriever_end"]
        return
    assert handler.events.lines() == [
        "retriever_start KeywordRetriever R1<-None []",
        "chat_model_start FakeListChatModel R2<-R1 []",
        "llm_end R2<-R1 []",
        "retriever_end R1<-None []",
    ]
    assert handler.events[1].metadata["ls_retriever_name"] == "keyword"


def test_retriever_run_name_names_the_start(lib: ToolLib, run: Any) -> None:
    """`run_name` in the config names the retriever's start."""
    handler = lib.Recorder()
    run(_retriever(lib), "cats", {"callbacks": [handler], "run_name": "Search"})
    assert handler.events[0].kwargs["name"] == "Search"
