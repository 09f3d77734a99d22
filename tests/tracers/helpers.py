"""Chains, stores and text masks shared by the tracer and CLI tests."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

from runwire.language_models import GenericFakeChatModel
from runwire.messages import AIMessage
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate
from runwire.runnables import RunnableLambda
from runwire.tracers.sqlite import SQLiteTracer

MODEL = "fake-model-1"


def reply(text: str = "The answer is 3.", tokens: tuple[int, int] = (7, 5)) -> AIMessage:
    """A model reply with usage metadata and a model name, as providers return."""
    given_in, given_out = tokens
    return AIMessage(
        content=text,
        usage_metadata={
            "input_tokens": given_in,
            "output_tokens": given_out,
            "total_tokens": given_in + given_out,
        },
        response_metadata={"model_name": MODEL},
    )


def model(*replies: AIMessage | str) -> GenericFakeChatModel:
    """A fake chat model answering with `replies` in turn (forever, when one is given)."""
    source = itertools.repeat(replies[0]) if len(replies) == 1 else iter(replies)
    return GenericFakeChatModel(messages=source)


def silent_model() -> GenericFakeChatModel:
    """A model that fails if it is ever called: replay must not reach it."""
    return GenericFakeChatModel(messages=iter(()))


def qa_chain(llm: Any = None) -> Any:
    """prompt | model | parser (chain (a) of the benchmarks, with usage on the reply)."""
    return (
        ChatPromptTemplate.from_template("What is 1 + {number}?")
        | (llm or model(reply()))
        | StrOutputParser()
    )


def twice_chain(llm: Any = None) -> Any:
    """A lambda that calls the model twice, the second time with the first answer."""
    llm = llm or model(reply("first"), reply("second"))

    def ask_twice(question: str) -> str:
        first = llm.invoke(question).content
        return f"{first} / {llm.invoke(f'and then {first}?').content}"

    return RunnableLambda(ask_twice)


def failing_chain() -> Any:
    """prompt | model | a lambda that raises."""

    def explode(text: str) -> str:
        raise ValueError(f"cannot use {text!r}")

    return qa_chain() | RunnableLambda(explode)


def record(db: Path, runs: list[tuple[Any, Any]], **tracer_kwargs: Any) -> SQLiteTracer:
    """Invoke each (chain, input) with an SQLiteTracer on `db`, flush, and return the tracer."""
    tracer = SQLiteTracer(db, **tracer_kwargs)
    for chain, given in runs:
        try:
            chain.invoke(given, {"callbacks": [tracer]})
        except ValueError:
            pass
    assert tracer.flush(), "the writer did not commit in time"
    return tracer


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?")
_MILLIS = re.compile(r"\b(?:\d+ms|\d+\.\d\ds)\b( *)")


_SHORT = re.compile(
    r"(?m)(^|trace )([0-9a-f]{8})(?= )"
)  # short ids: a list row's first column, show's header


def mask(text: str) -> str:
    """Text with run ids, dates and durations replaced, each id by its order of appearance."""
    ids: dict[str, str] = {}

    def name(match: re.Match[str]) -> str:
        return ids.setdefault(match.group(0), f"<id{len(ids) + 1}>")

    def short(match: re.Match[str]) -> str:
        tail = match.group(2)
        full = next((i for i in ids if i.endswith(tail)), tail)  # a short id masks as its full id
        return match.group(1) + ids.setdefault(full, f"<id{len(ids) + 1}>")

    text = _UUID.sub(name, text)
    text = _SHORT.sub(short, text)
    text = _DATETIME.sub("<time>", text)
    # A duration's width varies; keep the columns after it aligned the same way every time.
    return _MILLIS.sub(lambda m: "<ms>" + ("  " if m.group(1) else ""), text)


def tree_shape(run: Any) -> list[Any]:
    """(name, run_type, status, outputs) for each run, depth first with nesting as lists."""
    return [run.name, run.run_type, run.status, [tree_shape(child) for child in run.child_runs]]
