"""langchain-openai's ChatOpenAI (a real partner package) against the loopback llama_cpp.server,
inside runwire chains: a runwire handler hears the whole tree with runwire objects."""

from __future__ import annotations

import pytest

from runwire.interop.langchain import LangChainRunnable
from runwire.messages import AIMessage, AIMessageChunk
from runwire.output_parsers import StrOutputParser
from runwire.outputs import ChatGenerationChunk
from runwire.prompts import ChatPromptTemplate

from .conftest import Tree

langchain_openai = pytest.importorskip("langchain_openai")


def _chat_openai(base_url: str, max_tokens: int) -> object:
    # langchain-openai sends `max_completion_tokens`, which llama_cpp.server ignores: the server's
    # own `max_tokens` goes in the body.
    return langchain_openai.ChatOpenAI(
        model="smollm2", base_url=base_url, api_key="sk-local", temperature=0, max_retries=0,
        extra_body={"max_tokens": max_tokens},
    )  # fmt: skip


@pytest.fixture
def model(llama_server: str) -> object:
    return _chat_openai(llama_server, 8)


def test_invoke_tree_and_usage(model: object, tree: Tree) -> None:
    """prompt | ChatOpenAI | parser: ChatOpenAI's run is a child of the sequence, the handler's
    chat start gets runwire messages and the end an LLMResult with runwire messages and usage."""
    chain = ChatPromptTemplate.from_template("What is 1 + {n}?") | model | StrOutputParser()
    assert chain.invoke({"n": "2"}, {"callbacks": [tree]})
    assert tree.starts() == [
        ("RunnableSequence", None),
        ("ChatPromptTemplate", "RunnableSequence"),
        ("ChatOpenAI", "RunnableSequence"),
        ("StrOutputParser", "RunnableSequence"),
    ]
    (_, messages), kw = tree.payload("on_chat_model_start", "ChatOpenAI")
    assert type(messages[0][0]).__module__.startswith("runwire.")
    assert kw["tags"] == ["seq:step:2"]
    (result,), _ = tree.payload("on_llm_end", "ChatOpenAI")
    message = result.generations[0][0].message
    assert isinstance(message, AIMessage)
    assert message.usage_metadata["total_tokens"] > 0


def test_stream_yields_runwire_chunks_and_tokens(model: object, tree: Tree) -> None:
    """Streaming a wrapped ChatOpenAI yields runwire AIMessageChunks; the handler hears each token."""
    chain = ChatPromptTemplate.from_template("Count: 1, 2, {n}") | model
    chunks = list(chain.stream({"n": "3"}, {"callbacks": [tree]}))
    assert len(chunks) > 2
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    tokens = [kw for event, _, kw in tree.payloads if event == "on_llm_new_token"]
    assert len(tokens) >= len(chunks) - 2
    assert isinstance(tokens[1]["token"], str)  # langchain passes the token by keyword
    assert isinstance(tokens[1]["chunk"], ChatGenerationChunk)


async def test_astream_events_see_the_langchain_model(model: object) -> None:
    """astream_events of a runwire chain report the langchain model's start, stream and end, and
    its tokens stream because runwire's event collector asks for them."""
    chain = ChatPromptTemplate.from_template("Say {w}") | model | StrOutputParser()
    events = [(e["event"], e["name"]) async for e in chain.astream_events({"w": "hi"})]
    assert ("on_chat_model_start", "ChatOpenAI") in events
    assert events.count(("on_chat_model_stream", "ChatOpenAI")) > 1
    assert ("on_chat_model_end", "ChatOpenAI") in events
    assert events[-1] == ("on_chain_end", "RunnableSequence")


def test_bound_tools_give_runwire_tool_calls(llama_server: str, tree: Tree) -> None:
    """`.bind_tools` on the wrapped model (read through to ChatOpenAI) returns a wrapped runnable;
    the forced tool call comes back as a runwire AIMessage with parsed tool calls."""
    from langchain_core.tools import tool

    @tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    model = _chat_openai(llama_server, 40)
    bound = (ChatPromptTemplate.from_template("{q}") | model).steps[1].bind_tools([add], tool_choice="add")
    assert isinstance(bound, LangChainRunnable)
    out = (ChatPromptTemplate.from_template("{q}") | bound).invoke(
        {"q": "What is 2 plus 3?"}, {"callbacks": [tree]}
    )
    assert isinstance(out, AIMessage)
    assert out.tool_calls[0]["name"] == "add"
    assert out.tool_calls[0]["args"] == {"a": 2, "b": 3}
