"""Differences left after issues 15 and 21, closed: the same program on both libraries.

Lambda and generator equality, `ensure_config()` inside a generator nobody listens to, tools'
model-facing schemas (`**kwargs`, a `BaseTool` subclass's `_run` docstring, a runnable turned into
a tool), tool calls without an id, the chat prompt's missing-variable message, the serializable
surface on runnables and messages, and the starts `stream()` reports for retries and sequences.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest


def _collect(stream: AsyncIterator[Any]) -> list[Any]:
    async def go() -> list[Any]:
        return [chunk async for chunk in stream]

    return asyncio.run(go())


def double(x: int) -> int:
    return 2 * x


# -- 1. equality --------------------------------------------------------------------------------


def test_lambdas_are_equal_when_they_wrap_the_same_function(lib: Any) -> None:
    """Two `RunnableLambda`s of one function are equal, of different functions are not, and a
    lambda is unhashable (it defines `__eq__`), as in langchain-core."""
    assert lib.RunnableLambda(double) == lib.RunnableLambda(double)
    assert lib.RunnableLambda(double) != lib.RunnableLambda(lambda x: 2 * x)
    assert lib.RunnableLambda(double) != double
    with pytest.raises(TypeError, match="unhashable"):
        hash(lib.RunnableLambda(double))


def test_generators_are_equal_when_they_wrap_the_same_function(lib: Any) -> None:
    def gen(chunks: Iterator[int]) -> Iterator[int]:
        yield from chunks

    def other(chunks: Iterator[int]) -> Iterator[int]:
        yield from chunks

    assert lib.RunnableGenerator(gen) == lib.RunnableGenerator(gen)
    assert lib.RunnableGenerator(gen) != lib.RunnableGenerator(other)
    with pytest.raises(TypeError, match="unhashable"):
        hash(lib.RunnableGenerator(gen))


# -- 7. ensure_config() inside a generator ----------------------------------------------------


def test_ensure_config_inside_a_generator_sees_the_call_config(lib: Any) -> None:
    """With no handler, a sync generator's `ensure_config()` reads the call's tags and metadata
    under invoke and stream; an async one under ainvoke and astream."""

    def seen(_: Any) -> tuple[Any, Any]:
        config = lib.ensure_config()
        return config.get("tags"), config.get("metadata", {}).get("k")

    def gen(chunks: Iterator[Any]) -> Iterator[Any]:
        for chunk in chunks:
            yield seen(chunk)

    async def agen(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for chunk in chunks:
            yield seen(chunk)

    config = {"tags": ["t"], "metadata": {"k": 1}}
    expected = (["t"], 1)
    assert lib.RunnableGenerator(gen).invoke(0, config) == expected
    assert list(lib.RunnableGenerator(gen).stream(0, config)) == [expected]
    assert asyncio.run(lib.RunnableGenerator(agen).ainvoke(0, config)) == expected
    assert _collect(lib.RunnableGenerator(agen).astream(0, config)) == [expected]


# -- 2-4. tools ---------------------------------------------------------------------------------


def test_variadic_parameters_are_optional_fields_of_the_tool_schema(lib: Any) -> None:
    """`*rest: str` and `**kw: float` show in the model-facing schema as optional fields of their
    names (an array, an object), and reach the function as keywords only when given."""

    def f(a: int, *rest: str, **kw: float) -> str:
        """Do f."""
        return f"{a} {rest} {kw}"

    tool = lib.tool(f)
    properties = tool.tool_call_schema.model_json_schema()["properties"]
    assert list(properties) == ["a", "rest", "kw"]
    rest = {"default": None, "items": {"type": "string"}, "title": "Rest", "type": "array"}
    assert properties["rest"] == rest
    assert properties["kw"]["type"] == "object"
    assert properties["kw"]["additionalProperties"] == {"type": "number"}
    assert tool.invoke({"a": 1, "kw": {"x": 1.5}}) == "1 () {'rest': None, 'kw': {'x': 1.5}}"


def test_a_kwargs_tool_shows_kwargs_to_the_model(lib: Any) -> None:
    """`def f(a, **kwargs)`: `kwargs` is in `args` and the tool schema, passed only when given."""

    def f(a: int, **kwargs: Any) -> str:
        """Do f."""
        return f"{a} {kwargs}"

    tool = lib.tool(f)
    assert list(tool.args) == ["a", "kwargs"]
    assert tool.tool_call_schema.model_json_schema()["required"] == ["a"]
    assert tool.invoke({"a": 1}) == "1 {}"
    assert tool.invoke({"a": 1, "kwargs": {"b": 2}}) == "1 {'kwargs': {'b': 2}}"


def test_a_tool_call_without_an_id_is_a_key_error(lib: Any) -> None:
    @lib.tool
    def f(a: int) -> int:
        """Do f."""
        return a

    call = {"type": "tool_call", "name": "f", "args": {"a": 1}}
    with pytest.raises(KeyError, match="id"):
        f.invoke(call)
    with pytest.raises(KeyError, match="id"):
        asyncio.run(f.ainvoke(call))


def test_a_base_tool_subclass_schema_is_described_by_its_run_docstring(lib: Any) -> None:
    """The input schema's description is `_run`'s docstring; without one, the base class's."""

    class Described(lib.BaseTool):  # type: ignore[misc, name-defined]
        name: str = "described"
        description: str = "what the model reads"

        def _run(self, x: int) -> str:
            """Run on x."""
            return str(x)

    class Bare(lib.BaseTool):  # type: ignore[misc, name-defined]
        name: str = "bare"
        description: str = "what the model reads"

        def _run(self, x: int) -> str:
            return str(x)

    assert Described().get_input_jsonschema()["description"] == "Run on x."
    assert Described().tool_call_schema.model_json_schema()["description"] == "what the model reads"
    assert Bare().get_input_jsonschema()["description"].startswith("Use the tool.")


