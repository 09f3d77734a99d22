"""The SQLite trace store: what is written, read back, and survives concurrency and crashes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from runwire.runnables import RunnableLambda
from runwire.tracers import TraceStore
from runwire.tracers._schema import MIGRATIONS, StoreError, StoreMissing, connect, default_path
from runwire.tracers.sqlite import SQLiteTracer
from runwire.tracers.store import RunNotFound

from .helpers import MODEL, failing_chain, qa_chain, record, tree_shape

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _python(code: str, **env: str) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONPATH": SRC, **env}
    environment.pop("RUNWIRE_TRACE", None)
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_a_recorded_run_reads_back_as_the_same_tree(tmp_path: Path) -> None:
    """Names, types, statuses, nesting, usage and model of a run survive the round trip."""
    db = tmp_path / "t.db"
    record(db, [(qa_chain(), {"number": "2"})])
    with TraceStore(db) as store:
        root = store.tree(store.resolve("latest"))
    assert tree_shape(root) == [
        "RunnableSequence",
        "chain",
        "ok",
        [
            ["ChatPromptTemplate", "prompt", "ok", []],
            ["GenericFakeChatModel", "llm", "ok", []],
            ["StrOutputParser", "parser", "ok", []],
        ],
    ]
    llm = root.child_runs[1]
    assert llm.usage == {"input_tokens": 7, "output_tokens": 5, "total_tokens": 12}
    assert llm.model == MODEL
    assert root.inputs == {"number": "2"}
    assert root.outputs == {"output": "The answer is 3."}


def test_errors_and_events_are_stored(tmp_path: Path) -> None:
    """A failed run keeps its error; tokens, retries and custom events go to the events table."""
    from runwire.callbacks import dispatch_custom_event

    db = tmp_path / "t.db"
    attempts = iter([ValueError("flaky"), None])

    def flaky(x: int) -> int:
        problem = next(attempts)
        if problem:
            raise problem
        dispatch_custom_event("progress", {"step": 1})
        return x

    chain = RunnableLambda(flaky).with_retry(stop_after_attempt=2, wait_exponential_jitter=False)
    tracer = record(db, [(chain, 1), (failing_chain(), {"number": "2"})])
    list(qa_chain().stream({"number": "3"}, {"callbacks": [tracer]}))
    tracer.close()
    with TraceStore(db) as store:
        failed = store.traces(status="error")
        assert len(failed) == 1
        assert failed[0]["error"] == "ValueError(\"cannot use 'The answer is 3.'\")"
        events = [
            e for r in store.records(store.traces(status="ok", limit=None)[-1]["id"]) for e in r["events"]
        ]
        streamed = [e for r in store.records(store.resolve("latest")) for e in r["events"]]
    # the retry run's retry, the failed attempt's error, the second attempt's custom event
    assert [e["name"] for e in events] == ["retry", "error", "custom"]
    assert events[0]["kwargs"]["attempt"] == 1
    assert events[0]["kwargs"]["error"] == "ValueError('flaky')"
    assert events[2]["kwargs"] == {"name": "progress", "data": {"step": 1}}
    assert "".join(e["kwargs"]["token"] for e in streamed if e["name"] == "new_token") == "The answer is 3."


def test_the_store_is_readable_while_it_is_written(tmp_path: Path) -> None:
    """Another connection sees committed runs while the writer keeps appending."""
    db = tmp_path / "t.db"
    tracer = SQLiteTracer(db, flush_interval=0.01)
    chain = qa_chain()
    seen = []
    for number in range(20):
        chain.invoke({"number": str(number)}, {"callbacks": [tracer]})
        tracer.flush()
        with TraceStore(db) as store:
            seen.append(len(store.traces(limit=None)))
    tracer.close()
    assert seen == list(range(1, 21))


def test_one_tracer_shared_by_many_threads_keeps_every_run(tmp_path: Path) -> None:
    """Runs from concurrent threads are all stored, each tree intact."""
    db = tmp_path / "t.db"
    tracer = SQLiteTracer(db, batch_size=50)
    chain = qa_chain()
    chain.batch([{"number": str(n)} for n in range(200)], {"callbacks": [tracer], "max_concurrency": 8})
    tracer.close()
    with TraceStore(db) as store:
        roots = store.traces(limit=None)
        assert len(roots) == 200
        assert all(len(store.tree(r["id"]).child_runs) == 3 for r in roots)
    assert _integrity(db) == "ok"


def test_tracers_on_one_file_in_threads_do_not_lose_runs(tmp_path: Path) -> None:
    """Several tracers (several connections) writing one file at once: every run is stored."""
    db = tmp_path / "t.db"

    def work(worker: int) -> None:
        tracer = SQLiteTracer(db, flush_interval=0.005)
        chain = qa_chain()
        for number in range(40):
            chain.invoke({"number": f"{worker}-{number}"}, {"callbacks": [tracer]})
        tracer.close()

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with TraceStore(db) as store:
        assert store.stats()["traces"] == 240
        assert store.stats()["runs"] == 960
    assert _integrity(db) == "ok"


def test_processes_writing_one_file_at_once_do_not_lose_runs(tmp_path: Path) -> None:
    """Writers in separate processes (each creating the store if needed) all land."""
    db = tmp_path / "t.db"
    code = f"""
        import itertools
        from runwire.language_models import GenericFakeChatModel
        from runwire.runnables import RunnableLambda
        from runwire.tracers.sqlite import SQLiteTracer
        tracer = SQLiteTracer({str(db)!r}, flush_interval=0.005)
        chain = RunnableLambda(lambda x: x) | GenericFakeChatModel(messages=itertools.repeat("ok"))
        for n in range(50):
            chain.invoke(str(n), {{"callbacks": [tracer]}})
        tracer.close()
        print(tracer.runs_written, tracer.dropped)
    """
    workers = [_python(code) for _ in range(4)]
    results = [worker.communicate(timeout=60) for worker in workers]
    assert [out.split() for out, _ in results] == [["150", "0"]] * 4, [err for _, err in results]
    with TraceStore(db) as store:
        assert store.stats()["traces"] == 200
    assert _integrity(db) == "ok"


def test_a_writer_killed_mid_batch_leaves_every_committed_run_readable(tmp_path: Path) -> None:
    """SIGKILL while writing: the file passes integrity_check and every run reported as
    committed before the kill is there, whole and parseable."""
    db = tmp_path / "t.db"
    code = f"""
        import sys
        from runwire.runnables import RunnableLambda
        from runwire.tracers.sqlite import SQLiteTracer
        tracer = SQLiteTracer({str(db)!r}, flush_interval=0.001, batch_size=20)
        inner = RunnableLambda(lambda x: x * 2)
        chain = RunnableLambda(lambda x: inner.invoke(x) + 1)
        n = 0
        while True:
            chain.invoke(n, {{"callbacks": [tracer], "run_name": f"run-{{n}}"}})
            n += 1
            if n % 25 == 0:
                tracer.flush()
                print(n, flush=True)
    """
    writer = _python(code)
    assert writer.stdout is not None
    committed = 0
    while committed < 200:
        line = writer.stdout.readline()
        assert line, writer.stderr.read() if writer.stderr else "writer died"
        committed = int(line)
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=10)  # reaps it and closes the pipes
    assert writer.returncode == -signal.SIGKILL

    assert _integrity(db) == "ok"
    with TraceStore(db) as store:
        roots = {r["name"]: r for r in store.traces(limit=None)}
        for n in range(committed):
            root = roots[f"run-{n}"]
            assert root["status"] == "ok"
            assert root["outputs"] == n * 2 + 1
            (child,) = store.tree(root["id"]).child_runs
            assert child.outputs == {"output": n * 2}
        for r in store.traces(limit=None):  # whatever else landed is parseable too
            json.dumps(store.records(r["id"]))


def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    """Opening a store again applies nothing new; the migrations table names each one once."""
    db = tmp_path / "t.db"
    connect(db, create=True).close()
    connect(db, create=True).close()
    with sqlite3.connect(db) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM migrations")]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert names == [name for name, _ in MIGRATIONS]
    assert mode == "wal"


def test_a_store_from_a_newer_runwire_is_refused_for_writing(tmp_path: Path) -> None:
    """A migration this version does not know means a newer schema: writing is refused."""
    db = tmp_path / "t.db"
    connect(db, create=True).close()
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO migrations VALUES ('9999_future', 0)")
    with pytest.raises(StoreError, match="newer runwire"):
        connect(db, create=True)


def test_reading_a_missing_or_foreign_file_fails_clearly(tmp_path: Path) -> None:
    """A missing path, a non-SQLite file and a foreign SQLite file each give their own error."""
    with pytest.raises(StoreMissing, match="no trace store at"):
        TraceStore(tmp_path / "missing.db")
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a usable trace store"):
        TraceStore(tmp_path / "junk.db")
    with sqlite3.connect(tmp_path / "other.db") as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a runwire trace store"):
        TraceStore(tmp_path / "other.db")


def test_id_prefixes_resolve_uniquely_or_fail(tmp_path: Path) -> None:
    """A unique prefix names its run; an ambiguous or unknown one is RunNotFound."""
    db = tmp_path / "t.db"
    record(db, [(qa_chain(), {"number": "1"}), (qa_chain(), {"number": "2"})])
    with TraceStore(db) as store:
        full = store.resolve("latest")
        assert store.resolve(full[:30]) == full
        with pytest.raises(RunNotFound, match="matches"):
            store.resolve(full[:4])
        with pytest.raises(RunNotFound, match="no run id starts or ends with"):
            store.resolve("ffff")
        with pytest.raises(RunNotFound, match="not a run id"):
            store.resolve("xyz")


def test_default_location_follows_xdg_and_runwire_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`$RUNWIRE_DB` wins; else `$XDG_DATA_HOME/runwire/traces.db` (Linux)."""
    monkeypatch.delenv("RUNWIRE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform.startswith("linux"):
        assert default_path() == tmp_path / "data" / "runwire" / "traces.db"
    monkeypatch.setenv("RUNWIRE_DB", str(tmp_path / "mine.db"))
    assert default_path() == tmp_path / "mine.db"


def test_tracing_does_not_wait_for_the_disk(tmp_path: Path) -> None:
    """A handler call only queues: with the writer held up, runs still complete at once."""
    db = tmp_path / "t.db"
    tracer = SQLiteTracer(db)
    chain = qa_chain()
    chain.invoke({"number": "0"}, {"callbacks": [tracer]})
    tracer.flush()
    blocker = sqlite3.connect(db, timeout=30)
    blocker.execute("BEGIN EXCLUSIVE")  # the writer cannot commit while this is held
    began = time.monotonic()
    for number in range(50):
        chain.invoke({"number": str(number)}, {"callbacks": [tracer]})
    elapsed = time.monotonic() - began
    blocker.execute("ROLLBACK")
    blocker.close()
    assert tracer.flush()
    tracer.close()
    with TraceStore(db) as store:
        assert store.stats()["traces"] == 51
    assert elapsed < 5, "invoke waited for the locked database"


def test_events_after_close_are_dropped_and_counted(tmp_path: Path) -> None:
    """A closed tracer ignores new events (it never reopens the file) and counts them."""
    tracer = SQLiteTracer(tmp_path / "t.db")
    qa_chain().invoke({"number": "1"}, {"callbacks": [tracer]})
    tracer.close()
    qa_chain().invoke({"number": "2"}, {"callbacks": [tracer]})
    assert tracer.dropped == 8
    with TraceStore(tmp_path / "t.db") as store:
        assert store.stats()["traces"] == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")  # 3.12+
def test_a_forked_child_writes_through_its_own_writer(tmp_path: Path) -> None:
    """A tracer inherited over fork starts a fresh writer in the child; both processes' runs land."""
    import multiprocessing

    db = tmp_path / "t.db"
    tracer = SQLiteTracer(db)
    qa_chain().invoke({"number": "parent-1"}, {"callbacks": [tracer]})
    tracer.flush()

    def child() -> None:
        qa_chain().invoke({"number": "child"}, {"callbacks": [tracer]})
        tracer.close()

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(30)
    assert process.exitcode == 0
    qa_chain().invoke({"number": "parent-2"}, {"callbacks": [tracer]})
    tracer.close()
    with TraceStore(db) as store:
        inputs = sorted(r["inputs"]["number"] for r in store.traces(limit=None))
    assert inputs == ["child", "parent-1", "parent-2"]


def test_a_writer_that_falls_behind_skips_whole_new_traces(tmp_path: Path) -> None:
    """With the queue full, new traces are not recorded (counted), and every stored trace is whole."""
    db = tmp_path / "t.db"
    tracer = SQLiteTracer(db, flush_interval=3600, batch_size=10**9, max_queue=200)  # a writer asleep
    chain = qa_chain()
    for number in range(20):
        chain.invoke({"number": str(number)}, {"callbacks": [tracer]})
    assert tracer.flush()
    tracer.close()
    assert 0 < tracer.dropped_traces < 20
    note = tracer.dropped_note()  # what the process prints on stderr at exit
    assert note is not None
    assert note.startswith(f"runwire: {tracer.dropped_traces} traces were not recorded in {db}")
    assert "fell behind" in note
    with TraceStore(db) as store:
        roots = store.traces(limit=None)
        assert len(roots) == 20 - tracer.dropped_traces
        assert all([c.status for c in store.tree(r["id"]).child_runs] == ["ok"] * 3 for r in roots)


def test_on_full_block_waits_for_the_writer_and_keeps_every_trace(tmp_path: Path) -> None:
    """`on_full="block"`: a caller waits for room instead, so no trace is skipped."""
    db = tmp_path / "t.db"
    tracer = SQLiteTracer(db, flush_interval=3600, batch_size=10**9, max_queue=200, on_full="block")
    chain = qa_chain()
    for number in range(20):
        chain.invoke({"number": str(number)}, {"callbacks": [tracer]})
    tracer.close()
    assert (tracer.dropped_traces, tracer.dropped) == (0, 0)
    assert tracer.dropped_note() is None
    with TraceStore(db) as store:
        assert store.stats()["runs"] == 80
