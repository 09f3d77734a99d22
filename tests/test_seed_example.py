"""The seed example (examples/seed_callbacks.py) prints the reference page's lines, in its order."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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


def _run(path: Path) -> list[str]:
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60, check=True)
    assert done.stderr == "", done.stderr
    return done.stdout.splitlines()


def test_seed_example_prints_the_pages_lines_in_order() -> None:
    """Every line of the page's output appears, in order, with runwire's reprs and `run-<id>-0` ids."""
    lines = _run(EXAMPLE)
    assert len(lines) == len(EXPECTED), lines
    for line, pattern in zip(lines, EXPECTED, strict=True):
        assert re.fullmatch(pattern, line), f"{line!r} does not match {pattern!r}"


def test_the_message_id_is_the_model_runs_id_throughout() -> None:
    """The id printed in on_llm_end, on the chain end and on the result is one id."""
    ids = {m for line in _run(EXAMPLE) for m in re.findall(RUN_ID, line)}
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
    theirs = [re.sub(r"lc_run--[0-9a-f-]+?-0'", "ID'", line) for line in _run(program)]
    ours = [re.sub(RUN_ID + "'", "ID'", line) for line in _run(EXAMPLE)]
    assert ours[0] == "Chain RunnableSequence started"
    assert theirs == ours[1:]
