"""Streaming: chunks flow through every step, tokens are heard before the consumer sees them,
and a stream that stops early still closes every run exactly once, children first."""

from __future__ import annotations

import asyncio
import gc
import itertools
from typing import Any

import pytest

from runwire.callbacks import BaseCallbackHandler
from runwire.language_models import GenericFakeChatModel
from runwire.output_parsers import JsonOutputParser, StrOutputParser
from runwire.prompts import ChatPromptTemplate
from runwire.runnables import RunnableGenerator, RunnableLambda, RunnableParallel

from .recorder import Recorder


def _chain(reply: str = "The answer is 3.") -> Any:
    prompt = ChatPromptTemplate.from_template("What is 1 + {number}?")
    return prompt | GenericFakeChatModel(messages=itertools.repeat(reply)) | StrOutputParser()


def _astream(runnable: Any, value: Any, config: Any = None) -> list[Any]:
    async def collect() -> list[Any]:
        return [chunk async for chunk in runnable.astream(value, config)]

    return asyncio.run(collect())


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_tokens_flow_through_the_parser_chunk_by_chunk(mode: str) -> None:
    """prompt | model | parser streams the reply word by word (spaces are their own chunks)."""
    chain = _chain()
    chunks = list(chain.stream({"number": "2"})) if mode == "stream" else _astream(chain, {"number": "2"})
    assert chunks == ["The", " ", "answer", " ", "is", " ", "3."]


def test_each_token_is_heard_before_the_consumer_gets_it() -> None:
    """`on_llm_new_token` for a chunk fires before that chunk leaves `stream()`."""
    order: list[str] = []

    class Tokens(BaseCallbackHandler):
        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            order.append(f"event:{token}")

    for chunk in _chain("a b").stream({"number": "2"}, {"callbacks": [Tokens()]}):
        order.append(f"got:{chunk}")  # noqa: PERF401 - the handler appends between iterations
    assert order == ["event:a", "got:a", "event: ", "got: ", "event:b", "got:b"]


def test_streamed_runs_carry_real_inputs_and_aggregated_outputs() -> None:
    """The root's start has the real input; a step fed by chunks starts with langchain's
    placeholder and ends with `inputs=` (its input added up); ends carry the whole output."""
    recorder = Recorder()
    list(_chain("a b").stream({"number": "2"}, {"callbacks": [recorder]}))
    by_event = [(kw["event"], kw.get("name")) for kw in recorder.kwargs if kw["event"] != "on_llm_new_token"]
    assert by_event == [
        ("on_chain_start", "RunnableSequence"),
        ("on_chain_start", "ChatPromptTemplate"),
        ("on_chain_end", None),
        ("on_chat_model_start", "GenericFakeChatModel"),
        ("on_chain_start", "StrOutputParser"),
        ("on_llm_end", None),
        ("on_chain_end", None),
        ("on_chain_end", None),
    ]
    starts = {kw["name"]: kw["args"][1] for kw in recorder.kwargs if kw["event"] == "on_chain_start"}
    assert starts["RunnableSequence"] == {"number": "2"}
    assert starts["StrOutputParser"] == {"input": ""}
    ends = [kw for kw in recorder.kwargs if kw["event"] == "on_chain_end"]
    parser_end, root_end = ends[1], ends[2]
    assert parser_end["args"][0] == "a b"
    assert parser_end["inputs"].content == "a b"
    assert root_end["args"][0] == "a b"
    assert "inputs" not in root_end
    recorder.check_pairing()


@pytest.mark.parametrize("mode", ["break", "close", "gc"])
def test_abandoned_stream_ends_every_run_once_children_first(mode: str) -> None:
    """A consumer that stops early (break, close(), garbage collection) still gets one terminal
    event per started run, the innermost first, each carrying GeneratorExit."""
    recorder = Recorder()
    stream = _chain("one two three four").stream({"number": "2"}, {"callbacks": [recorder]})
    next(stream)
    if mode == "close":
        stream.close()
    elif mode == "break":
        for _ in stream:
            break
        stream.close()
    del stream
    gc.collect()
    recorder.check_pairing()
    terminals = [(e[0], e[3] or "") for e in recorder.events if e[0].endswith(("_error", "_end"))]
    assert [t[0] for t in terminals[-3:]] == ["on_llm_error", "on_chain_error", "on_chain_error"]
    errors = [kw["args"][0] for kw in recorder.kwargs if kw["event"].endswith("_error")]
    assert all(isinstance(e, GeneratorExit) for e in errors)


