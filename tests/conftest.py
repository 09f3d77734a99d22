"""Suite-wide guards: no test may reach beyond loopback, and no test leaks a current run."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from llama_fixtures import gguf_path, llama_server  # noqa: F401 - one local model server per session
from runwire.callbacks.context import current_run

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check_address(address: Any) -> None:
    if isinstance(address, tuple) and address:
        host = address[0]
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            if host != "localhost":
                raise OSError(f"tests may only connect to loopback; tried host {host!r}") from None
            return
        if not ip.is_loopback:
            raise OSError(f"tests may only connect to loopback; tried {host}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check_address(address)
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check_address(address)
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    """Fail any attempt to open a connection to a non-loopback address."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _no_current_run_leaks() -> Iterator[None]:
    """Every test starts and ends outside any run: nothing leaks through the ContextVar."""
    assert current_run.get() is None, "a run leaked into this test from an earlier one"
    yield
    assert current_run.get() is None, "this test left a run current"
