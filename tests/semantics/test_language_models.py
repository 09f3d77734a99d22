"""Language-model features on langchain-core and on runwire: token counting, caches, rate
limiters and the fake models. One program per test; both libraries must agree."""

from __future__ import annotations

import asyncio
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def no_global_cache(lib: Any) -> Iterator[None]:
    """Each test starts and ends without a process-wide cache."""
    lib.set_llm_cache(None)
    yield
    lib.set_llm_cache(None)


def letters(text: str) -> list[int]:
    return [ord(c) for c in text if c.isalpha()]


# -- token counting -----------------------------------------------------------------------------


def test_token_counting_with_custom_token_ids(lib: Any) -> None:
    """get_num_tokens counts get_token_ids; messages are counted as their `Role: text` lines."""
    model = lib.FakeListChatModel(responses=["x"], custom_get_token_ids=letters)
    assert model.get_token_ids("a b!") == [97, 98]
    assert model.get_num_tokens("hello world") == 10
    messages = [lib.HumanMessage("hi there"), lib.AIMessage("yo")]
    assert model.get_num_tokens_from_messages(messages) == len("Humanhithere") + len("AIyo")
    with pytest.warns(UserWarning, match="Counting tokens in tool schemas is not yet supported"):
        assert model.get_num_tokens_from_messages(messages, tools=[]) == 16
    assert lib.FakeListLLM(responses=["x"], custom_get_token_ids=letters).get_num_tokens("abc") == 3