def test_cancelled_astream_ends_every_started_run_with_cancelled_error() -> None:
    """Cancelling the task consuming `astream` gives each started run one error event with
    CancelledError, children before parents."""
    recorder = Recorder()
    started = asyncio.Event()

    async def slow(chunks: Any) -> Any:
        async for chunk in chunks:
            yield chunk
            started.set()
            await asyncio.sleep(10)

    chain = _chain("a b c") | RunnableGenerator(slow)

    async def main() -> None:
        async def consume() -> None:
            async for _ in chain.astream({"number": "2"}, {"callbacks": [recorder]}):
                pass

        task = asyncio.ensure_future(consume())
        await asyncio.wait_for(started.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    recorder.check_pairing()
    errors = [
        (e[0], kw["args"][0])
        for e, kw in zip(recorder.events, recorder.kwargs, strict=True)
        if e[0].endswith("_error")
    ]
    assert errors
    assert all(isinstance(exc, asyncio.CancelledError) for _, exc in errors)
    assert errors[-1][0] == "on_chain_error"  # the root is last


def test_json_parser_streams_growing_partial_objects() -> None:
    """JsonOutputParser yields each new partial object as the JSON text grows."""
    model = GenericFakeChatModel(messages=itertools.repeat('{"a": 1, "b": ["x y", 2]}'))
    assert list((model | JsonOutputParser()).stream("hi")) == [
        {},
        {"a": 1},
        {"a": 1, "b": ["x"]},
        {"a": 1, "b": ["x y"]},
        {"a": 1, "b": ["x y", 2]},
    ]


def test_invoke_streams_only_for_handlers_that_want_tokens() -> None:
    """A handler defining `on_llm_new_token` hears tokens from `stream()`; from `invoke()` only
    when it sets `wants_tokens = True` (the documented rule: providers are not switched to
    streaming behind the caller's back)."""

    class Counter(BaseCallbackHandler):
        def __init__(self) -> None:
            self.tokens = 0

        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            self.tokens += 1

    class Wanting(Counter):
        wants_tokens = True

    plain, wanting = Counter(), Wanting()
    assert _chain("a b").invoke({"number": "2"}, {"callbacks": [plain]}) == "a b"
    assert _chain("a b").invoke({"number": "2"}, {"callbacks": [wanting]}) == "a b"
    assert (plain.tokens, wanting.tokens) == (0, 3)


def test_lambda_returning_a_runnable_streams_it() -> None:
    """A function that returns a runnable has that runnable streamed, as a child of the lambda."""
    model = GenericFakeChatModel(messages=itertools.repeat("x y"))
    recorder = Recorder()
    chunks = list(RunnableLambda(lambda _: model).stream("hi", {"callbacks": [recorder]}))
    assert [chunk.content for chunk in chunks] == ["x", " ", "y"]
    assert recorder.names == ["RunnableLambda", "GenericFakeChatModel"]
    assert recorder.trace()[1] == "on_chat_model_start GenericFakeChatModel R2<-R1 []"


async def test_parallel_astream_yields_keyed_chunks_as_branches_produce_them() -> None:
    """Branches of a parallel step stream concurrently under astream, each chunk keyed."""
    model = GenericFakeChatModel(messages=itertools.repeat("a b"))
    parallel = RunnableParallel(m=model | StrOutputParser(), n=RunnableLambda(lambda _: 1))
    chunks = [chunk async for chunk in parallel.astream("hi")]
    assert {"n": 1} in chunks
    assert "".join(c["m"] for c in chunks if "m" in c) == "a b"
