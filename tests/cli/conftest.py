"""A trace store filled by real runs, and the `runwire` command run as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tracers.helpers import failing_chain, qa_chain, record, twice_chain

SRC = str(Path(__file__).resolve().parents[2] / "src")

Cli = Callable[..., subprocess.CompletedProcess[str]]


def environment(**extra: str) -> dict[str, str]:
    """The caller's environment without runwire settings, in UTC, without colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNWIRE_")}
    env.update({"PYTHONPATH": SRC, "TZ": "UTC", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"})
    env.pop("FORCE_COLOR", None)
    env.update(extra)
    return env


def fill(db: Path) -> None:
    """Three answered questions (tagged demo), one failure (tagged bad), one double model call."""
    runs = [(qa_chain(), {"number": str(n)}) for n in (1, 2, 3)]
    tracer = record(db, [])
    for chain, given in runs:
        chain.invoke(given, {"callbacks": [tracer], "tags": ["demo"]})
    try:
        failing_chain().invoke({"number": "4"}, {"callbacks": [tracer], "tags": ["bad"]})
    except ValueError:
        pass
    twice_chain().invoke("why?", {"callbacks": [tracer], "run_name": "ask_twice"})
    tracer.close()


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "traces.db"
    fill(db)
    return db


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """Run `python -m runwire ARGS...` and return the completed process."""

    def run(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "runwire", *args],
            capture_output=True,
            text=True,
            env=environment(**env),
            cwd=cwd or tmp_path,
            timeout=60,
            check=False,
        )

    return run