def test_default_token_ids_without_transformers_is_an_import_error_with_a_way_out(
    lib: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `transformers`, the GPT-2 default fails with langchain-core's ImportError text;
    runwire's adds the extra to install and the alternatives (its own difference)."""
    monkeypatch.setitem(sys.modules, "transformers", None)  # `import transformers` now fails
    for model in (lib.FakeListChatModel(responses=["x"]), lib.FakeListLLM(responses=["x"])):
        # langchain-core warns "Using fallback GPT-2 tokenizer" once per process, even before
        # failing; runwire only when it does use GPT-2. The error is what is compared here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(ImportError, match=r"^Could not import transformers") as caught:
                model.get_num_tokens("hello")
        if lib.name == "runwire":
            assert type(caught.value).__name__ == "MissingDependencyError"
            assert 'pip install "runwire[transformers]"' in str(caught.value)
            assert "custom_get_token_ids=" in str(caught.value)


# -- caches -------------------------------------------------------------------------------------


def test_in_memory_cache_bounds_and_clears(lib: Any) -> None:
    cache = lib.InMemoryCache(maxsize=2)
    for prompt in ("a", "b", "c"):
        cache.update(prompt, "llm", [lib.Generation(text=prompt.upper())])
    assert cache.lookup("a", "llm") is None
    assert cache.lookup("c", "llm") == [lib.Generation(text="C")]
    assert asyncio.run(cache.alookup("b", "llm")) == [lib.Generation(text="B")]
    cache.clear()
    assert cache.lookup("c", "llm") is None
    with pytest.raises(ValueError, match="maxsize must be greater than 0"):
        lib.InMemoryCache(maxsize=0)
    with pytest.raises(TypeError):
        lib.BaseCache()


def test_chat_model_cache_hit_fires_start_and_end_without_calling_the_model(lib: Any, run: Any) -> None:
    """The second identical call is answered from the cache: the model's next response is not
    used, and the handler still hears chat_model_start and llm_end (no tokens)."""
    model = lib.FakeListChatModel(responses=["first", "second"], cache=lib.InMemoryCache())
    recorder = lib.Recorder()
    one = run(model, "hi", {"callbacks": [recorder]})
    two = run(model, "hi", {"callbacks": [recorder]})
    assert (one.content, two.content) == ("first", "first")
    assert two.id == one.id
    assert two.usage_metadata == {"total_cost": 0}
    assert recorder.events.kinds() == ["chat_model_start", "llm_end"] * 2
    assert recorder.events[3].args[0].generations[0][0].text == "first"
    assert run(model, "other question").content == "second"  # a different prompt misses
    assert run(model, "hi", stop=["x"]).content == "first"  # other call settings miss too


def test_global_cache_and_opting_out(lib: Any) -> None:
    lib.set_llm_cache(lib.InMemoryCache())
    assert isinstance(lib.get_llm_cache(), lib.InMemoryCache)
    cached = lib.FakeListChatModel(responses=["a", "b"])
    assert [cached.invoke("q").content for _ in range(2)] == ["a", "a"]
    uncached = lib.FakeListChatModel(responses=["a", "b"], cache=False)
    assert [uncached.invoke("q").content for _ in range(2)] == ["a", "b"]
    lib.set_llm_cache(None)
    with pytest.raises(ValueError, match="Asked to cache"):
        lib.FakeListChatModel(responses=["a"], cache=True).invoke("q")


def test_text_model_cache_hit_fires_no_events(lib: Any, run: Any) -> None:
    """langchain-core answers a text model's cached prompt without opening a run at all."""
    model = lib.FakeListLLM(responses=["first", "second"], cache=lib.InMemoryCache())
    recorder = lib.Recorder()
    assert run(model, "hi", {"callbacks": [recorder]}) == "first"
    assert run(model, "hi", {"callbacks": [recorder]}) == "first"
    assert recorder.events.kinds() == ["llm_start", "llm_end"]


# -- rate limiters ------------------------------------------------------------------------------


def test_in_memory_rate_limiter_is_a_token_bucket(lib: Any) -> None:
    limiter = lib.InMemoryRateLimiter(requests_per_second=200, check_every_n_seconds=0.001, max_bucket_size=1)
    assert limiter.acquire(blocking=False) is False  # the bucket starts empty
    assert limiter.acquire() is True  # waits for the first token
    assert asyncio.run(limiter.aacquire()) is True


def test_chat_models_take_a_token_per_request_but_not_on_cache_hits(lib: Any, run: Any) -> None:
    class Counting(lib.BaseRateLimiter):
        def __init__(self) -> None:
            self.taken = 0

        def acquire(self, *, blocking: bool = True) -> bool:
            self.taken += 1
            return True

        async def aacquire(self, *, blocking: bool = True) -> bool:
            self.taken += 1
            return True

    limiter = Counting()
    model = lib.FakeListChatModel(responses=["a", "b"], rate_limiter=limiter, cache=lib.InMemoryCache())
    run(model, "one")
    run(model, "two")
    run(model, "one")  # a hit: no request, no token
    assert limiter.taken == 2
    assert "".join(c.content for c in model.stream("three")) == "a"
    assert limiter.taken == 3


# -- fakes --------------------------------------------------------------------------------------


def test_fake_list_llm_cycles_and_raises_past_its_responses(lib: Any) -> None:
    llm = lib.FakeListLLM(responses=["a", "b"])
    assert [llm.invoke("q") for _ in range(3)] == ["a", "b", "a"]
    llm.i = 5
    with pytest.raises(IndexError):
        llm.invoke("q")
    chat = lib.FakeListChatModel(responses=["a"], i=3)
    with pytest.raises(IndexError):
        chat.invoke("q")


def test_fake_streaming_list_llm(lib: Any) -> None:
    llm = lib.FakeStreamingListLLM(responses=["abc", "de"])
    recorder = lib.Recorder()
    assert list(llm.stream("q", {"callbacks": [recorder]})) == ["a", "b", "c"]
    assert recorder.events.kinds() == ["llm_start", "llm_end"]

    async def collect() -> list[str]:
        return [c async for c in llm.astream("q")]

    assert asyncio.run(collect()) == ["d", "e"]
    failing = lib.FakeStreamingListLLM(responses=["abc"], error_on_chunk_number=1)
    stream = failing.stream("q")
    assert next(stream) == "a"
    with pytest.raises(lib.FakeListLLMError):
        next(stream)


def test_parrot_fake_chat_model_repeats_the_last_message(lib: Any) -> None:
    parrot = lib.ParrotFakeChatModel()
    said = lib.HumanMessage("polly wants a cracker", id="h1")
    reply = parrot.invoke([lib.SystemMessage("be a parrot"), said])
    assert reply == said
    with pytest.raises(ValueError, match="messages list cannot be empty"):
        parrot.invoke([])


def test_fake_messages_list_chat_model_sleeps_and_cycles(lib: Any, run: Any) -> None:
    replies = [lib.AIMessage("one"), lib.AIMessage("two", tool_calls=[{"name": "t", "args": {}, "id": "c"}])]
    model = lib.FakeMessagesListChatModel(responses=replies, sleep=0.001)
    got = [run(model, "q") for _ in range(3)]
    assert [m.content for m in got] == ["one", "two", "one"]
    assert got[1].tool_calls[0]["name"] == "t"


def test_generic_fake_chat_model_streams_like_langchain_core(lib: Any) -> None:
    """Words and the whitespace between them (empty strings between repeated spaces), the last
    content chunk marked "last"; additional_kwargs key by key after it, then an empty last
    chunk; every chunk carries the run's message id."""
    model = lib.GenericFakeChatModel(
        messages=iter(
            [
                "hello  world",
                lib.AIMessage("hi", additional_kwargs={"function_call": {"name": "f", "arguments": "a,b"}}),
            ]
        )
    )
    first = list(model.stream("q"))
    assert [(c.content, c.chunk_position) for c in first] == [
        ("hello", None),
        (" ", None),
        ("", None),
        (" ", None),
        ("world", "last"),
    ]
    assert len({c.id for c in first}) == 1
    assert first[0].id is not None
    second = list(model.stream("q"))
    assert [(c.content, c.additional_kwargs, c.chunk_position) for c in second] == [
        ("hi", {}, None),
        ("", {"function_call": {"name": "f"}}, None),
        ("", {"function_call": {"arguments": "a"}}, None),
        ("", {"function_call": {"arguments": ","}}, None),
        ("", {"function_call": {"arguments": "b"}}, None),
        ("", {}, "last"),
    ]


def test_text_fakes_cannot_bind_tools(lib: Any) -> None:
    """Fakes that reply with plain text raise NotImplementedError instead of pretending."""
    for model in (lib.FakeListChatModel(responses=["x"]), lib.ParrotFakeChatModel()):
        with pytest.raises(NotImplementedError):
            model.bind_tools([])
        with pytest.raises(NotImplementedError):
            model.with_structured_output({"title": "T", "type": "object", "properties": {}})
    with pytest.raises(NotImplementedError):
        lib.FakeListLLM(responses=["x"]).with_structured_output({"title": "T"})


def test_a_streaming_model_streams_on_a_miss_and_not_on_a_hit(runwire: Any) -> None:
    """With streaming=True, the first call's tokens reach the handler; the cached second call
    fires start and end only. (runwire only: langchain-core's fakes have no `streaming` field.)"""
    lib = runwire
    model = lib.GenericFakeChatModel(messages=iter(["a b", "c d"]), streaming=True, cache=lib.InMemoryCache())
    first, second = lib.Recorder(), lib.Recorder()
    assert model.invoke("q", {"callbacks": [first]}).content == "a b"
    assert model.invoke("q", {"callbacks": [second]}).content == "a b"
    assert first.events.kinds() == ["chat_model_start", *["llm_new_token"] * 3, "llm_end"]
    assert second.events.kinds() == ["chat_model_start", "llm_end"]
