"""Tool calls: runwire next to langchain-core next to the plain-Python floor.

Figures (per call, median of 7 loops of ~200 ms, `_timing.per_call`; each library in a fresh
subprocess so neither warms the other's caches):

* `tool.invoke` = `add.invoke({"a": 1, "b": 2})` on `@tool def add(a: int, b: int) -> int`,
  no handler anywhere;
* `tool.invoke.h1` = the same with one no-op handler (`on_tool_start`/`on_tool_end`);
* `tool.invoke(call)` = invoked with a ToolCall dict, no handler (returns a ToolMessage).

The floor is the same work in plain Python: the pydantic validation `@tool` does
(`Model.__pydantic_validator__.validate_python`) plus the function call.

    .venv/bin/python bench/tools.py [--quick]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _timing import FULL, QUICK, per_call

FIGURES = ("tool.invoke", "tool.invoke.h1", "tool.invoke(call)")
PACKAGES = {"runwire": "runwire", "langchain-core": "langchain_core"}


def _probes(package: str) -> dict[str, Any]:
    tools = __import__(f"{package}.tools", fromlist=["tool"])
    callbacks = __import__(f"{package}.callbacks", fromlist=["BaseCallbackHandler"])

    @tools.tool
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    class Noop(callbacks.BaseCallbackHandler):  # type: ignore[misc, name-defined]
        def on_tool_start(self, serialized: Any, input_str: Any, **kwargs: Any) -> None:
            pass

        def on_tool_end(self, output: Any, **kwargs: Any) -> None:
            pass

    args = {"a": 1, "b": 2}
    call = {"type": "tool_call", "name": "add", "args": args, "id": "call_1"}
    config = {"callbacks": [Noop()]}
    assert add.invoke(args) == 3
    return {
        "tool.invoke": lambda: add.invoke(args),
        "tool.invoke.h1": lambda: add.invoke(args, config),
        "tool.invoke(call)": lambda: add.invoke(call),
    }


def _floor() -> Any:
    import pydantic

    def add(a: int, b: int) -> int:
        return a + b

    model = pydantic.create_model("add", a=(int, ...), b=(int, ...))
    validate = model.__pydantic_validator__.validate_python
    args = {"a": 1, "b": 2}

    def work() -> int:
        return add(**validate(args).__dict__)

    return work


def worker(library: str, quick: bool) -> None:
    settings = QUICK if quick else FULL
    if library == "floor":
        print(json.dumps({"floor": per_call(_floor(), settings)["wall"]}))
        return
    probes = _probes(PACKAGES[library])
    print(json.dumps({name: per_call(fn, settings)["wall"] for name, fn in probes.items()}))


def main() -> None:
    quick = "--quick" in sys.argv
    results: dict[str, dict[str, float]] = {}
    for library in (*PACKAGES, "floor"):
        done = subprocess.run(
            [sys.executable, __file__, "--worker", library, *(["--quick"] if quick else [])],
            capture_output=True,
            text=True,
            check=True,
        )
        results[library] = json.loads(done.stdout)
    floor = results["floor"]["floor"]
    print("| figure | runwire | langchain-core | runwire better by | floor (validate + call) |")
    print("| --- | --- | --- | --- | --- |")
    for figure in FIGURES:
        ours, theirs = results["runwire"][figure], results["langchain-core"][figure]
        cells = [
            f"{ours / 1000:.2f} µs",
            f"{theirs / 1000:.1f} µs",
            f"x{theirs / ours:.0f}",
            f"{floor / 1000:.2f} µs",
        ]
        print(f"| {figure} | {' | '.join(cells)} |")


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker(sys.argv[sys.argv.index("--worker") + 1], "--quick" in sys.argv)
    else:
        main()
