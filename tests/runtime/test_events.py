"""`astream_events(version="v2")`: the same events, in the same order, as langchain-core's."""

from __future__ import annotations

import itertools
from typing import Any

import pytest


def _load(lib: str) -> Any:
    if lib == "runwire":
        from runwire.callbacks import adispatch_custom_event
        from runwire.language_models import GenericFakeChatModel
        from runwire.output_parsers import StrOutputParser
        from runwire.prompts import ChatPromptTemplate
        from runwire.runnables import RunnableLambda
    else:
        from langchain_core.callbacks import adispatch_custom_event  # type: ignore[no-redef]
        from langchain_core.language_models import GenericFakeChatModel  # type: ignore[no-redef]
        from langchain_core.output_parsers import StrOutputParser  # type: ignore[no-redef]
        from langchain_core.prompts import ChatPromptTemplate  # type: ignore[no-redef]
        from langchain_core.runnables import RunnableLambda  # type: ignore[no-redef]
    return adispatch_custom_event, GenericFakeChatModel, StrOutputParser, ChatPromptTemplate, RunnableLambda


def _plain(value: Any) -> Any:
    """A comparable view of event data: messages by class name and content, the rest as is."""
    if hasattr(value, "content") and hasattr(value, "type"):
        return (type(value).__name__, value.content)
    if type(value).__name__ == "ChatPromptValue":
        return ("ChatPromptValue", [m.content for m in value.messages])
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _shape(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    ids: dict[str, str] = {}

    def label(run_id: str) -> str:
        return ids.setdefault(run_id, f"R{len(ids) + 1}")

    out = []
    for event in events:
        metadata = {k: v for k, v in event["metadata"].items() if not k.startswith(("ls_", "lc_"))}
        out.append(
            (
                event["event"],
                event["name"],
                label(event["run_id"]),
                [label(p) for p in event["parent_ids"]],
                event["tags"],
                metadata,
                _plain(event["data"]),
            )
        )
    return out


async def _events(lib: str, build: Any, value: Any, **options: Any) -> list[tuple[Any, ...]]:
    runnable = build(*_load(lib))
    return _shape([e async for e in runnable.astream_events(value, version="v2", **options)])


def _seed(_dispatch: Any, model: Any, parser: Any, prompt: Any, _lambda: Any) -> Any:
    chain = (
        prompt.from_template("What is 1 + {number}?")
        | model(messages=itertools.repeat("1 + 2 = 3"))
        | parser()
    )
    return chain.with_config(tags=["top"], metadata={"user": "u1"})


def _custom(dispatch: Any, _model: Any, _parser: Any, _prompt: Any, lam: Any) -> Any:
    async def with_custom(x: str) -> str:
        await dispatch("my_event", {"x": x})
        return x

    return lam(with_custom)


def _invoke_inside(_dispatch: Any, model: Any, _parser: Any, _prompt: Any, lam: Any) -> Any:
    fake = model(messages=itertools.repeat("a b"))

    def ask(x: str) -> Any:
        return fake.invoke(x)

    return lam(ask)


@pytest.mark.parametrize(
    "build", [_seed, _custom, _invoke_inside], ids=["seed-chain", "custom-event", "invoke-inside"]
)
async def test_events_match_langchain_core(build: Any) -> None:
    """Event names, run names, parents (root-first), tags, metadata and data are langchain-core's,
    including tokens from a model `invoke`d inside a lambda (astream_events wants tokens)."""
    value = {"number": "2"} if build is _seed else "hello"
    ours = await _events("runwire", build, value)
    theirs = await _events("langchain_core", build, value)
    assert ours == theirs


@pytest.mark.parametrize(
    "options",
    [
        {"include_types": ["chat_model"]},
        {"include_names": ["StrOutputParser"]},
        {"exclude_tags": ["seq:step:1"]},
        {"include_types": ["parser", "chat_model"], "exclude_names": ["GenericFakeChatModel"]},
    ],
    ids=["include-types", "include-names", "exclude-tags", "include-and-exclude"],
)
async def test_filters_match_langchain_core(options: dict[str, Any]) -> None:
    """include_* / exclude_* keep exactly the events langchain-core keeps. Deliberate difference:
    langchain-core treats the first *kept* event's run as the root even when filters dropped the
    root: it overwrites that event's `data.input` with the root's input and drops `input` from
    that run's end event. runwire does that for the real root only, so filtered runs keep theirs."""
    ours = await _events("runwire", _seed, {"number": "2"}, **options)
    theirs = await _events("langchain_core", _seed, {"number": "2"}, **options)
    assert ours  # the filter kept something, so the comparison says something
    assert [event[:6] for event in ours] == [event[:6] for event in theirs]
    first_run = ours[0][2]
    assert [e for e in ours if e[2] != first_run] == [e for e in theirs if e[2] != first_run]
    first_run_events = [e for e in ours if e[2] == first_run]
    if first_run_events[0][3]:  # not the root: its own input is kept, never the root's
        assert "input" in first_run_events[-1][6]
        assert first_run_events[0][6].get("input") != {"number": "2"}


async def test_an_error_reaches_the_consumer_after_the_events_before_it() -> None:
    """A failing step: the events before it arrive, then its exception is raised from the stream."""
    from runwire.runnables import RunnableLambda

    def boom(x: str) -> str:
        raise ValueError("step failed")

    seen: list[str] = []

    async def consume() -> None:
        async for event in (RunnableLambda(lambda x: x) | RunnableLambda(boom)).astream_events("x"):
            seen.append(event["event"])  # noqa: PERF401 - the events before the error are the point

    with pytest.raises(ValueError, match="step failed"):
        await consume()
    assert seen[:2] == ["on_chain_start", "on_chain_start"]


async def test_other_versions_are_refused_with_a_clear_error() -> None:
    """v1 and v2 exist; asking for another version names the supported ones."""
    from runwire.runnables import RunnableLambda

    with pytest.raises(NotImplementedError, match="version='v1' and 'v2'"):
        async for _ in RunnableLambda(lambda x: x).astream_events("x", version="v9"):
            pass
