"""Silence costs nothing: with no listening handler, no run id is minted, no payload is built and
the run ContextVar is never written. These are the structural facts behind the speed budget."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from runwire.callbacks import BaseCallbackHandler, context, manager
from runwire.language_models import GenericFakeChatModel
from runwire.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough


class _Spy:
    """Stands in for the run ContextVar and records every write."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.writes = 0

    def get(self) -> Any:
        return self.real.get()

    def set(self, value: Any) -> Any:
        self.writes += 1
        return self.real.set(value)

    def reset(self, token: Any) -> None:
        self.real.reset(token)


@pytest.fixture
def counters(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Count run ids minted and ContextVar writes made by the runtime."""
    counts: dict[str, Any] = {"ids": 0}
    real_new_id = manager.new_run_id

    def counting_new_id() -> Any:
        counts["ids"] += 1
        return real_new_id()

    monkeypatch.setattr(manager, "new_run_id", counting_new_id)
    spy = _Spy(context.current_run)
    monkeypatch.setattr(context, "current_run", spy)
    counts["var"] = spy
    return counts


def _pipeline() -> Any:
    inner = RunnableLambda(lambda x: x + 1)
    return (
        RunnableLambda(lambda x: inner.invoke(x))
        | {"a": RunnablePassthrough(), "b": RunnableLambda(lambda x: x * 2)}
        | RunnableLambda(lambda d: d["a"] + d["b"])
    )


def test_no_handler_mints_no_run_id_and_writes_no_context(counters: dict[str, Any]) -> None:
    """A nested pipeline invoked with no handler creates no run id and never sets the run ContextVar."""
    assert _pipeline().invoke(1) == 6
    assert counters["ids"] == 0
    assert counters["var"].writes == 0


def test_handler_that_overrides_nothing_opens_no_run(counters: dict[str, Any]) -> None:
    """A handler that subscribes to no event is never consulted: no ids, no ContextVar writes."""

    class Silent(BaseCallbackHandler):
        pass

    assert _pipeline().invoke(1, {"callbacks": [Silent(), Silent()]}) == 6
    assert counters["ids"] == 0
    assert counters["var"].writes == 0


def test_a_listening_handler_gets_one_id_per_run(counters: dict[str, Any]) -> None:
    """With a listening handler, each run (and only each run) mints one id."""
    starts: list[Any] = []

    class Listening(BaseCallbackHandler):
        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            starts.append(kwargs["run_id"])

    _pipeline().invoke(1, {"callbacks": [Listening()]})
    # sequence, outer lambda, inner lambda, parallel, 2 branches, last lambda
    assert len(starts) == 7
    assert counters["ids"] == 7
    assert len(set(starts)) == 7


def test_no_handler_chat_model_builds_no_start_payload(monkeypatch: pytest.MonkeyPatch) -> None:
    """Invocation params and ls_* metadata are computed only when a handler listens."""
    model = GenericFakeChatModel(messages=itertools.repeat("ok"))
    calls = {"params": 0, "ls": 0}
    real_params, real_ls = model._get_invocation_params, model._get_ls_params

    def params(*args: Any, **kwargs: Any) -> Any:
        calls["params"] += 1
        return real_params(*args, **kwargs)

    def ls(*args: Any, **kwargs: Any) -> Any:
        calls["ls"] += 1
        return real_ls(*args, **kwargs)

    monkeypatch.setattr(model, "_get_invocation_params", params)
    monkeypatch.setattr(model, "_get_ls_params", ls)
    assert model.invoke("hi").content == "ok"
    assert calls == {"params": 0, "ls": 0}

    class EndOnly(BaseCallbackHandler):
        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            pass

    model.invoke("hi", {"callbacks": [EndOnly()]})
    assert calls == {"params": 0, "ls": 1}, "a handler without a start method needs no start payload"

    class Starts(BaseCallbackHandler):
        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            pass

    model.invoke("hi", {"callbacks": [Starts()]})
    assert calls == {"params": 1, "ls": 2}


def test_no_handler_message_still_gets_an_id() -> None:
    """Even unobserved, a chat model's reply carries an id (users dedupe histories by it)."""
    message = GenericFakeChatModel(messages=itertools.repeat("ok")).invoke("hi")
    assert isinstance(message.id, str)
    assert message.id.startswith("run-")
    assert message.id.endswith("-0")


def test_parallel_with_no_handler_opens_no_run(counters: dict[str, Any]) -> None:
    """Branches run on the shared pool without minting ids or writing the ContextVar."""
    assert RunnableParallel(a=lambda x: x, b=lambda x: -x).invoke(3) == {"a": 3, "b": -3}
    assert counters["ids"] == 0
    assert counters["var"].writes == 0
