"""Runnables behave as langchain-core's where both have the API (issue 21, items 1-10).

Each case runs the same program on both libraries and asserts the same outcome: bound keyword
arguments reaching a lambda, the recursion limit for lambdas that return runnables, how often
`with_retry` calls (batches retry only the failed inputs), routers under async calls, the config
given to `RunnablePassthrough(func)`, assign and fallbacks while streaming, sequence batches with
`return_exceptions`, `transform` over a chain, and the reprs people print.
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


def add(x: int, n: int = 0) -> int:
    return x + n


# -- 1. bound kwargs ----------------------------------------------------------------------------


def test_bound_kwargs_reach_the_lambda(lib: Any) -> None:
    """`RunnableLambda(f).bind(n=1)` calls `f(x, n=1)` under invoke, ainvoke, stream and batch."""
    bound = lib.RunnableLambda(add).bind(n=1)
    assert bound.invoke(3) == 4
    assert asyncio.run(bound.ainvoke(3)) == 4
    assert list(bound.stream(3)) == [4]
    assert _collect(bound.astream(3)) == [4]
    assert bound.batch([1, 2]) == [2, 3]


def test_bound_kwargs_and_config_together(lib: Any) -> None:
    """A function taking `config` gets it alongside the bound kwargs."""
    seen: list[Any] = []

    def f(x: int, config: Any, n: int = 0) -> int:
        seen.append(config["tags"])
        return x + n

    assert lib.RunnableLambda(f).bind(n=2).invoke(1, {"tags": ["t"]}) == 3
    assert seen == [["t"]]


# -- 2. recursion limit ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream"])
@pytest.mark.parametrize("limit", [None, 3])
def test_lambdas_returning_runnables_stop_at_the_recursion_limit(lib: Any, mode: str, limit: Any) -> None:
    """Each returned runnable is one level deeper; past `recursion_limit` (default 25) the call
    raises RecursionError naming the lambda and its input."""
    calls: list[int] = []

    def deeper(x: int) -> Any:
        calls.append(x)
        return lib.RunnableLambda(deeper)

    runnable = lib.RunnableLambda(deeper)
    config = {"recursion_limit": limit} if limit is not None else None
    call = {
        "invoke": lambda: runnable.invoke(1, config),
        "ainvoke": lambda: asyncio.run(runnable.ainvoke(1, config)),
        "stream": lambda: list(runnable.stream(1, config)),
    }[mode]
    with pytest.raises(
        RecursionError, match=r"Recursion limit reached when invoking RunnableLambda\(deeper\)"
    ):
        call()
    assert len(calls) == (limit if limit is not None else 25) + 1


def test_a_router_within_the_limit_returns_the_routed_output(lib: Any) -> None:
    """Three levels of routing fit in a limit of 3."""

    def router(depth: int) -> Any:
        return lambda x: x * 10 if depth == 0 else lib.RunnableLambda(router(depth - 1))

    assert lib.RunnableLambda(router(3)).invoke(4, {"recursion_limit": 3}) == 40
    with pytest.raises(RecursionError):
        lib.RunnableLambda(router(3)).invoke(4, {"recursion_limit": 2})


# -- 3. with_retry ----------------------------------------------------------------------------------


def _odd_fails_twice() -> tuple[Any, list[int]]:
    calls: list[int] = []

    def flaky(x: int) -> int:
        calls.append(x)
        if x % 2 and calls.count(x) < 3:
            raise ValueError(x)
        return x * 10

    return flaky, calls


@pytest.mark.parametrize("is_async", [False, True])
def test_retry_batch_retries_only_the_failed_inputs(lib: Any, is_async: bool) -> None:
    """Inputs that succeeded are not called again; failing ones are, up to the attempt limit."""
    flaky, calls = _odd_fails_twice()
    retry = lib.RunnableLambda(flaky).with_retry(stop_after_attempt=3, wait_exponential_jitter=False)
    inputs = [1, 2, 3, 4]
    out = asyncio.run(retry.abatch(inputs)) if is_async else retry.batch(inputs)
    assert out == [10, 20, 30, 40]
    assert sorted(calls) == [1, 1, 1, 2, 3, 3, 3, 4]


def test_retry_batch_out_of_attempts_returns_each_inputs_error(lib: Any) -> None:
    flaky, calls = _odd_fails_twice()
    retry = lib.RunnableLambda(flaky).with_retry(stop_after_attempt=2, wait_exponential_jitter=False)
    out = retry.batch([1, 2, 3], return_exceptions=True)
    assert [repr(o) for o in out] == ["ValueError(1)", "20", "ValueError(3)"]
    assert sorted(calls) == [1, 1, 2, 3, 3]
    calls.clear()
    with pytest.raises(ValueError, match="1"):
        retry.batch([1, 2, 3])


def test_retry_batch_with_a_non_retryable_error_fails_every_input(lib: Any) -> None:
    """langchain-core: the first failure of an attempt decides; when it is not retryable, it is
    the outcome of the whole batch (each input gets that error)."""
    flaky, calls = _odd_fails_twice()
    retry = lib.RunnableLambda(flaky).with_retry(
        retry_if_exception_type=(TypeError,), wait_exponential_jitter=False
    )
    out = retry.batch([1, 2, 3], return_exceptions=True)
    assert [repr(o) for o in out] == ["ValueError(1)"] * 3
    assert sorted(calls) == [1, 2, 3]


@pytest.mark.parametrize(
    ("predicate", "expected_calls"),
    [(lambda _: True, 3), (lambda _: False, 1), (lambda exc: "1" in str(exc), 3)],
)
def test_retry_if_exception_type_may_be_a_predicate(lib: Any, predicate: Any, expected_calls: int) -> None:
    """A callable `retry_if_exception_type` is called with the error: true means retry."""
    calls: list[int] = []

    def always(x: int) -> int:
        calls.append(x)
        raise ValueError(x)

    retry = lib.RunnableLambda(always).with_retry(
        retry_if_exception_type=predicate, wait_exponential_jitter=False
    )
    with pytest.raises(ValueError, match="1"):
        retry.invoke(1)
    assert len(calls) == expected_calls


# -- 4. routers under ainvoke / abatch --------------------------------------------------------------


def test_router_lambda_under_ainvoke_and_abatch(lib: Any) -> None:
    """A lambda that returns a runnable: the returned runnable's async path is used, once."""
    calls: list[tuple[str, str]] = []

    async def shout(x: str) -> str:
        calls.append(("shout", x))
        return x.upper() + "!"

    upper = lib.RunnableLambda(lambda x: calls.append(("upper", x)) or x.upper())
    loud = lib.RunnableLambda(lambda x: calls.append(("loud-sync", x)) or x.upper(), afunc=shout)

    def route(x: str) -> Any:
        calls.append(("route", x))
        return upper if x.startswith("a") else loud

    router = lib.RunnableLambda(route)
    assert asyncio.run(router.ainvoke("abc")) == "ABC"
    assert asyncio.run(router.abatch(["abc", "xyz"])) == ["ABC", "XYZ!"]
    assert sorted(calls) == [
        ("route", "abc"),
        ("route", "abc"),
        ("route", "xyz"),
        ("shout", "xyz"),
        ("upper", "abc"),
        ("upper", "abc"),
    ]