# -- 5. the missing-variable message ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ChatPromptTemplate", "PromptTemplate"])
def test_a_missing_variable_message_opens_as_langchain_cores(lib: Any, kind: str) -> None:
    """A KeyError whose message opens with langchain-core's text (what programs match on)."""
    prompt = getattr(lib, kind).from_template("Hi {name}, {x}")
    with pytest.raises(KeyError) as caught:
        prompt.invoke({"name": "Ann"})
    message = caught.value.args[0]
    assert message.startswith(
        f"Input to {kind} is missing variables {{'x'}}.  Expected: ['name', 'x'] Received: ['name']\n"
        "Note: if you intended {x} to be part of the string and not a variable, please escape it "
        "with double curly braces like: '{{x}}'."
    )


# -- 6. a runnable as a tool --------------------------------------------------------------------


def test_a_runnable_tool_takes_its_schema_and_description_from_the_runnable(lib: Any) -> None:
    """`tool("name", runnable)` needs no args_schema: the arguments are the runnable's input keys,
    the description its repr, and the tool calls it with them as one dict."""
    prompt = lib.PromptTemplate.from_template("{q} and {z}")
    as_tool = lib.tool("joiner", prompt)
    assert as_tool.args == {"q": {"title": "Q", "type": "string"}, "z": {"title": "Z", "type": "string"}}
    assert as_tool.description == repr(prompt)
    assert as_tool.invoke({"q": "x", "z": "y"}).to_string() == "x and y"
    adder = lib.tool("adder", lib.RunnableLambda(lambda d: d["a"] + d["b"]), description="adds")
    assert list(adder.args) == ["a", "b"]
    assert adder.description == "adds"
    assert adder.invoke({"a": 1, "b": 2}) == 3


def test_a_runnable_without_an_object_schema_cannot_be_a_tool(lib: Any) -> None:
    with pytest.raises(ValueError, match="Runnable must have an object schema"):
        lib.tool("echo", lib.RunnableLambda(lambda x: x))


