"""`with_listeners` / `with_alisteners` and `RunnableWithMessageHistory` with
`InMemoryChatMessageHistory`, as in langchain-core (which deprecates the history classes; the
warnings it emits are silenced here)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")


def test_listeners_see_the_root_run(lib: Any) -> None:
    """on_start/on_end get the Run of the bound runnable (inputs/outputs wrapped in dicts); a
    listener that declares `config` gets the call's config; batch has one root run per input."""
    log: list[Any] = []

    def start(run: Any) -> None:
        log.append(("start", run.name, run.inputs))

    def end(run: Any, config: Any) -> None:
        log.append(("end", run.name, run.inputs, run.outputs, sorted(config)))

    chain = (lib.RunnableLambda(lambda x: x + 1) | lib.RunnableLambda(lambda x: x * 2)).with_listeners(
        on_start=start, on_end=end
    )
    chain.invoke(1)
    chain.batch([3, 4])
    keys = ["configurable", "metadata", "tags"]
    assert log[:2] == [
        ("start", "RunnableSequence", {"input": 1}),
        ("end", "RunnableSequence", {"input": 1}, {"output": 4}, keys),
    ]
    assert sorted((entry for entry in log[2:] if entry[0] == "end"), key=repr) == [
        ("end", "RunnableSequence", {"input": 3}, {"output": 8}, keys),
        ("end", "RunnableSequence", {"input": 4}, {"output": 10}, keys),
    ]


def test_error_listener_and_streamed_input(lib: Any) -> None:
    """on_error gets the failed run; a streamed run's end listener sees the whole input."""
    errors: list[str] = []
    failing = lib.RunnableLambda(lambda x: x / 0).with_listeners(
        on_error=lambda run: errors.append(run.error)
    )
    with pytest.raises(ZeroDivisionError):
        failing.invoke(1)
    assert len(errors) == 1
    assert "ZeroDivisionError" in errors[0]
    ends: list[Any] = []
    streamed = lib.RunnableLambda(lambda x: x * 3).with_listeners(on_end=lambda run: ends.append(run))
    assert list(streamed.stream(2)) == [6]
    assert (ends[0].inputs, ends[0].outputs) == ({"input": 2}, {"output": 6})


def test_async_listeners(lib: Any) -> None:
    """with_alisteners awaits async listeners, under ainvoke and under invoke."""
    log: list[Any] = []

    async def start(run: Any) -> None:
        log.append(("start", run.name))

    async def end(run: Any) -> None:
        log.append(("end", run.outputs))

    runnable = lib.RunnableLambda(lambda x: x).with_alisteners(on_start=start, on_end=end)
    asyncio.run(runnable.ainvoke(5))
    runnable.invoke(6)
    assert log == [
        ("start", "RunnableLambda"),
        ("end", {"output": 5}),
        ("start", "RunnableLambda"),
        ("end", {"output": 6}),
    ]


def _store(lib: Any) -> tuple[dict[Any, Any], Any]:
    store: dict[Any, Any] = {}

    def get(session_id: str) -> Any:
        return store.setdefault(session_id, lib.InMemoryChatMessageHistory())

    return store, get


def _pairs(history: Any) -> list[tuple[str, Any]]:
    return [(m.type, m.content) for m in history.messages]


def test_history_around_a_chat_model(lib: Any) -> None:
    """A chat model's conversation accumulates per session: each call sees the earlier turns."""
    store, get = _store(lib)
    model = lib.FakeListChatModel(responses=["a1", "a2"])
    chat = lib.RunnableWithMessageHistory(model, get)
    config = {"configurable": {"session_id": "s1"}}
    assert chat.invoke("hi", config).content == "a1"
    assert chat.invoke("again", config).content == "a2"
    assert _pairs(store["s1"]) == [("human", "hi"), ("ai", "a1"), ("human", "again"), ("ai", "a2")]