# -- 5. RunnablePassthrough(func) -------------------------------------------------------------------


def test_passthrough_func_gets_the_config_when_it_takes_one(lib: Any) -> None:
    seen: list[Any] = []

    def tap(x: Any, config: Any) -> None:
        seen.append((x, sorted(config), config["tags"]))

    async def atap(x: Any, config: Any) -> None:
        seen.append(("async", x, config["tags"]))

    assert lib.RunnablePassthrough(tap).invoke(1, {"tags": ["t"]}) == 1
    assert asyncio.run(lib.RunnablePassthrough(tap, afunc=atap).ainvoke(2, {"tags": ["t"]})) == 2
    assert asyncio.run(lib.RunnablePassthrough(atap).ainvoke(3, {"tags": ["t"]})) == 3  # async func
    assert list(lib.RunnablePassthrough(tap).stream(4, {"tags": ["t"]})) == [4]
    keys = ["callbacks", "configurable", "metadata", "recursion_limit", "tags"]
    assert seen == [(1, keys, ["t"]), ("async", 2, ["t"]), ("async", 3, ["t"]), (4, keys, ["t"])]


# -- 6. assign while streaming ----------------------------------------------------------------------


def test_assign_streams_input_keys_then_mapper_chunks(lib: Any) -> None:
    assign = lib.RunnablePassthrough.assign(a=lambda _: 1)
    chunks = list(assign.stream({"b": 2, "a": 0}))
    assert chunks == [{"b": 2}, {"a": 1}]
    assert all(isinstance(chunk, lib.AddableDict) for chunk in chunks)
    assert chunks[0] + chunks[1] == {"b": 2, "a": 1}


def test_assign_whose_mapper_yields_nothing_streams_no_none_chunk(lib: Any) -> None:
    def nothing(chunks: Iterator[Any]) -> Iterator[Any]:
        yield from ()

    assign = lib.RunnablePassthrough.assign(x=lib.RunnableGenerator(nothing))
    assert list(assign.stream({"a": 1})) == [{"a": 1}]
    assert assign.invoke({"a": 1}) == {"a": 1, "x": None}


