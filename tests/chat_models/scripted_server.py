"""A loopback HTTP server that answers each request with the next scripted reply: JSON, SSE
(chunked, so a cut-off stream is a real protocol error), raw bytes, a delay, or a dropped
connection. It records what it was sent. Used through the real vendor SDKs with `base_url=`."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer. `sse` is a list of (event name or None, data); `drop_after` cuts an
    SSE stream after that many events; `drop` closes the connection without any answer."""

    status: int = 200
    json: Any = None
    raw: bytes | None = None
    sse: list[tuple[str | None, Any]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    drop_after: int | None = None
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5  # idle keep-alive connections end on their own
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `requests`, not logs."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        self.server.seen.append(Seen("POST", self.path, dict(self.headers.items()), body))
        reply = self.server.next_reply()
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if reply.sse is not None:
            self._sse(reply)
            return
        data = reply.raw if reply.raw is not None else json.dumps(reply.json).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _sse(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        assert reply.sse is not None
        for count, (event, data) in enumerate(reply.sse):
            if reply.drop_after is not None and count == reply.drop_after:
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)  # no terminating chunk: a cut stream
                return
            text = data if isinstance(data, str) else json.dumps(data)
            frame = (f"event: {event}\n" if event else "") + f"data: {text}\n\n"
            payload = frame.encode()
            self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.replies: deque[Reply] = deque()
        self.seen: list[Seen] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client that gives up (timeouts, dropped streams) is what those tests do."""

    def next_reply(self) -> Reply:
        if self.replies:
            return self.replies.popleft()
        return Reply(status=500, json={"error": {"type": "test_error", "message": "no scripted reply left"}})


class ScriptedServer:
    """`script(*replies)` queues answers; `requests` lists what arrived; `url` is the base URL."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[Seen]:
        return self._server.seen

    def script(self, *replies: Reply) -> None:
        self._server.replies.extend(replies)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
