"""A missing optional dependency is one error naming the extra that brings it.

Each case runs in a fresh interpreter where the package is made unimportable
(`sys.modules[name] = None`), as if the extra had never been installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")

CASES = {
    "@tool": (
        "pydantic",
        "schema",
        """
        from runwire.tools import tool

        @tool
        def add(a: int, b: int) -> int:
            '''Add two integers.'''
            return a + b

        add.invoke({"a": 1, "b": 2})
        """,
    ),
    "OpenTelemetryTracer": (
        "opentelemetry",
        "otel",
        """
        from runwire.tracers.otel import OpenTelemetryTracer

        OpenTelemetryTracer()
        """,
    ),
    "runwire.tracing('otel')": (
        "opentelemetry",
        "otel",
        """
        import runwire

        with runwire.tracing("otel"):
            pass
        """,
    ),
    "DaskExecutor": (
        "distributed",
        "dask",
        """
        from runwire.distributed import DaskExecutor

        DaskExecutor().client
        """,
    ),
}
PROBE = """
import json, sys
sys.modules[{module!r}] = None
try:
{body}
except ImportError as exc:
    print(json.dumps([type(exc).__name__, isinstance(exc, ModuleNotFoundError), str(exc)]))
else:
    print(json.dumps(None))
"""


@pytest.mark.parametrize("feature", list(CASES))
def test_a_missing_extra_names_its_install_command(feature: str) -> None:
    """The error is a ModuleNotFoundError that says `pip install "runwire[extra]"`."""
    module, extra, body = CASES[feature]
    code = PROBE.format(module=module, body=textwrap.indent(textwrap.dedent(body), "    "))
    env = {**os.environ, "PYTHONPATH": SRC}
    env.pop("RUNWIRE_TRACE", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    kind, is_module_error, message = json.loads(done.stdout)
    assert (kind, is_module_error) == ("MissingDependencyError", True)
    assert f'pip install "runwire[{extra}]"' in message
    assert "is not installed" in message
