"""The README's performance table and the bench header that writes it name no machine path."""

from __future__ import annotations

import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_header_prints_the_interpreters_version_not_its_path() -> None:
    """`make bench`'s header row is `| Python | CPython 3.x.y |`."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import run  # bench/run.py

        header = run.header(quick=True, load_start="0", load_end="0", elapsed_s=1.0)
    finally:
        sys.path.remove(str(ROOT / "bench"))
        sys.modules.pop("run", None)
    row = next(line for line in header.splitlines() if line.startswith("| Python |"))
    assert row == f"| Python | {platform.python_implementation()} {platform.python_version()} |"
    assert sys.executable not in header


def test_readme_performance_table_shows_no_interpreter_path() -> None:
    """The committed table shows the version only."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| Python |"))
    assert re.fullmatch(r"\| Python \| CPython \d+\.\d+\.\d+ \|", row), row