def test_assign_rejects_a_non_dict_input_with_value_error(lib: Any) -> None:
    assign = lib.RunnablePassthrough.assign(y=lambda _: 1)
    with pytest.raises(ValueError, match=r"The input to RunnablePassthrough.assign\(\) must be a dict"):
        assign.invoke(1)
    with pytest.raises(ValueError, match=r"The input to RunnablePassthrough.assign\(\) must be a dict"):
        list(assign.stream("x"))


# -- 7. sequence batch with return_exceptions -------------------------------------------------------


def test_sequence_batch_returns_each_inputs_error(lib: Any) -> None:
    def bad(x: int) -> int:
        if x == 2:
            raise ValueError("two")
        return x

    seq = lib.RunnableLambda(lambda x: x) | lib.RunnableLambda(bad) | lib.RunnableLambda(lambda x: x * 10)
    for out in (
        seq.batch([1, 2, 3], return_exceptions=True),
        asyncio.run(seq.abatch([1, 2, 3], return_exceptions=True)),
    ):
        assert [repr(o) for o in out] == ["10", "ValueError('two')", "30"]


# -- 8. transform over a chain -----------------------------------------------------------------------


def test_chain_transform_yields_every_chunk_and_closes_quietly(lib: Any) -> None:
    def upper(chunks: Iterator[str]) -> Iterator[str]:
        for chunk in chunks:
            yield chunk.upper()

    chain = lib.StrOutputParser() | lib.RunnableGenerator(upper) | lib.RunnablePassthrough()
    assert list(chain.transform(iter(["ab", "cd"]))) == ["AB", "CD"]
    recorder = lib.Recorder()
    stream = chain.transform(iter(["ab", "cd"]), {"callbacks": [recorder]})
    assert next(stream) == "AB"
    stream.close()  # early close: no error, and every started run got its terminal event
    starts = recorder.events.starts()
    assert len(starts) == len([e for e in recorder.events if e.is_terminal]) == 4


# -- 9. repr ---------------------------------------------------------------------------------------


def test_reprs_match_langchain_core(lib: Any) -> None:
    step = lib.RunnableLambda(add)
    nested = lib.RunnableParallel(x=step | {"q": step | lib.RunnableLambda(lambda x: x * 2)})
    assert repr(nested) == (
        "{\n  x: RunnableLambda(add)\n     | {\n         q: RunnableLambda(add)\n"
        "            | RunnableLambda(lambda x: x * 2)\n       }\n}"
    )
    assert repr(step.bind(n=1)) == (
        "RunnableBinding(bound=RunnableLambda(add), kwargs={'n': 1}, config={}, config_factories=[])"
    )
    assert repr(step.assign(b=step)) == (
        "RunnableLambda(add)\n| RunnableAssign(mapper={\n    b: RunnableLambda(add)\n  })"
    )
    assert repr(step.with_retry(stop_after_attempt=2)) == (
        "RunnableRetry(bound=RunnableLambda(add), kwargs={}, config={}, config_factories=[], "
        "max_attempt_number=2)"
    )
    assert repr(step.with_fallbacks([step])) == (
        "RunnableWithFallbacks(runnable=RunnableLambda(add), fallbacks=[RunnableLambda(add)])"
    )
    assert repr(step.pick(["a", "b"])) == "RunnableLambda(add)\n| RunnablePick(keys=['a', 'b'])"
    two = lib.RunnableLambda(lambda x: x) | lib.RunnableLambda(lambda y: y)  # two lambdas, one line
    assert repr(two) == "RunnableLambda(...)\n| RunnableLambda(...)"


# -- 10. fallbacks -----------------------------------------------------------------------------------


def _gen(*chunks: str, fail_after: int | None = None) -> Any:
    def gen(inputs: Iterator[Any]) -> Iterator[str]:
        for i, chunk in enumerate(chunks):
            if i == fail_after:
                raise ValueError(f"failed after {i}")
            yield chunk
        if fail_after == len(chunks):
            raise ValueError(f"failed after {len(chunks)}")

    return gen


def test_streaming_falls_back_before_the_first_chunk_only(lib: Any) -> None:
    fallback = lib.RunnableGenerator(_gen("x", "y"))
    early = lib.RunnableGenerator(_gen("a", fail_after=0)).with_fallbacks([fallback])
    assert list(early.stream("q")) == ["x", "y"]
    late = lib.RunnableGenerator(_gen("a", fail_after=1)).with_fallbacks([fallback])
    got: list[str] = []
    with pytest.raises(ValueError, match="failed after 1"):
        got.extend(late.stream("q"))
    assert got == ["a"]


def test_fallbacks_attributes_fall_through_to_the_primary(lib: Any) -> None:
    primary = lib.FakeListChatModel(responses=["hi"])
    with_fallbacks = primary.with_fallbacks([lib.FakeListChatModel(responses=["yo"])])
    assert with_fallbacks.responses == ["hi"]
    with pytest.raises(AttributeError):
        _ = with_fallbacks.no_such_attribute


