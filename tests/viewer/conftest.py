"""Viewer fixtures: trace stores, the `runwire ui` server as a subprocess, and headless Chromium.

The browser is Debian's `chromium` driven by Playwright's Python package (never a browser of
Playwright's own). Without either, the browser tests skip, or fail when RUNWIRE_REQUIRE_BROWSER=1
(set by .ci/run, where Chromium is installed first).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from runwire.viewer.app import ViewerApp
from runwire.viewer.reader import Reader
from viewer.traces import fill, fill_many

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "viewer"
CHROMIUM = Path(os.environ.get("RUNWIRE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Traces:
    db: Path
    ids: dict[str, str]


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> Traces:
    """A store with the agent run, the <script> prompt, a streamed call and a retried step."""
    db = tmp_path_factory.mktemp("viewer") / "traces.db"
    return Traces(db, fill(db))


@pytest.fixture(scope="session")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of 100k root runs, each with a model call (tests/viewer/traces.py: `fill_many`)."""
    db = tmp_path_factory.mktemp("viewer-100k") / "traces.db"
    fill_many(db, model_calls=True)
    return db


@dataclass
class Response:
    status: str
    headers: dict[str, str]
    body: bytes


class Client:
    """Calls a `ViewerApp` in-process, as the WSGI server would."""

    def __init__(self, app: ViewerApp) -> None:
        self.app = app

    def request(self, url: str, method: str = "GET", host: str = "127.0.0.1:8765") -> Response:
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "HTTP_HOST": host,
            "wsgi.input": io.BytesIO(),
        }
        got: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            got.update(status=status, headers=dict(headers))

        body = b"".join(self.app(environ, start_response))
        return Response(got["status"], got["headers"], body)

    def json(self, url: str) -> Any:
        import json

        response = self.request(url)
        assert response.status == "200 OK", response.body
        return json.loads(response.body)


def client_for(db: Path) -> Iterator[Client]:
    reader = Reader(db)
    yield Client(ViewerApp(reader, hosts={"127.0.0.1:8765"}))
    reader.close()


@pytest.fixture
def client(traces: Traces) -> Iterator[Client]:
    yield from client_for(traces.db)


@pytest.fixture
def big(many: Path) -> Iterator[Client]:
    yield from client_for(many)


@pytest.fixture(scope="module")
def server(traces: Traces) -> Iterator[str]:
    """`runwire ui --port 0` on the traces store, as a subprocess; yields its base URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNWIRE_")}
    env["PYTHONPATH"] = str(ROOT / "src")
    proc = subprocess.Popen(
        [sys.executable, "-m", "runwire", "--db", str(traces.db), "ui", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the server prints its address once it listens
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert match, f"runwire ui printed {line!r}; stderr: {proc.stderr.read() if proc.stderr else ''}"
        yield match.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium under Playwright."""
    required = os.environ.get("RUNWIRE_REQUIRE_BROWSER") == "1"
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "the playwright Python package is not installed (pip install playwright)"
    if problem is None and not CHROMIUM.exists():
        problem = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if problem is not None:
        if required:
            pytest.fail(f"{problem}, but RUNWIRE_REQUIRE_BROWSER=1 requires the browser tests")
        pytest.skip(problem)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page (clipboard allowed) whose console errors and page errors fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.rstrip("/"))
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    yield page
    context.close()
    assert not problems, f"the page reported errors (CSP violations show here): {problems}"
