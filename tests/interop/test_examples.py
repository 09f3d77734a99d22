"""The interop examples run and print their trees (one per direction)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).parent.parent.parent / "examples"


def _run(name: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout.splitlines()


def test_langchain_in_runwire_example() -> None:
    """The langchain retriever's run is printed under the runwire sequence."""
    lines = _run("langchain_in_runwire.py")
    assert lines[:2] == ["chain RunnableSequence", "  retriever VectorStoreRetriever"]
    assert lines[-1] == "runwire is a callback runtime."


def test_runwire_in_langgraph_example() -> None:
    """The agent streams the tool result and the answer; the runwire tool run is in the tree."""
    lines = _run("runwire_in_langgraph.py")
    assert lines[0] == "[tools] '5'"
    assert "    add (tool)" in lines
    assert lines.count("      GenericFakeChatModel (llm)") == 2
