"""(a) langchain-core runnables as runwire steps: automatic wrapping, one event tree heard by
runwire's handlers with runwire objects, conversion both ways, errors unchanged."""

from __future__ import annotations

import subprocess
import sys
from uuid import UUID

import pytest
from langchain_core.callbacks import CallbackManager as LcCallbackManager
from langchain_core.documents import Document as LcDocument
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.messages import AIMessage as LcAIMessage
from langchain_core.prompts import ChatPromptTemplate as LcPrompt
from langchain_core.runnables import RunnableLambda as LcLambda
from langchain_core.vectorstores import InMemoryVectorStore

from runwire.documents import Document
from runwire.interop.langchain import LangChainRunnable, from_langchain
from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage, HumanMessage
from runwire.output_parsers import StrOutputParser
from runwire.prompt_values import ChatPromptValue
from runwire.prompts import ChatPromptTemplate
from runwire.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough, coerce_to_runnable

from .conftest import Tree


def _fake(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage(r) for r in replies]))


def test_langchain_runnables_are_wrapped_by_pipe_dicts_and_coerce() -> None:
    """`|`, a dict step and coerce_to_runnable all turn a langchain runnable into a runwire step."""
    prompt = LcPrompt.from_template("hi {x}")
    assert isinstance(coerce_to_runnable(prompt), LangChainRunnable)
    chain = RunnableLambda(lambda d: d) | prompt
    assert isinstance(chain.steps[1], LangChainRunnable)
    parallel = RunnableParallel({"p": prompt})
    assert isinstance(parallel.steps__["p"], LangChainRunnable)
    with pytest.raises(TypeError, match="expects a langchain-core Runnable"):
        from_langchain(object())


def test_langchain_runs_nest_under_the_runwire_run_with_runwire_objects(tree: Tree) -> None:
    """A langchain prompt inside a runwire chain is a child of the sequence (tag seq:step:1), and
    the runwire handler receives runwire objects for it."""
    # langchain's own `|` only knows langchain runnables: a langchain object on the left is wrapped.
    chain = from_langchain(LcPrompt.from_template("What is {q}?")) | _fake("4") | StrOutputParser()
    assert chain.invoke({"q": "2+2"}, {"callbacks": [tree], "tags": ["t"]}) == "4"
    assert tree.starts() == [
        ("RunnableSequence", None),
        ("ChatPromptTemplate", "RunnableSequence"),
        ("GenericFakeChatModel", "RunnableSequence"),
        ("StrOutputParser", "RunnableSequence"),
    ]
    _, kw = tree.payload("on_chain_start", "ChatPromptTemplate")
    assert kw["tags"] == ["seq:step:1", "t"]
    (end_args, _) = next((a, k) for e, a, k in tree.payloads if e == "on_chain_end")
    assert isinstance(end_args[0], ChatPromptValue)  # langchain's prompt value, made runwire's
    assert isinstance(end_args[0].messages[0], HumanMessage)


def test_inputs_and_outputs_are_converted_both_ways() -> None:
    """runwire messages reach a langchain lambda as langchain-core messages and its langchain
    output comes back as runwire's, tool calls and usage kept."""
    seen: list[type] = []

    def answer(messages: list[object]) -> LcAIMessage:
        seen.extend(type(m) for m in messages)
        return LcAIMessage(
            "ok",
            tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c1"}],
            usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
        )

    out = from_langchain(LcLambda(answer)).invoke([HumanMessage("hi")])
    assert seen[0].__module__.startswith("langchain_core.")
    assert isinstance(out, AIMessage)
    assert out.tool_calls == [{"name": "f", "args": {"a": 1}, "id": "c1", "type": "tool_call"}]
    assert out.usage_metadata == {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}


def test_errors_keep_their_type_and_close_every_run(tree: Tree) -> None:
    """A langchain step's exception reaches the caller unchanged; its run and the parent end in error."""

    def boom(_: object) -> None:
        raise KeyError("missing")

    chain = RunnableLambda(lambda x: x) | LcLambda(boom)
    with pytest.raises(KeyError, match="missing"):
        chain.invoke(1, {"callbacks": [tree]})
    errors = [name for event, name, *_ in tree.events if event == "on_chain_error"]
    assert errors == ["boom", "RunnableSequence"]