# -- the sweep: error types and texts for misuse ------------------------------------------------------


async def _async_identity(x: Any) -> Any:
    return x


async def _async_gen(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for chunk in chunks:
        yield chunk


@pytest.mark.parametrize(
    ("make", "error", "text"),
    [
        (
            lambda lib: lib.RunnableLambda(_async_identity).invoke(1),
            TypeError,
            "Cannot invoke a coroutine function synchronously.Use `ainvoke` instead.",
        ),
        (
            lambda lib: list(lib.RunnableLambda(_async_identity).stream(1)),
            TypeError,
            "Cannot stream a coroutine function synchronously.Use `astream` instead.",
        ),
        (
            lambda lib: lib.RunnableGenerator(_async_gen).invoke(1),
            NotImplementedError,
            "RunnableGenerator(_async_gen) only supports async methods.",
        ),
        (
            lambda lib: lib.RunnableSequence(lib.RunnableLambda(add)),
            ValueError,
            "RunnableSequence must have at least 2 steps, got 1",
        ),
        (lambda lib: lib.RunnableBranch(add), ValueError, "RunnableBranch requires at least two branches"),
        (
            lambda lib: lib.RunnableBranch((add,), add),
            ValueError,
            "RunnableBranch branches must be tuples or lists of length 2, not 1",
        ),
        (
            lambda lib: lib.RunnableBranch(3, add),
            TypeError,
            "RunnableBranch branches must be tuples or lists, not <class 'int'>",
        ),
        (
            lambda lib: lib.RunnableLambda(add) | 3,
            TypeError,
            "Expected a Runnable, callable or dict.Instead got an unsupported type: <class 'int'>",
        ),
        (
            lambda lib: lib.RunnableLambda(add).batch([1, 2], [{}, {}, {}]),
            ValueError,
            "config must be a list of the same length as inputs, but got 3 configs for 2 inputs",
        ),
        (
            lambda lib: (
                lib.RunnableLambda(add).with_fallbacks([lib.RunnableLambda(add)], exception_key="e").invoke(1)
            ),
            ValueError,
            "If 'exception_key' is specified then input must be a dictionary.",
        ),
        (lambda lib: lib.RunnablePick("a").invoke(3), ValueError, "The input to "),
    ],
)
def test_misuse_raises_langchain_cores_error(lib: Any, make: Any, error: type, text: str) -> None:
    """The same exception type, its message starting with langchain-core's text."""
    with pytest.raises(error) as caught:
        make(lib)
    assert str(caught.value).startswith(text)


def test_pick_and_parallel_edge_cases(lib: Any) -> None:
    assert lib.RunnablePick(["a", "z"]).invoke({"a": 1}) == {"a": 1}
    assert isinstance(lib.RunnablePick(["a", "z"]).invoke({"a": 1}), lib.AddableDict)
    assert lib.RunnablePick(["y", "z"]).invoke({"a": 1}) is None
    assert lib.RunnableParallel().invoke(1) == {}


def test_ensure_config_inside_a_lambda_sees_the_call_config(lib: Any) -> None:
    """With no handler anywhere, `ensure_config()` in a lambda (and in a lambda it calls without
    a config) still sees the caller's `configurable` and tags."""

    def inner(_: Any) -> Any:
        config = lib.ensure_config()
        return config["configurable"], config["tags"]

    outer = lib.RunnableLambda(lambda x: lib.RunnableLambda(inner).invoke(x))
    config = {"configurable": {"user": "u1"}, "tags": ["t"]}
    expected = ({"user": "u1"}, ["t"])
    assert outer.invoke(1, config) == expected
    assert asyncio.run(outer.ainvoke(1, config)) == expected
    assert list(outer.stream(1, config)) == [expected]
    assert outer.invoke(1) == ({}, [])  # nothing leaks into the next call


def test_fallbacks_apply_a_runnable_returning_method_to_every_fallback(lib: Any) -> None:
    """`with_fallbacks(...).method(...)`, for a method annotated to return a runnable, calls it on
    the primary and on each fallback and wraps the results in new fallbacks."""

    def speaker(label: str, fails: bool) -> Any:
        def louder(self: Any, n: int) -> Any:
            def speak(x: str) -> str:
                if fails:
                    raise ValueError(label)
                return f"{label}:{x}{'!' * n}"

            return lib.RunnableLambda(speak)

        louder.__annotations__ = {"n": int, "return": lib.RunnableLambda}
        cls = type("Speaker", (lib.RunnableLambda,), {"louder": louder})
        return cls(lambda x: x)

    chain = speaker("primary", fails=True).with_fallbacks([speaker("backup", fails=False)])
    louder = chain.louder(2)
    assert type(louder).__name__ == "RunnableWithFallbacks"
    assert louder.invoke("hi") == "backup:hi!!"