@pytest.mark.filterwarnings("ignore:This API is in beta")  # langchain-core's as_tool
def test_convert_runnable_to_tool_is_as_tool(lib: Any) -> None:
    """`convert_runnable_to_tool` infers the schema (from `arg_types` too), as `as_tool` does."""
    runnable = lib.RunnableLambda(lambda d: d["a"] * 2)
    converted = lib.convert_runnable_to_tool(runnable, name="double", arg_types={"a": int})
    assert converted.args == {"a": {"title": "A", "type": "integer"}}
    assert converted.invoke({"a": 2}) == 4
    assert converted.args == runnable.as_tool(name="double", arg_types={"a": int}).args


# -- 8. the serializable surface ----------------------------------------------------------------


def test_messages_and_runnables_describe_their_serialization(lib: Any) -> None:
    """`is_lc_serializable`, `lc_id`, `get_lc_namespace` and `to_json()` on a message, a parser, a
    prompt and a sequence; `to_json()` is one level deep (`dumpd` writes the nested objects)."""
    message = lib.HumanMessage("hi")
    assert type(message).is_lc_serializable()
    assert type(message).lc_id() == ["langchain", "schema", "messages", "HumanMessage"]
    assert type(message).get_lc_namespace() == ["langchain", "schema", "messages"]
    assert message.to_json() == lib.dumpd(message)
    assert message.to_json()["kwargs"] == {"content": "hi", "type": "human"}
    parser = lib.StrOutputParser()
    assert parser.to_json() == {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain", "schema", "output_parser", "StrOutputParser"],
        "kwargs": {},
        "name": "StrOutputParser",
    }
    prompt = lib.ChatPromptTemplate.from_template("x {a}")
    chain = prompt | parser
    record = chain.to_json()
    assert record["id"] == ["langchain", "schema", "runnable", "RunnableSequence"]
    assert record["kwargs"]["first"] is prompt
    assert record["kwargs"]["last"] is parser
    assert lib.dumpd(chain)["kwargs"]["first"] == lib.dumpd(prompt)


def test_a_fake_model_is_not_serializable(lib: Any) -> None:
    """A class outside the table writes a `not_implemented` record naming its own module path."""
    model = lib.FakeListChatModel(responses=["a"])
    assert not type(model).is_lc_serializable()
    lc_id = type(model).lc_id()
    assert lc_id[0] == lib.name
    assert lc_id[-1] == "FakeListChatModel"
    assert type(model).get_lc_namespace() == lc_id[:-1]
    record = model.to_json()
    assert {k: record[k] for k in ("lc", "type", "id", "name")} == {
        "lc": 1,
        "type": "not_implemented",
        "id": lc_id,
        "name": "FakeListChatModel",
    }
    assert model.to_json_not_implemented()["repr"] == repr(model)


def test_a_serializable_runnable_keeps_its_own_methods() -> None:
    """A user class deriving from `Runnable` before `Serializable` still serializes by its own
    `is_lc_serializable`/`lc_id`, not by the table the built-in classes use."""
    from runwire.load import Serializable, dumpd
    from runwire.runnables import Runnable

    class Shout(Runnable[str, str], Serializable):
        word: str = "hey"

        @classmethod
        def is_lc_serializable(cls) -> bool:
            return True

        @classmethod
        def get_lc_namespace(cls) -> list[str]:
            return ["my_pkg"]

        def invoke(self, input: str, config: Any = None, **kwargs: Any) -> str:
            return input.upper()

    shout = Shout(word="ho")
    assert Shout.lc_id() == ["my_pkg", "Shout"]
    assert dumpd(shout) == {
        "lc": 1,
        "type": "constructor",
        "id": ["my_pkg", "Shout"],
        "kwargs": {"word": "ho"},
    }
    assert shout.to_json() == dumpd(shout)


# -- 9. what stream() reports -----------------------------------------------------------------


