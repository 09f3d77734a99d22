"""The suite's network guard itself: loopback is allowed, anything else fails fast."""

import socket

import pytest


def test_non_loopback_connection_is_refused_by_the_guard() -> None:
    """Connecting to a public address fails with the guard's message, before any packet leaves."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError, match="only connect to loopback"):
            sock.connect(("192.0.2.1", 80))  # TEST-NET-1, never routed
    finally:
        sock.close()


def test_loopback_connection_is_allowed() -> None:
    """A listening socket on 127.0.0.1 accepts a connection from the test."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        client.connect(server.getsockname())
        conn, _ = server.accept()
        conn.close()
    finally:
        client.close()
        server.close()
