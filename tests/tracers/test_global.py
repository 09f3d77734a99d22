"""Global tracing without monkeypatching: RUNWIRE_TRACE, runwire.tracing() and named tracers."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import runwire
from runwire.callbacks import BaseCallbackHandler
from runwire.callbacks.context import scoped_handlers
from runwire.tracers import ConsoleCallbackHandler, RunCollectorCallbackHandler, TraceStore
from runwire.tracers._global import _registry, from_spec, parse_specs, register_tracer
from runwire.tracers.sqlite import SQLiteTracer

from .helpers import qa_chain

SRC = str(Path(__file__).resolve().parents[2] / "src")

CHAIN = """
import itertools
from runwire.language_models import GenericFakeChatModel
from runwire.prompts import ChatPromptTemplate
chain = ChatPromptTemplate.from_template("What is 1 + {number}?") | GenericFakeChatModel(
    messages=itertools.repeat("The answer is 3."))
"""


def _run(code: str, env: dict[str, str], extra_path: str = "") -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RUNWIRE_")}
    environment.update(env)
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (extra_path, SRC) if p)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def test_runwire_trace_sqlite_records_every_run_of_the_process(tmp_path: Path) -> None:
    """`RUNWIRE_TRACE=sqlite:PATH` alone (no code change) records runs, flushed at exit."""
    db = tmp_path / "env.db"
    done = _run(
        CHAIN + "for n in range(3): chain.invoke({'number': str(n)})\n", {"RUNWIRE_TRACE": f"sqlite:{db}"}
    )
    assert done.returncode == 0, done.stderr
    with TraceStore(db) as store:
        assert store.stats()["traces"] == 3


def test_runwire_trace_default_sqlite_uses_runwire_db(tmp_path: Path) -> None:
    """`RUNWIRE_TRACE=sqlite` writes to the default store (`$RUNWIRE_DB` here)."""
    db = tmp_path / "default.db"
    done = _run(CHAIN + "chain.invoke({'number': '1'})\n", {"RUNWIRE_TRACE": "sqlite", "RUNWIRE_DB": str(db)})
    assert done.returncode == 0, done.stderr
    with TraceStore(db) as store:
        assert store.stats()["traces"] == 1


def test_runwire_trace_takes_a_comma_separated_list(tmp_path: Path) -> None:
    """`console,sqlite:PATH` prints the tree and stores the run."""
    db = tmp_path / "both.db"
    done = _run(
        CHAIN + "chain.invoke({'number': '1'})\n", {"RUNWIRE_TRACE": f"console, sqlite:{db}", "NO_COLOR": "1"}
    )
    assert done.returncode == 0, done.stderr
    assert "✓ RunnableSequence  chain" in done.stdout
    assert "└── ✓ GenericFakeChatModel  llm" in done.stdout
    with TraceStore(db) as store:
        assert store.stats()["traces"] == 1


def test_runwire_trace_content_sets_the_policy(tmp_path: Path) -> None:
    """`RUNWIRE_TRACE_CONTENT=none` stores structure without payloads."""
    db = tmp_path / "none.db"
    done = _run(
        CHAIN + "chain.invoke({'number': '1'})\n",
        {"RUNWIRE_TRACE": f"sqlite:{db}", "RUNWIRE_TRACE_CONTENT": "none"},
    )
    assert done.returncode == 0, done.stderr
    with TraceStore(db) as store:
        root = store.traces()[0]
    assert root["inputs"] is None
    assert root["name"] == "RunnableSequence"


def test_a_bad_runwire_trace_warns_and_traces_nothing() -> None:
    """An unknown tracer name is reported (not an import error) and nothing is added."""
    code = "from runwire.callbacks.context import scoped_handlers\nprint(list(scoped_handlers.get()))\n"
    done = _run(code, {"RUNWIRE_TRACE": "sqlte"})
    assert done.returncode == 0
    assert "RUNWIRE_TRACE='sqlte' is ignored: unknown tracer 'sqlte'" in done.stderr
    assert done.stdout.strip() == "[]"


def test_without_runwire_trace_nothing_of_tracers_is_imported() -> None:
    """Unset, the variable costs nothing: the core runs without loading runwire.tracers."""
    code = CHAIN + (
        "import sys\nchain.invoke({'number': '1'})\n"
        "from runwire.callbacks.context import scoped_handlers\n"
        "edge = ('runwire.tracers', 'runwire.cli', 'sqlite3')\n"
        "print(sorted(m for m in sys.modules if m.startswith(edge)), list(scoped_handlers.get()))\n"
    )
    done = _run(code, {})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] []"


def test_tracing_scopes_tracers_to_a_block(tmp_path: Path) -> None:
    """Inside `runwire.tracing(...)` every run reports to the tracers; after it, none does."""
    db = tmp_path / "block.db"
    collector = RunCollectorCallbackHandler()
    with runwire.tracing(f"sqlite:{db}", collector) as handlers:
        qa_chain().invoke({"number": "1"})
        assert isinstance(handlers[0], SQLiteTracer)
    qa_chain().invoke({"number": "2"})
    assert not scoped_handlers.get()
    assert len(collector.traced_runs) == 1
    with TraceStore(db) as store:  # flushed on exit
        assert store.stats()["traces"] == 1


def test_tracing_blocks_nest() -> None:
    """An inner block adds to the outer one's tracers and restores them on exit."""
    outer, inner = RunCollectorCallbackHandler(), RunCollectorCallbackHandler()
    with runwire.tracing(outer):
        with runwire.tracing(inner):
            qa_chain().invoke({"number": "1"})
        qa_chain().invoke({"number": "2"})
    assert (len(outer.traced_runs), len(inner.traced_runs)) == (2, 1)


