"""runwire's tracers for unchanged LangChain/LangGraph apps: `runwire run -- python app.py`,
RUNWIRE_TRACE and `install_tracing`. Each runs in a child process: langchain-core's configure
hooks are process-wide and cannot be removed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from runwire.tracers.store import TraceStore

APP = textwrap.dedent(
    """
    import itertools
    from typing import TypedDict

    from langchain_core.language_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.prompts import ChatPromptTemplate
    from langgraph.graph import END, START, StateGraph

    class State(TypedDict, total=False):
        q: str
        a: str

    model = GenericFakeChatModel(messages=itertools.cycle([AIMessage("forty two")]))
    chain = ChatPromptTemplate.from_template("{q}") | model
    graph = StateGraph(State)
    graph.add_node("answer", lambda s: {"a": chain.invoke({"q": s["q"]}).content})
    graph.add_edge(START, "answer")
    graph.add_edge("answer", END)
    print(graph.compile().invoke({"q": "meaning?"})["a"])
    """
)


def _names(store: TraceStore) -> list[str]:
    (trace,) = store.traces()
    out: list[str] = []

    def walk(run: object) -> None:
        out.append(run.name)  # type: ignore[attr-defined]
        for child in run.child_runs:  # type: ignore[attr-defined]
            walk(child)

    walk(store.tree(trace["id"]))
    return out


TREE = ["LangGraph", "answer", "RunnableSequence", "ChatPromptTemplate", "GenericFakeChatModel"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("RUNWIRE_")}


def test_runwire_run_traces_an_unchanged_langgraph_app(tmp_path: Path) -> None:
    """`runwire run --db PATH --trace sqlite,console -- python app.py`: the app's output is
    unchanged, every LangGraph/LangChain run is stored, and `runwire traces show` draws it."""
    app = tmp_path / "app.py"
    app.write_text(APP)
    db = tmp_path / "traces.db"
    cli = [sys.executable, "-m", "runwire"]
    run = subprocess.run(
        [*cli, "run", "--db", str(db), "--trace", "sqlite,console", "--", sys.executable, str(app)],
        capture_output=True, text=True, check=True, env=_env(), timeout=120,
    )  # fmt: skip
    assert run.stdout.splitlines()[-1] == "forty two"
    assert "GenericFakeChatModel" in run.stderr + run.stdout  # the console tracer drew it
    with TraceStore(db) as store:
        assert _names(store) == TREE
    show = subprocess.run(
        [*cli, "traces", "show", "latest", "--db", str(db), "--no-color"],
        capture_output=True, text=True, check=True, env=_env(), timeout=60,
    )  # fmt: skip
    assert "answer" in show.stdout
    assert "GenericFakeChatModel" in show.stdout


def test_runwire_trace_env_and_install_tracing(tmp_path: Path) -> None:
    """RUNWIRE_TRACE, when the app imports runwire after langchain-core, records langchain's
    runs; install_tracing does the same in code."""
    env_db, code_db = tmp_path / "env.db", tmp_path / "code.db"
    app = tmp_path / "app.py"
    app.write_text(APP + "\nimport runwire\n" + APP)
    subprocess.run(
        [sys.executable, str(app)], check=True, capture_output=True, timeout=120,
        env={**_env(), "RUNWIRE_TRACE": f"sqlite:{env_db}"},
    )  # fmt: skip
    with TraceStore(env_db) as store:
        assert _names(store) == TREE  # the second graph run only: runwire was imported after the first
    code = f"from runwire.interop.langchain import install_tracing\ninstall_tracing('sqlite:{code_db}')\n"
    subprocess.run(
        [sys.executable, "-c", code + APP], check=True, capture_output=True, timeout=120, env=_env()
    )
    with TraceStore(code_db) as store:
        assert _names(store) == TREE
