"""Event payloads (§1.2, §1.3, §3.1-3.2, §3.12, §6.1 items 21-24, 42): what each handler method
receives, and which events a handler's `ignore_*` flags silence."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest


def add_one(x: int) -> int:
    return x + 1


def double(x: int) -> int:
    return x * 2


def _logging_handler_class(base: type) -> type:
    """The page's handler, verbatim (reference/000_5141b342efcab1d2.txt)."""

    class LoggingHandler(base):  # type: ignore[misc, valid-type]
        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            print("Chat model started")

        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            print(f"Chat model ended, response: {response}")

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            print(f"Chain {serialized.get('name')} started")

        def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
            print(f"Chain ended, outputs: {outputs}")

    return LoggingHandler


def _without_ids(text: str) -> str:
    return re.sub(r"id='[^']*'", "id=…", text)


def test_page_handler_prints_every_chain_name(
    lib: Any, run: Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The page's handler, unchanged: on runwire it prints all six lines, starting with
    "Chain RunnableSequence started". langchain-core passes `serialized=None` for the sequence
    (langchain#26773), so `serialized.get('name')` raises; the error is logged and that line is
    missing (§0.1, §3.1)."""
    handler = _logging_handler_class(lib.BaseCallbackHandler)()
    with caplog.at_level(logging.WARNING):
        result = run(lib.seed_chain(), {"number": "2"}, {"callbacks": [handler]})
    assert result.content == "1 + 2 = 3"
    lines = _without_ids(capsys.readouterr().out).splitlines()
    body = [
        "Chain ChatPromptTemplate started",
        (
            "Chain ended, outputs: messages=[HumanMessage(content='What is 1 + 2?', additional_kwargs={}, "
            "response_metadata={})]"
        ),
        "Chat model started",
        (
            "Chat model ended, response: generations=[[ChatGeneration(text='1 + 2 = 3', message=AIMessage("
            "content='1 + 2 = 3', additional_kwargs={}, response_metadata={}, id=…, tool_calls=[], "
            "invalid_tool_calls=[]))]] llm_output=None run=None type='LLMResult'"
        ),
        (
            "Chain ended, outputs: content='1 + 2 = 3' additional_kwargs={} response_metadata={} id=… "
            "tool_calls=[] invalid_tool_calls=[]"
        ),
    ]
    if lib.name == "langchain_core":
        assert lines == body
        assert [record.getMessage() for record in caplog.records] == [
            (
                "Error in LoggingHandler.on_chain_start callback: "
                "AttributeError(\"'NoneType' object has no attribute 'get'\")"
            )
        ]
    else:
        assert lines == ["Chain RunnableSequence started", *body]
        assert caplog.records == []


def test_chain_start_serialized_is_a_dict_with_name_and_id(lib: Any, run: Any) -> None:
    """runwire passes every chain start a `serialized` dict with the run's `name` and an `id`
    list. langchain-core passes `None` for every runnable except prompt templates
    (langchain#26773, §1.2)."""
    handler = lib.Recorder()
    chain = lib.RunnableLambda(add_one) | {"d": lib.RunnableLambda(double)}
    run(chain, 1, {"callbacks": [handler]})
    starts = handler.events.starts()
    assert [event.name for event in starts] == [
        "RunnableSequence",
        "add_one",
        "RunnableParallel<d>",
        "double",
    ]
    serialized = [event.args[0] for event in starts]
    if lib.name == "langchain_core":
        assert serialized == [None] * 4
    else:
        assert [s["name"] for s in serialized] == [event.name for event in starts]
        assert all(isinstance(s["id"], list) and s["id"] for s in serialized)


def test_prompt_start_serialized_names_the_prompt(lib: Any, run: Any) -> None:
    """A prompt template's chain start carries a `serialized` dict naming it, and
    `run_type='prompt'` (§3.2)."""
    handler = lib.Recorder()
    run(lib.prompt(), {"number": "2"}, {"callbacks": [handler]})
    start = handler.events[0]
    assert start.args[0]["name"] == "ChatPromptTemplate"
    assert start.args[0]["id"][-1] == "ChatPromptTemplate"
    assert start.kwargs["run_type"] == "prompt"
    assert start.args[1] == {"number": "2"}


def test_seed_chain_keyword_arguments_per_event(lib: Any, run: Any) -> None:
    """Exactly the keywords langchain-core sends (§1.2, §3.2): starts get run ids, tags,
    metadata and name (the prompt also `run_type`, the chat model also `invocation_params`,
    `options`, `batch_size`); ends get run ids and tags only."""
    handler = lib.Recorder()
    run(lib.seed_chain(), {"number": "2"}, {"callbacks": [handler]})
    ids = ["parent_run_id", "run_id", "tags"]
    assert [(event.kind, sorted(event.kwargs)) for event in handler.events] == [
        ("chain_start", ["metadata", "name", *ids]),
        ("chain_start", ["metadata", "name", *ids[:2], "run_type", "tags"]),
        ("chain_end", ids),
        ("chat_model_start", ["batch_size", "invocation_params", "metadata", "name", "options", *ids]),
        ("llm_end", ids),
        ("chain_end", ids),
    ]


def test_chat_model_start_payload(lib: Any, run: Any) -> None:
    """Chat-model start gets `messages` as a list holding one list of messages, the model's
    `invocation_params`, `options`, `batch_size=1`, and metadata with
    the config's keys plus `ls_provider`/`ls_model_type` (§1.2, §3.2)."""
    handler = lib.Recorder()
    run(lib.seed_chain(), {"number": "2"}, {"callbacks": [handler], "metadata": {"m": 1}})
    start = handler.events.of("chat_model_start")[0]
    serialized, messages = start.args
    assert serialized["name"] == "FakeListChatModel"
    assert messages == [[lib.HumanMessage(content="What is 1 + 2?")]]
    assert type(messages[0][0]) is lib.HumanMessage
    assert start.kwargs["invocation_params"] == {
        "responses": ["1 + 2 = 3"],
        "_type": "fake-list-chat-model",
        "stop": None,
    }
    assert start.kwargs["options"] == {"stop": None}
    assert start.kwargs["batch_size"] == 1
    metadata = start.metadata
    assert {key: metadata.get(key) for key in ("m", "ls_provider", "ls_model_type")} == {
        "m": 1,
        "ls_provider": "fakelistchatmodel",
        "ls_model_type": "chat",
    }


def _model(lib: Any, kind: str) -> Any:
    if kind == "chat":
        return lib.FakeListChatModel(responses=["ok"])
    return lib.FakeListLLM(responses=["ok"])


@pytest.mark.parametrize("kind", ["chat", "llm"])
def test_model_start_name_without_run_name(lib: Any, run: Any, kind: str) -> None:
    """Without `run_name`, langchain-core sends model starts `name=None` (the name is only in
    `serialized['name']`); runwire always gives handlers a usable run name, the model's
    (deliberate: reference §0.1, langchain#26773)."""
    handler = lib.Recorder()
    run(_model(lib, kind), "hi", {"callbacks": [handler]})
    start = handler.events[0]
    assert start.kind == ("chat_model_start" if kind == "chat" else "llm_start")
    expected = None if lib.name == "langchain_core" else type(_model(lib, kind)).__name__
    assert start.kwargs["name"] == expected
    assert start.args[0]["name"] == type(_model(lib, kind)).__name__


@pytest.mark.parametrize("kind", ["chat", "llm"])
def test_model_start_name_is_the_config_run_name(lib: Any, run: Any, kind: str) -> None:
    """With `run_name` in the config, a model start carries it as `name=` (§1.2)."""
    handler = lib.Recorder()
    run(_model(lib, kind), "hi", {"callbacks": [handler], "run_name": "MyModel"})
    assert handler.events[0].kwargs["name"] == "MyModel"


def test_handler_without_chat_model_start_gets_llm_start_with_string_prompts(lib: Any, run: Any) -> None:
    """A handler that overrides `on_llm_start` but not `on_chat_model_start` hears chat models
    through `on_llm_start`, with each message list rendered as one buffer string, and the same
    keywords as the chat start (§1.3)."""
    heard: list[tuple[Any, list[str], list[str]]] = []

    class OnlyLLM(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        def on_llm_start(self, serialized: Any, prompts: list[str], **kwargs: Any) -> None:
            heard.append((serialized["name"], prompts, sorted(kwargs)))

    model = lib.FakeListChatModel(responses=["ok"])
    messages = [lib.SystemMessage(content="be nice"), lib.HumanMessage(content="hi")]
    run(model, messages, {"callbacks": [OnlyLLM()]})
    assert heard == [
        (
            "FakeListChatModel",
            ["System: be nice\nHuman: hi"],
            [
                "batch_size",
                "invocation_params",
                "metadata",
                "name",
                "options",
                "parent_run_id",
                "run_id",
                "tags",
            ],
        )
    ]


def test_async_handler_without_chat_model_start_gets_llm_start(lib: Any, run: Any) -> None:
    """The chat-to-LLM fallback also works for an async handler, under invoke and ainvoke (§1.3)."""
    heard: list[list[str]] = []

    class OnlyLLM(lib.AsyncCallbackHandler):  # type: ignore[misc, name-defined]
        async def on_llm_start(self, serialized: Any, prompts: list[str], **kwargs: Any) -> None:
            heard.append(prompts)

    run(lib.FakeListChatModel(responses=["ok"]), "hi", {"callbacks": [OnlyLLM()]})
    assert heard == [["Human: hi"]]


def test_chain_end_outputs_are_the_raw_values(lib: Any, run: Any) -> None:
    """`on_chain_end` gets each run's raw output (a prompt value, a string), not a dict (§3.1)."""
    handler = lib.Recorder()
    chain = lib.seed_chain() | lib.StrOutputParser()
    run(chain, {"number": "2"}, {"callbacks": [handler]})
    prompt_end, parser_end, root_end = (event.args[0] for event in handler.events.of("chain_end"))
    assert type(prompt_end).__name__ == "ChatPromptValue"
    assert prompt_end.to_messages() == [lib.HumanMessage(content="What is 1 + 2?")]
    assert parser_end == "1 + 2 = 3"
    assert root_end == "1 + 2 = 3"


def test_llm_end_gets_llm_result_with_chat_generations(lib: Any, run: Any) -> None:
    """`on_llm_end` gets an `LLMResult` whose `generations` is `[[ChatGeneration]]` holding the
    message the caller receives; the fake model has no `llm_output` (§1.2)."""
    handler = lib.Recorder()
    result = run(lib.seed_chain(), {"number": "2"}, {"callbacks": [handler]})
    response = handler.events.of("llm_end")[0].args[0]
    assert isinstance(response, lib.LLMResult)
    assert [[type(g) for g in inner] for inner in response.generations] == [[lib.ChatGeneration]]
    generation = response.generations[0][0]
    assert generation.text == "1 + 2 = 3"
    assert generation.message == result
    assert isinstance(result, lib.AIMessage)
    assert response.llm_output is None


def test_text_llm_events(lib: Any, run: Any) -> None:
    """A text model (`FakeListLLM`) emits `on_llm_start` with the prompt strings and the same
    keywords as a chat start, then `on_llm_end` with `[[Generation]]` (§1.2)."""
    handler = lib.Recorder()
    result = run(
        lib.FakeListLLM(responses=["x"]), "hi", {"callbacks": [handler], "tags": ["t"], "metadata": {"m": 1}}
    )
    assert result == "x"
    assert handler.events.lines() == ["llm_start FakeListLLM R1<-None ['t']", "llm_end R1<-None ['t']"]
    start, end = handler.events
    assert start.args[1] == ["hi"]
    assert sorted(start.kwargs) == [
        "batch_size",
        "invocation_params",
        "metadata",
        "name",
        "options",
        "parent_run_id",
        "run_id",
        "tags",
    ]
    assert start.kwargs["invocation_params"] == {"responses": ["x"], "_type": "fake-list", "stop": None}
    assert {key: start.metadata.get(key) for key in ("m", "ls_provider", "ls_model_type")} == {
        "m": 1,
        "ls_provider": "fakelist",
        "ls_model_type": "llm",
    }
    response = end.args[0]
    assert [[type(g) for g in inner] for inner in response.generations] == [[lib.Generation]]
    assert response.generations[0][0].text == "x"


def test_tags_and_metadata_are_copies_per_handler(lib: Any, run: Any) -> None:
    """A handler that mutates the tags list or metadata dict it receives: in runwire nobody else
    sees the change. langchain-core hands every handler the run's own objects, so the next
    handler and the run's end event see the injected values (§3.12, §6.1 #42)."""

    class Mutator(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        run_inline = True

        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            kwargs["tags"].append("INJECTED")
            kwargs["metadata"]["injected"] = True

    seer = lib.Recorder(run_inline=True)
    chain = lib.RunnableLambda(add_one) | lib.RunnableLambda(double)
    run(chain, 1, {"callbacks": [Mutator(), seer], "tags": ["t"], "metadata": {"m": 1}})
    if lib.name == "langchain_core":
        assert seer.events.lines() == [
            "chain_start RunnableSequence R1<-None ['t', 'INJECTED']",
            "chain_start add_one R2<-R1 ['seq:step:1', 't', 'INJECTED']",
            "chain_end R2<-R1 ['seq:step:1', 't', 'INJECTED']",
            "chain_start double R3<-R1 ['seq:step:2', 't', 'INJECTED']",
            "chain_end R3<-R1 ['seq:step:2', 't', 'INJECTED']",
            "chain_end R1<-None ['t', 'INJECTED']",
        ]
        assert seer.events[0].metadata == {"m": 1, "injected": True}
    else:
        assert seer.events.lines() == [
            "chain_start RunnableSequence R1<-None ['t']",
            "chain_start add_one R2<-R1 ['seq:step:1', 't']",
            "chain_end R2<-R1 ['seq:step:1', 't']",
            "chain_start double R3<-R1 ['seq:step:2', 't']",
            "chain_end R3<-R1 ['seq:step:2', 't']",
            "chain_end R1<-None ['t']",
        ]
        assert [event.metadata for event in seer.events.starts()] == [{"m": 1}] * 3


def _ignoring(lib: Any, flag: str) -> Any:
    """A Recorder subclass with `flag = True` as a class attribute (langchain-core's flags are
    read-only properties, so overriding in the class is how users set them)."""
    return type(f"Ignoring_{flag}", (lib.Recorder,), {flag: True})()


def test_ignore_chain_silences_chain_events(lib: Any, run: Any) -> None:
    """`ignore_chain = True`: no chain start, end or error; model events still arrive (§3.10)."""
    handler = _ignoring(lib, "ignore_chain")
    run(lib.seed_chain(), {"number": "2"}, {"callbacks": [handler]})
    assert handler.events.kinds() == ["chat_model_start", "llm_end"]


def test_ignore_llm_silences_llm_events_but_not_the_chat_start(lib: Any, run: Any) -> None:
    """`ignore_llm = True` silences the `on_llm_*` events (here `on_llm_end`); the chat start is
    governed by `ignore_chat_model` alone, so it still arrives (§1.1: each method has one flag)."""
    handler = _ignoring(lib, "ignore_llm")
    run(lib.seed_chain(), {"number": "2"}, {"callbacks": [handler]})
    assert handler.events.kinds() == [
        "chain_start",
        "chain_start",
        "chain_end",
        "chat_model_start",
        "chain_end",
    ]


def test_ignore_llm_silences_the_llm_start_fallback(lib: Any, run: Any) -> None:
    """A handler with only `on_llm_start` and `ignore_llm = True` hears nothing from a chat model:
    the fallback is checked against `ignore_llm` (§1.3)."""
    heard: list[Any] = []

    class OnlyLLM(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        ignore_llm = True

        def on_llm_start(self, serialized: Any, prompts: list[str], **kwargs: Any) -> None:
            heard.append(prompts)

    run(lib.FakeListChatModel(responses=["ok"]), "hi", {"callbacks": [OnlyLLM()]})
    assert heard == []


def test_ignore_chat_model_silences_only_the_chat_start(lib: Any, run: Any) -> None:
    """`ignore_chat_model = True` skips `on_chat_model_start` only (no fallback to `on_llm_start`);
    the model's `on_llm_end` still arrives (§1.1)."""
    handler = _ignoring(lib, "ignore_chat_model")
    run(lib.seed_chain(), {"number": "2"}, {"callbacks": [handler]})
    assert handler.events.kinds() == ["chain_start", "chain_start", "chain_end", "llm_end", "chain_end"]


def test_chain_starts_carry_run_type_as_langchain_core_sends_it(lib: Any) -> None:
    """Lambdas, assigns, passthroughs, generators and `map()` start with `run_type=None`;
    sequences and parallels (under invoke) start without the keyword (issue 19 item 10)."""

    def numbers(chunks: Any) -> Any:
        yield from chunks

    double = lib.RunnableLambda(lambda x: x * 2)
    cases = [
        (double, 1),
        (lib.RunnablePassthrough.assign(y=lambda d: d["x"]), {"x": 1}),
        (lib.RunnablePassthrough(), 1),
        (lib.RunnableGenerator(numbers), 1),
        (double.map(), [1]),
        (double | double, 1),
        (lib.RunnableParallel(a=double), 1),
    ]
    seen = []
    for runnable, value in cases:
        handler = lib.Recorder()
        runnable.invoke(value, {"callbacks": [handler]})
        list(runnable.stream(value, {"callbacks": [handler]}))
        seen.append([(e.label, e.kwargs.get("run_type", "absent")) for e in handler.events.starts()][:2])
    assert [pairs[0] for pairs in seen] == [
        ("RunnableLambda", None),
        ("RunnableAssign<y>", None),
        ("RunnablePassthrough", None),
        ("numbers", None),
        ("RunnableEach<RunnableLambda>", None),
        ("RunnableSequence", "absent"),
        ("RunnableParallel<a>", "absent"),
    ]
    assert seen[1][1] == ("RunnableParallel<y>", "absent")  # the assign's inner parallel