def test_specs_name_the_built_in_tracers(tmp_path: Path) -> None:
    """sqlite[:PATH], console[:lines] and stdout build their handlers."""
    sqlite, console, lines, stdout = parse_specs(
        f"sqlite:{tmp_path / 'x.db'}, console, console:lines, stdout"
    )
    assert isinstance(sqlite, SQLiteTracer)
    assert sqlite.path == tmp_path / "x.db"
    assert isinstance(console, ConsoleCallbackHandler)
    assert (console.style, lines.style) == ("tree", "lines")
    assert type(stdout).__name__ == "StdOutCallbackHandler"


def test_registered_tracers_are_named_in_specs() -> None:
    """`register_tracer(name, factory)` makes `name[:arg]` a spec; registering enables nothing."""

    class Mine(BaseCallbackHandler):
        def __init__(self, arg: Any, content: Any) -> None:
            self.arg, self.content = arg, content

    register_tracer("mine", lambda arg, *, content: Mine(arg, content))
    try:
        assert not scoped_handlers.get()
        handler = from_spec("mine:level=2", "none")
        assert isinstance(handler, Mine)
        assert handler.arg == "level=2"
        assert handler.content.mode == "none"
    finally:
        _registry.pop("mine")
    with pytest.raises(ValueError, match="built-in tracer name"):
        register_tracer("sqlite", lambda _arg, **_: None)


def test_entry_points_register_third_party_tracers(tmp_path: Path) -> None:
    """A package declaring a `runwire.tracers` entry point is usable as RUNWIRE_TRACE=name."""
    (tmp_path / "acme_tracer.py").write_text(
        textwrap.dedent(
            """
            from runwire.callbacks import BaseCallbackHandler

            class Acme(BaseCallbackHandler):
                def on_chain_end(self, outputs, **kwargs):
                    if kwargs.get("parent_run_id") is None:
                        print("acme saw", outputs)

            def make(arg, *, content):
                return Acme()
            """
        )
    )
    dist = tmp_path / "acme_tracer-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-tracer\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[runwire.tracers]\nacme = acme_tracer:make\n")
    code = "from runwire.runnables import RunnableLambda\nRunnableLambda(lambda x: x + 1).invoke(41)\n"
    done = _run(code, {"RUNWIRE_TRACE": "acme"}, extra_path=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "acme saw 42"
