"""`runwire ui`: serve the viewer on loopback with the stdlib's threaded WSGI server.

Binds 127.0.0.1 by default (another host must be asked for with --host); prints the address
it serves, one line, then serves until interrupted. Not here: the application (`app`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from runwire.tracers._schema import StoreError, default_path
from runwire.viewer.app import ViewerApp
from runwire.viewer.reader import Reader

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a browser's open keep-alive request never holds up shutdown


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(db: Path, host: str = "127.0.0.1", port: int = 8765) -> _Server:
    """A server (not yet serving) for the store at `db`; `.server_port` says where it listens."""
    reader = Reader(db)
    app = ViewerApp(reader)
    server = make_server(host, port, app, server_class=_Server, handler_class=_QuietHandler)
    bound = server.server_port
    if host in _LOOPBACK:
        app.hosts = frozenset({f"127.0.0.1:{bound}", f"localhost:{bound}", f"[::1]:{bound}"})
    return server


def exposure_warning(host: str) -> str | None:
    """The warning `runwire ui` prints when it binds an address other than loopback."""
    if host in _LOOPBACK:
        return None
    return (
        f"runwire ui: warning: listening on {host}, not loopback: anyone who can reach this machine "
        "on that port can read every trace in the store (prompts, replies, tool arguments). Use the "
        "default --host 127.0.0.1 unless that is what you want."
    )


def run(args: argparse.Namespace) -> int:
    """`runwire ui`: serve until Ctrl-C."""
    db = Path(args.db).expanduser() if args.db else default_path()
    try:
        server = serve(db, args.host, args.port)
    except StoreError as exc:
        print(f"runwire: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except OSError as exc:
        print(
            f"runwire: cannot listen on {args.host}:{args.port} ({exc}); try another --port", file=sys.stderr
        )
        return 2
    warning = exposure_warning(args.host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"runwire ui: {db} at http://{shown}:{server.server_port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0
