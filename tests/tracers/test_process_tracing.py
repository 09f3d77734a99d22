"""Process-wide tracing (`RUNWIRE_TRACE`, `runwire.tracing.enable`) reaches runs in every thread.

Real threads throughout: a bare `threading.Thread`, a `ThreadPoolExecutor`, and threaded
`http.server` / WSGI servers on 127.0.0.1 whose request threads invoke a chain.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import runwire
from runwire.callbacks.context import process_handlers, scoped_handlers
from runwire.tracers import RunCollectorCallbackHandler, TraceStore
from runwire.tracers.schemas import Run

from .helpers import qa_chain
from .test_global import _run

TREE = ["RunnableSequence", ["ChatPromptTemplate", "GenericFakeChatModel", "StrOutputParser"]]


def _shape(run: Run) -> list[object]:
    return [run.name, [child.name for child in run.child_runs]]


@pytest.fixture
def collector() -> Iterator[RunCollectorCallbackHandler]:
    """A collector enabled for the whole process, disabled again after the test."""
    handler = RunCollectorCallbackHandler()
    runwire.tracing.enable(handler)
    try:
        yield handler
    finally:
        runwire.tracing.disable()
    assert process_handlers == []


def test_enable_reaches_a_bare_thread_started_before_it(collector: RunCollectorCallbackHandler) -> None:
    """A thread that was already running when tracing was enabled is traced, with no setup."""
    runwire.tracing.disable()
    go, outputs = threading.Event(), []

    def work() -> None:
        go.wait(10)
        outputs.append(qa_chain().invoke({"number": "1"}))

    thread = threading.Thread(target=work)
    thread.start()
    runwire.tracing.enable(collector)
    go.set()
    thread.join(10)
    assert outputs == ["The answer is 3."]
    assert [_shape(run) for run in collector.traced_runs] == [TREE]


def test_enable_reaches_thread_pool_workers(collector: RunCollectorCallbackHandler) -> None:
    """Each run in a plain ThreadPoolExecutor is recorded once, as its own correct tree."""
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda n: qa_chain().invoke({"number": str(n)}), range(8)))
    assert answers == ["The answer is 3."] * 8
    assert [_shape(run) for run in collector.traced_runs] == [TREE] * 8
    assert len({run.id for run in collector.traced_runs}) == 8
    assert sorted(run.inputs["number"] for run in collector.traced_runs) == [str(n) for n in range(8)]


def test_scoped_and_process_wide_tracing_record_a_run_once(collector: RunCollectorCallbackHandler) -> None:
    """The same handler enabled for the process and for a block hears each run once."""
    extra = RunCollectorCallbackHandler()
    with runwire.tracing(collector, extra):
        qa_chain().invoke({"number": "1"})
        thread = threading.Thread(target=lambda: qa_chain().invoke({"number": "2"}))
        thread.start()
        thread.join(10)
    assert [run.inputs["number"] for run in collector.traced_runs] == ["1", "2"]
    assert [_shape(run) for run in collector.traced_runs] == [TREE, TREE]
    assert [run.inputs["number"] for run in extra.traced_runs] == ["1"]  # the block is scoped


def test_a_block_sees_tracers_enabled_after_it_opened() -> None:
    """`with runwire.tracing(...)` does not freeze the process-wide set at its start."""
    scoped, late = RunCollectorCallbackHandler(), RunCollectorCallbackHandler()
    with runwire.tracing(scoped):
        runwire.tracing.enable(late)
        try:
            qa_chain().invoke({"number": "1"})
        finally:
            runwire.tracing.disable(late)
        qa_chain().invoke({"number": "2"})
    assert (len(scoped.traced_runs), len(late.traced_runs)) == (2, 1)


def test_a_spec_is_one_shared_handler(tmp_path: Path) -> None:
    """Enabling a spec twice, or naming it in a block, reuses the one handler (one store writer)."""
    spec = f"sqlite:{tmp_path / 'one.db'}"
    try:
        [first] = runwire.tracing.enable(spec)
        [again] = runwire.tracing.enable(spec)
        with runwire.tracing(spec) as [scoped]:
            qa_chain().invoke({"number": "1"})
        assert first is again is scoped
        assert runwire.tracing.enabled == (first,)
    finally:
        runwire.tracing.disable(spec)
    assert runwire.tracing.enabled == ()
    assert first._closed  # made by enable(): closed by disable()
    with TraceStore(tmp_path / "one.db") as store:
        assert store.stats()["traces"] == 1


def test_disable_stops_tracing_in_every_thread() -> None:
    """After `disable()` nothing is recorded and the silent default is back."""
    handler = RunCollectorCallbackHandler()
    runwire.tracing.enable(handler)
    runwire.tracing.disable(handler)
    thread = threading.Thread(target=lambda: qa_chain().invoke({"number": "1"}))
    thread.start()
    thread.join(10)
    assert handler.traced_runs == []
    assert scoped_handlers.get() is process_handlers == []


SERVERS = """
import itertools, json, threading, urllib.request
from runwire.language_models import GenericFakeChatModel
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

chain = (ChatPromptTemplate.from_template("What is 1 + {number}?")
    | GenericFakeChatModel(messages=itertools.repeat("The answer is 3.")) | StrOutputParser())

class Quiet(BaseHTTPRequestHandler):
    def do_GET(self):
        body = chain.invoke({"number": self.path.strip("/")}).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

class QuietWSGI(WSGIRequestHandler):
    def log_message(self, *args):
        pass

class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [chain.invoke({"number": environ["PATH_INFO"].strip("/")}).encode()]

http = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
wsgi = make_server("127.0.0.1", 0, app, server_class=ThreadingWSGIServer, handler_class=QuietWSGI)
for server in (http, wsgi):
    threading.Thread(target=server.serve_forever, daemon=True).start()

def get(port, n):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/{n}", timeout=30) as reply:
        return reply.read().decode()

with ThreadPoolExecutor(4) as pool:
    answers = list(pool.map(get, [http.server_port] * 3 + [wsgi.server_port] * 3, range(6)))
bare = threading.Thread(target=lambda: chain.invoke({"number": "bare"}))
bare.start(); bare.join()
for server in (http, wsgi):
    server.shutdown()
print(json.dumps(answers))
"""


def test_runwire_trace_records_web_server_and_thread_runs_once(tmp_path: Path) -> None:
    """With only `RUNWIRE_TRACE=sqlite:PATH`, requests served by threaded http.server and WSGI
    servers, and a bare thread's run, are each stored exactly once as a full tree."""
    db = tmp_path / "servers.db"
    done = _run(SERVERS, {"RUNWIRE_TRACE": f"sqlite:{db}"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '["The answer is 3."' + ', "The answer is 3."' * 5 + "]"
    with TraceStore(db) as store:
        roots = store.traces(limit=100)
        assert sorted(root["inputs"]["number"] for root in roots) == ["0", "1", "2", "3", "4", "5", "bare"]
        trees = [store.tree(root["id"]) for root in roots]
    assert {root["name"] for root in roots} == {"RunnableSequence"}
    assert [[child.name for child in tree.child_runs] for tree in trees] == [TREE[1]] * 7
