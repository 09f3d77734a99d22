"""`runwire run [--trace SPECS] -- python app.py`: trace an unchanged program, the way
`opentelemetry-instrument` does. The program runs as a child process with RUNWIRE_TRACE set
and runwire's `sitecustomize` first on PYTHONPATH, which imports runwire (its own runs) and,
when langchain-core is installed, registers the tracers through langchain-core's configure hook
(every LangChain and LangGraph run). Not here: the tracers or the hook (`runwire.interop`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path


def run_program(args: argparse.Namespace) -> int:
    program = list(args.program)
    if program[:1] == ["--"]:
        program = program[1:]
    if not program:
        print("runwire run: give the program after --, e.g. runwire run -- python app.py", file=sys.stderr)
        return 2
    specs = []
    for spec in args.trace.split(","):
        name = spec.strip()
        if name == "sqlite" and getattr(args, "db", None):
            name = f"sqlite:{args.db}"  # --db names the store the sqlite tracer writes
        if name:
            specs.append(name)
    hook = str(Path(__file__).resolve().parent.parent / "interop" / "_autotrace")
    env = dict(os.environ)
    env["RUNWIRE_TRACE"] = ",".join(specs)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (hook, env.get("PYTHONPATH", "")) if p)
    try:
        return subprocess.call(program, env=env)  # noqa: S603 - the user's own command line
    except FileNotFoundError:
        print(f"runwire run: no such program: {program[0]}", file=sys.stderr)
        return 2