def test_history_with_keys_sync_and_async(lib: Any) -> None:
    """input/history keys put the history into a prompt's placeholder; ainvoke uses the async path."""
    store, get = _store(lib)
    prompt = lib.ChatPromptTemplate.from_messages(
        [("system", "sys"), lib.MessagesPlaceholder("history"), ("human", "{question}")]
    )
    chain = prompt | lib.FakeListChatModel(responses=["r1", "r2"])
    chat = lib.RunnableWithMessageHistory(
        chain, get, input_messages_key="question", history_messages_key="history"
    )
    config = {"configurable": {"session_id": "s2"}}
    chat.invoke({"question": "q1"}, config)
    assert asyncio.run(chat.ainvoke({"question": "q2"}, config)).content == "r2"
    assert _pairs(store["s2"]) == [("human", "q1"), ("ai", "r1"), ("human", "q2"), ("ai", "r2")]
    assert chat.get_input_jsonschema()["required"] == ["question"]
    assert chat.get_config_jsonschema()["$defs"]["Configurable"]["properties"]["session_id"] == {
        "default": "",
        "description": "Unique identifier for a session.",
        "title": "Session ID",
        "type": "string",
    }


def test_history_with_output_key_and_streaming(lib: Any) -> None:
    """A dict output is read under `output_messages_key`; a stream records the whole reply."""
    store, get = _store(lib)
    answer = lib.RunnableLambda(lambda d: {"answer": "A:" + d["input"][-1].content, "x": 1})
    chat = lib.RunnableWithMessageHistory(
        answer, get, input_messages_key="input", output_messages_key="answer"
    )
    assert chat.invoke({"input": "zz"}, {"configurable": {"session_id": "s3"}}) == {"answer": "A:zz", "x": 1}
    assert _pairs(store["s3"]) == [("human", "zz"), ("ai", "A:zz")]
    streamed = lib.RunnableWithMessageHistory(lib.FakeListChatModel(responses=["st"]), get)
    assert [c.content for c in streamed.stream("yo", {"configurable": {"session_id": "s4"}})] == ["s", "t"]
    assert [m.content for m in store["s4"].messages] == ["yo", "st"]


def test_history_factory_config_and_missing_keys(lib: Any) -> None:
    """Several factory keys are passed by name; a missing key is a ValueError naming it."""
    store: dict[Any, Any] = {}

    def get(user_id: str, conv: str) -> Any:
        return store.setdefault((user_id, conv), lib.InMemoryChatMessageHistory())

    specs = [
        lib.ConfigurableFieldSpec(id="user_id", annotation=str),
        lib.ConfigurableFieldSpec(id="conv", annotation=str),
    ]
    chat = lib.RunnableWithMessageHistory(
        lib.FakeListChatModel(responses=["m"]), get, history_factory_config=specs
    )
    assert chat.invoke("hi", {"configurable": {"user_id": "u", "conv": "c"}}).content == "m"
    assert len(store[("u", "c")].messages) == 2
    assert [s.id for s in chat.config_specs] == ["conv", "user_id"]
    with pytest.raises(ValueError, match=r"Missing keys \['conv'\]"):
        chat.invoke("hi", {"configurable": {"user_id": "u"}})


def test_in_memory_history(lib: Any) -> None:
    """The in-memory history: add_user/ai_message, str() as a buffer, clear, async twins."""
    history = lib.InMemoryChatMessageHistory()
    history.add_user_message("hi")
    history.add_ai_message(lib.AIMessage(content="yo"))
    assert str(history) == "Human: hi\nAI: yo"
    assert lib.InMemoryChatMessageHistory().messages == []
    asyncio.run(history.aadd_messages([lib.HumanMessage(content="more")]))
    assert [m.content for m in asyncio.run(history.aget_messages())] == ["hi", "yo", "more"]
    history.clear()
    assert history.messages == []
    assert issubclass(lib.InMemoryChatMessageHistory, lib.BaseChatMessageHistory)


def test_history_run_tree(lib: Any) -> None:
    """The runs a history call makes: load_history, then the wrapped runnable under
    check_sync_or_async, each tagged with its sequence step."""
    _, get = _store(lib)
    recorder = lib.Recorder()
    chat = lib.RunnableWithMessageHistory(lib.RunnableLambda(lambda messages: messages[-1].content), get)
    chat.invoke("hi", {"callbacks": [recorder], "configurable": {"session_id": "t"}})
    assert recorder.events.tree() == [
        "RunnableWithMessageHistory [] -> chain_end",
        "  load_history ['seq:step:1'] -> chain_end",
        "  check_sync_or_async ['seq:step:2'] -> chain_end",
        "    RunnableLambda [] -> chain_end",
    ]