def test_a_retry_streams_its_bound_runnable_without_retrying(lib: Any) -> None:
    """`with_retry().stream()` opens no retry run (one start, the bound runnable's) and does not
    retry: langchain-core's retry streams straight through to the bound runnable."""
    calls: list[int] = []

    def flaky(x: int) -> int:
        calls.append(x)
        if len(calls) == 1:
            raise ValueError("first call fails")
        return x

    retry = lib.RunnableLambda(flaky).with_retry(stop_after_attempt=3, wait_exponential_jitter=False)
    recorder = lib.Recorder()
    with pytest.raises(ValueError, match="first call fails"):
        list(retry.stream(1, {"callbacks": [recorder]}))
    assert calls == [1]
    assert recorder.events.tree() == ["flaky [] -> chain_error"]
    recorder = lib.Recorder()
    assert list(retry.stream(2, {"callbacks": [recorder]})) == [2]
    assert _collect(retry.astream(3)) == [3]
    assert recorder.events.tree() == ["flaky [] -> chain_end"]
    assert retry.invoke(4) == 4  # invoke still retries
    assert calls == [1, 2, 3, 4]


def _run_types(recorder: Any) -> dict[str, Any]:
    """Each chain start's name -> its `run_type` keyword ("absent" when not sent)."""
    return {e.label: e.kwargs.get("run_type", "absent") for e in recorder.events.of("chain_start")}


def test_streamed_sequences_and_parallels_send_run_type_none(lib: Any) -> None:
    """Under stream/astream the chain starts of sequences and parallels carry `run_type=None`;
    under invoke they carry none. A streamed fallbacks run carries none either."""
    step = lib.RunnableLambda(double)
    chain = step | lib.RunnableParallel(a=step)
    recorder = lib.Recorder()
    chain.invoke(1, {"callbacks": [recorder]})
    assert _run_types(recorder) == {
        "RunnableSequence": "absent",
        "RunnableParallel<a>": "absent",
        "double": None,
    }
    for stream in (lambda c: list(chain.stream(1, c)), lambda c: _collect(chain.astream(1, c))):
        recorder = lib.Recorder()
        stream({"callbacks": [recorder]})
        assert _run_types(recorder) == {"RunnableSequence": None, "RunnableParallel<a>": None, "double": None}
    fallbacks = step.with_fallbacks([step])
    recorder = lib.Recorder()
    assert list(fallbacks.stream(1, {"callbacks": [recorder]})) == [2]
    assert _run_types(recorder) == {"RunnableWithFallbacks": "absent", "double": None}


# -- found by the sweep -------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["FakeListChatModel", "FakeListLLM"])
def test_a_model_given_a_bad_input_type_raises_value_error(lib: Any, model: str) -> None:
    """An int for a model is langchain-core's ValueError, with its message's opening."""
    with pytest.raises(
        ValueError, match=r"^Invalid input type <class 'int'>\. Must be a PromptValue, str, or list"
    ):
        getattr(lib, model)(responses=["a"]).invoke(3)


def test_a_non_dict_input_to_a_many_variable_prompt_is_a_type_error(lib: Any) -> None:
    prompt = lib.ChatPromptTemplate.from_messages([("human", "{a} {b}")])
    with pytest.raises(
        TypeError, match=r"^Expected mapping type as input to ChatPromptTemplate\. Received <class 'str'>\."
    ):
        prompt.invoke("hello")


def test_a_placeholder_given_a_non_list_opens_as_langchain_cores(lib: Any) -> None:
    prompt = lib.ChatPromptTemplate.from_messages([lib.MessagesPlaceholder("h")])
    with pytest.raises(
        ValueError, match=r"^variable h should be a list of base messages, got hi of type <class 'str'>"
    ):
        prompt.invoke({"h": "hi"})


def test_a_sync_stream_passes_the_token_by_keyword(lib: Any) -> None:
    """Under sync `stream`, `on_llm_new_token` gets `token=` by keyword (a handler declaring it
    keyword-only hears every token), as langchain-core's sync run manager passes it."""

    class Tokens(lib.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            self.tokens: list[str] = []

        def on_llm_new_token(self, *, token: str, **kwargs: Any) -> None:
            self.tokens.append(token)

    handler = Tokens()
    model = lib.FakeListChatModel(responses=["ab"])
    assert [chunk.content for chunk in model.stream("q", {"callbacks": [handler]})] == ["a", "b"]
    assert handler.tokens == ["a", "b"]
