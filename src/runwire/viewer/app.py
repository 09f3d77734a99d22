"""The viewer's WSGI application: a JSON API over `Reader`, the static front end, and headers.

Read-only: GET and HEAD only. Static files are served from a table of the package's own
`static/` files built at start-up, so no request path ever reaches the file system. Every
response carries a strict Content-Security-Policy (scripts and styles from this origin only,
no inline code), and requests whose Host is not the served address are refused (DNS rebinding).
Payloads go out as JSON; the front end renders them with `textContent`. Not here: the socket
(`server`), the queries (`reader`).
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

from runwire.tracers._schema import StoreError
from runwire.tracers.store import RunNotFound, iter_export
from runwire.viewer.overview import overview
from runwire.viewer.reader import Filters, Reader

StartResponse = Callable[[str, list[tuple[str, str]]], Any]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_SECURITY = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
]
_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class HttpError(Exception):
    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


def _static_files() -> dict[str, tuple[bytes, str]]:
    root = resources.files("runwire.viewer") / "static"
    files = {}
    for entry in root.iterdir():
        if entry.is_file() and not entry.name.startswith("."):
            suffix = "." + entry.name.rsplit(".", 1)[-1]
            kind = _TYPES.get(suffix) or mimetypes.guess_type(entry.name)[0] or "application/octet-stream"
            if kind.startswith("text/html"):
                kind = "text/html; charset=utf-8"
            files[entry.name] = (entry.read_bytes(), kind)
    return files


def _number(query: dict[str, list[str]], key: str) -> float | None:
    value = query.get(key, [""])[0]
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise HttpError(
            "400 Bad Request", f"{key}={value!r} is not a number (seconds since the epoch)"
        ) from None


def _limit(value: str) -> int:
    if not value:
        return 50
    try:
        return int(value)
    except ValueError:
        raise HttpError(
            "400 Bad Request",
            f"limit={value!r} is not a whole number; give how many runs a page holds (1-200)",
        ) from None


class ViewerApp:
    """WSGI app serving the viewer for `reader`; `hosts` are the Host values accepted (None: any)."""

    def __init__(self, reader: Reader, hosts: Iterable[str] | None = None) -> None:
        self.reader = reader
        self.hosts = None if hosts is None else frozenset(h.lower() for h in hosts)
        self.static = _static_files()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        try:
            status, kind, body, extra = self._route(environ)
        except HttpError as exc:
            status, kind, body, extra = exc.status, "application/json", _json({"error": str(exc)}), []
        except RunNotFound as exc:
            status, kind, body, extra = "404 Not Found", "application/json", _json({"error": str(exc)}), []
        except (StoreError, ValueError) as exc:
            status, kind, body, extra = "400 Bad Request", "application/json", _json({"error": str(exc)}), []
        headers = [("Content-Type", kind), ("Content-Length", str(len(body))), *_SECURITY, *extra]
        if kind.startswith("application/json"):
            headers.append(("Cache-Control", "no-store"))
        start_response(status, headers)
        return [b""] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    def _route(self, environ: dict[str, Any]) -> tuple[str, str, bytes, list[tuple[str, str]]]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            raise HttpError("405 Method Not Allowed", "the viewer is read-only: GET and HEAD only")
        host = str(environ.get("HTTP_HOST", "")).lower()
        if self.hosts is not None and host not in self.hosts:
            raise HttpError("421 Misdirected Request", f"unexpected Host {host!r}")
        path = environ.get("PATH_INFO", "/")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if path in ("/", "/index.html"):
            body, kind = self.static["index.html"]
            return "200 OK", kind, body, []
        if path.startswith("/static/"):
            found = self.static.get(path.removeprefix("/static/"))
            if found is None:
                raise HttpError("404 Not Found", "no such file")
            return "200 OK", found[1], found[0], []
        if path == "/api/runs":
            filters = Filters(
                name=query.get("name", [""])[0],
                tag=query.get("tag", [""])[0],
                status=query.get("status", [""])[0],
                since=_number(query, "since"),
                until=_number(query, "until"),
            )
            limit = _limit(query.get("limit", [""])[0])
            page = self.reader.runs(filters, before=query.get("before", [""])[0] or None, limit=limit)
            return "200 OK", "application/json", _json(page), []
        if path == "/api/overview":
            until = _number(query, "until")
            data = overview(self.reader.store(), query.get("window", ["24h"])[0], until)
            return "200 OK", "application/json", _json(data), []
        parts = path.split("/")
        if len(parts) == 4 and parts[:3] == ["", "api", "runs"]:
            return "200 OK", "application/json", _json(self.reader.trace(parts[3])), []
        if len(parts) == 5 and parts[:3] == ["", "api", "runs"] and parts[4] == "export":
            run_id = self.reader.store().resolve(parts[3])
            body = "".join(iter_export(self.reader.store(), run_id, "json")).encode()
            name = f"run-{run_id}.json"
            return "200 OK", "application/json", body, [("Content-Disposition", f'inline; filename="{name}"')]
        raise HttpError("404 Not Found", f"no page at {path}")


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