def test_rag_chain_with_an_in_memory_vector_store_retriever(tree: Tree) -> None:
    """A langchain-core InMemoryVectorStore retriever in a runwire RAG chain: the retriever run is
    a child of the parallel step and the handler gets runwire Documents."""
    store = InMemoryVectorStore(DeterministicFakeEmbedding(size=16))
    store.add_documents([LcDocument("cats purr"), LcDocument("dogs bark")])
    retriever = store.as_retriever(search_kwargs={"k": 1})
    prompt = ChatPromptTemplate.from_template("Context: {context}\nQ: {question}")
    chain = (
        {"context": retriever | (lambda docs: docs[0].page_content), "question": RunnablePassthrough()}
        | prompt
        | _fake("purr")
        | StrOutputParser()
    )
    assert chain.invoke("cats purr", {"callbacks": [tree]}) == "purr"
    starts = dict(tree.starts())
    assert starts["VectorStoreRetriever"] == "RunnableSequence"
    assert ("VectorStoreRetriever", "RunnableSequence") in tree.starts()
    (docs,), _ = next((a, k) for e, a, k in tree.payloads if e == "on_retriever_end")
    assert isinstance(docs[0], Document)
    assert docs[0].page_content == "cats purr"


async def test_async_batch_and_streams_nest(tree: Tree) -> None:
    """ainvoke, batch, abatch, stream and astream of a langchain step all nest under the runwire run."""
    step = from_langchain(LcLambda(lambda x: x * 2))
    chain = RunnableLambda(lambda x: x + 1) | step
    assert await chain.ainvoke(1, {"callbacks": [tree]}) == 4
    assert chain.batch([1, 2]) == [4, 6]
    assert await step.abatch([1, 2], {"callbacks": [tree]}) == [2, 4]
    assert list(chain.stream(1, {"callbacks": [tree]})) == [4]
    assert [c async for c in chain.astream(1, {"callbacks": [tree]})] == [4]
    parents = [p for event, name, _, p in tree.events if event == "on_chain_start" and name == "<lambda>"]
    assert all(p is not None for p in parents[:1])


def test_langchain_callback_manager_is_accepted_in_config(tree: Tree) -> None:
    """What LangGraph hands a node: a langchain CallbackManager; runwire runs attach under its
    parent with its tags and metadata, and other config keys pass through untouched."""
    parent = UUID(int=7)
    manager = LcCallbackManager.configure(
        [tree], inheritable_tags=["graph:step:1"], inheritable_metadata={"langgraph_node": "n"}
    )
    manager.parent_run_id = parent
    seen = {}

    def node(x: int, config: dict[str, object]) -> int:
        seen.update(config)
        return x

    config = {
        "callbacks": manager,
        "configurable": {"__pregel_task_id": "t1", "checkpoint_ns": "n:1"},
        "recursion_limit": 7,
    }
    RunnableLambda(node).invoke(1, config)
    _, kw = tree.payload("on_chain_start", "node")
    assert kw["parent_run_id"] == parent
    assert kw["metadata"]["langgraph_node"] == "n"
    assert "graph:step:1" in kw["tags"]
    assert seen["configurable"] == {"__pregel_task_id": "t1", "checkpoint_ns": "n:1"}
    assert seen["recursion_limit"] == 7


def test_wrong_callbacks_value_names_its_module() -> None:
    """The error for a wrong callbacks value names the class with its module, so two classes
    called CallbackManager cannot be confused."""
    with pytest.raises(TypeError, match=r"got builtins\.set"):
        RunnableLambda(lambda x: x).invoke(1, {"callbacks": {1}})


def test_import_runwire_does_not_import_langchain() -> None:
    """`import runwire` and a silent chain call never load langchain-core."""
    code = (
        "import sys, runwire, runwire.runnables\n"
        "runwire.runnables.RunnableLambda(lambda x: x).invoke(1)\n"
        "assert not [m for m in sys.modules if m.startswith(('langchain', 'runwire.interop'))]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_langchain_async_callback_manager_is_accepted(tree: Tree) -> None:
    """An AsyncCallbackManager (what async LangGraph nodes receive) works under ainvoke too."""
    from langchain_core.callbacks import AsyncCallbackManager as LcAsyncCallbackManager

    manager = LcAsyncCallbackManager.configure([tree])
    manager.parent_run_id = UUID(int=9)
    assert await RunnableLambda(lambda x: x + 1).ainvoke(1, {"callbacks": manager}) == 2
    _, kw = tree.payload("on_chain_start", "RunnableLambda")
    assert kw["parent_run_id"] == UUID(int=9)
