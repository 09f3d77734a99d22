"""`globals`: `set_debug(True)` prints every run in langchain-core's debug format; the flags
read back what was set."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def debug(lib: Any) -> Iterator[Any]:
    lib.set_debug(True)
    try:
        yield lib
    finally:
        lib.set_debug(False)


def _plain(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return re.sub(r"\[\d+(\.\d+)?m?s\] ", "", text)  # elapsed times differ between runs


def add_one(x: int) -> int:
    return x + 1


def double(x: int) -> int:
    return x * 2


def test_set_debug_prints_every_run_like_langchain(debug: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Each run prints `[chain/start]` with its breadcrumbs and input, then `[chain/end]`."""
    chain = debug.RunnableLambda(add_one) | debug.RunnableLambda(double)
    assert chain.invoke(1) == 4
    lines = [line for line in _plain(capsys.readouterr().out).splitlines() if line.startswith("[")]
    assert lines == [
        "[chain/start] [chain:RunnableSequence] Entering Chain run with input:",
        "[chain/start] [chain:RunnableSequence > chain:add_one] Entering Chain run with input:",
        "[chain/end] [chain:RunnableSequence > chain:add_one] Exiting Chain run with output:",
        "[chain/start] [chain:RunnableSequence > chain:double] Entering Chain run with input:",
        "[chain/end] [chain:RunnableSequence > chain:double] Exiting Chain run with output:",
        "[chain/end] [chain:RunnableSequence] Exiting Chain run with output:",
    ]
    assert debug.get_debug() is True


def test_debug_output_carries_inputs_and_outputs_as_json(
    debug: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    debug.RunnableLambda(add_one).invoke(1)
    assert _plain(capsys.readouterr().out) == (
        "[chain/start] [chain:add_one] Entering Chain run with input:\n"
        '{\n  "input": 1\n}\n'
        "[chain/end] [chain:add_one] Exiting Chain run with output:\n"
        '{\n  "output": 2\n}\n'
    )


def test_set_debug_false_stops_printing(lib: Any, capsys: pytest.CaptureFixture[str]) -> None:
    lib.set_debug(True)
    lib.set_debug(False)
    assert lib.RunnableLambda(add_one).invoke(1) == 2
    assert capsys.readouterr().out == ""
    assert lib.get_debug() is False


def test_verbose_flag_round_trips(lib: Any) -> None:
    assert lib.get_verbose() is False
    lib.set_verbose(True)
    try:
        assert lib.get_verbose() is True
    finally:
        lib.set_verbose(False)
