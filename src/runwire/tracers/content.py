"""Content policies: what of a run's payloads a handler may keep, and the JSON view it keeps.

A policy is FULL (everything), REDACTED (field paths and regexes replaced by a marker) or NONE
(no payloads at all: names, timings, tags and token counts only). Whatever the policy, API keys
and auth headers are scrubbed: secret-named fields (`api_key`, `authorization`, `x-api-key`, ...)
and key-shaped strings (`sk-...`, `sk-ant-...`, `Bearer ...`, ...) become `[REDACTED]`.

`policy.view(value)` turns any payload into plain JSON data (dicts, lists, str, numbers; objects
through `model_dump()`, else `repr`) with the policy applied. Views are computed lazily (only
when a handler needs them) and once per distinct policy and payload object: equal policies share
a small bounded cache, so N handlers with the same policy serialise a payload once. A view is
shared: treat it as read-only. `snapshot(value)` freezes a payload for a reader that serialises
it later on another thread (plain containers copied, nothing serialised). Not here: where views
are written (see the tracers).
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal
from uuid import UUID

MARKER = "[REDACTED]"

# Keys whose values are credentials, whatever they hold (compared lower-cased, '-' as '_').
_SECRET_KEY = re.compile(
    r"^(?:.*_)?(?:api_?key|apikey|authorization|proxy_authorization|auth_token|access_token|"
    r"refresh_token|secret|secret_key|client_secret|password|passwd|cookie|set_cookie|x_api_key)$"
)
# Strings shaped like credentials, wherever they appear.
SECRET_PATTERNS: tuple[str, ...] = (
    r"(?<![\w-])sk-ant-[A-Za-z0-9_\-]{8,}",  # Anthropic
    r"(?<![\w-])sk-(?:proj-|svcacct-)?(?=[\w-]*\d)[A-Za-z0-9_\-]{16,}",  # OpenAI
    # HTTP auth headers; the token must hold a digit, so "bearer instrument" is left alone
    r"(?i:bearer)\s+(?=[\w.~+/=-]*\d)[A-Za-z0-9._~+/=\-]{16,}",
    r"(?i:basic)\s+(?=[A-Za-z0-9+/=]*[\d+/=])[A-Za-z0-9+/=]{12,}",
    r"AKIA[0-9A-Z]{16}",  # AWS access key id
    r"gh[pousr]_[A-Za-z0-9]{30,}",  # GitHub
    r"xox[abpsr]-[A-Za-z0-9\-]{10,}",  # Slack
    r"AIza[0-9A-Za-z_\-]{35}",  # Google
)
_SECRETS = re.compile("|".join(f"(?:{p})" for p in SECRET_PATTERNS))
# Cheap substring checks on lower-cased text that every match of the regexes needs: the regexes
# run only on text that passes them (most payloads never do).
_SECRET_HINTS = ("sk-", "bearer", "basic", "akia", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xox", "aiza")
_KEY_HINTS = (
    "apikey", "api_key", "api-key", "authorization", "authtoken", "auth_token", "auth-token", "accesstoken",
    "access_token", "access-token", "refreshtoken", "refresh_token", "refresh-token", "secret", "password",
    "passwd", "cookie",
)  # fmt: skip
# A secret-named key in JSON text (looser than _SECRET_KEY: a hit only means "look closer").
_SECRET_KEY_TEXT = re.compile(
    r'(?i)"[^"]*(?:api[_-]?key|authorization|auth[_-]?token|access[_-]?token|refresh[_-]?token|secret|'
    r'password|passwd|cookie)":'
)

EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
PHONE = r"(?<![\w+])\+?\d[\d ()\-]{7,}\d(?!\w)"
CARD = r"(?<!\d)(?:\d[ \-]?){13,16}(?!\d)"
PII_PATTERNS: tuple[str, ...] = (EMAIL, CARD, PHONE)
"""What `redacted()` masks when given no patterns: e-mail addresses, card and phone numbers."""

_MAX_DEPTH = 64
_CACHE_MAX = 512


def scrub_secrets(text: str, lower: str | None = None) -> str:
    """`text` with every key-shaped substring replaced by the marker."""
    lower = text.lower() if lower is None else lower
    if any(hint in lower for hint in _SECRET_HINTS):
        return _SECRETS.sub(MARKER, text)
    return text


def _is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.match(key.lower().replace("-", "_")))


@dataclasses.dataclass(frozen=True, slots=True)
class ContentPolicy:
    """Which payload content a handler keeps. Build with `FULL`, `NONE` or `redacted(...)`."""

    mode: Literal["full", "redacted", "none"]
    paths: tuple[str, ...] = ()
    """Dotted field paths to mask (`inputs.email`, `outputs.*.ssn`, `**.phone`): `*` is one
    level (a key or a list index), `**` any number of levels."""
    patterns: tuple[str, ...] = ()
    """Regexes whose matches inside any string are masked."""
    marker: str = MARKER

    @property
    def keeps_content(self) -> bool:
        return self.mode != "none"

    def dumps(self, value: Any, field: str = "") -> str | None:
        """`value` as JSON text under this policy (None for NONE), computed once per payload object.

        `field` ("inputs", "outputs", ...) is the first segment that `paths` are matched against.
        """
        if self.mode == "none":
            return None
        if value is None or type(value) in _SCALARS:
            return self._dumps(value, field)
        key = (self.mode, self.paths, self.patterns, self.marker, field, id(value))
        hit = _cache.get(key)
        if hit is not None and hit[0] is value:  # the entry holds `value`, so its id is not reused
            return hit[1]
        text = self._dumps(value, field)
        with _cache_lock:
            if len(_cache) >= _CACHE_MAX:
                _cache.clear()
            _cache[key] = (value, text)
        return text

    def view(self, value: Any, field: str = "") -> Any:
        """`value` as JSON data under this policy (None for NONE); see `dumps`."""
        text = self.dumps(value, field)
        return None if text is None else json.loads(text)

    def _dumps(self, value: Any, field: str) -> str:
        if self.mode == "full":
            # Fast path: the C encoder, then a scan of the text for secrets. Key-named secrets
            # need the structure, so text that mentions one takes the walker.
            try:
                text = _encode(value)
            except (TypeError, ValueError, RecursionError):
                pass
            else:
                lower = text.lower()
                if not (any(hint in lower for hint in _KEY_HINTS) and _SECRET_KEY_TEXT.search(text)):
                    return scrub_secrets(text, lower)
        data = _Walker(self, field).walk(value, (field,) if field else (), 0)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def text(self, value: str) -> str:
        """A free-text field (an error message) under this policy."""
        if self.mode == "none":
            return ""
        text = scrub_secrets(value)
        if self.mode == "redacted":
            for pattern in _compiled(self.patterns):
                text = pattern.sub(self.marker, text)
        return text


TRACEBACK_FRAMES = 20
TRACEBACK_CHARS = 8_000


def error_record(error: BaseException, policy: ContentPolicy) -> dict[str, Any]:
    """What a trace keeps of an error: its type always; its message and traceback (the last
    `TRACEBACK_FRAMES` frames, at most `TRACEBACK_CHARS` characters from the end) when the policy
    keeps content, scrubbed of secrets like every payload."""
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ in ("builtins", "__main__")
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    if not policy.keeps_content:
        return {"type": name}
    import traceback

    text = "".join(traceback.format_exception(kind, error, error.__traceback__, limit=-TRACEBACK_FRAMES))
    if len(text) > TRACEBACK_CHARS:
        text = "… (earlier lines cut)\n" + text[-TRACEBACK_CHARS:]
    return {"type": name, "message": policy.text(str(error)), "traceback": policy.text(text)}


FULL = ContentPolicy("full")
"""Keep every payload (minus secrets)."""
NONE = ContentPolicy("none")
"""Keep no payloads: structure, timings, tags and token counts only."""


def redacted(
    paths: Iterable[str] = (), patterns: Iterable[str] | None = None, *, marker: str = MARKER
) -> ContentPolicy:
    """Keep payloads with `paths` and `patterns` masked (default patterns: `PII_PATTERNS`)."""
    found = tuple(PII_PATTERNS if patterns is None else patterns)
    for pattern in found:
        re.compile(pattern)  # fail here, not in a background writer
    return ContentPolicy("redacted", tuple(paths), found, marker)


def parse_policy(spec: str | ContentPolicy | None) -> ContentPolicy:
    """A policy from `full` / `redacted` / `none` (as in `RUNWIRE_TRACE_CONTENT`), or as given."""
    if spec is None:
        return FULL
    if isinstance(spec, ContentPolicy):
        return spec
    name = spec.strip().lower()
    if name == "full":
        return FULL
    if name == "none":
        return NONE
    if name == "redacted":
        return redacted()
    raise ValueError(f"content policy must be 'full', 'redacted' or 'none', got {spec!r}")


_cache: dict[tuple[Any, ...], tuple[Any, str]] = {}
_cache_lock = threading.Lock()
_pattern_cache: dict[tuple[str, ...], tuple[re.Pattern[str], ...]] = {}
_SCALARS = frozenset({str, int, float, bool})


def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    found = _pattern_cache.get(patterns)
    if found is None:
        found = _pattern_cache[patterns] = tuple(re.compile(p) for p in patterns)
    return found


def _path_matches(pattern: tuple[str, ...], path: tuple[str, ...]) -> bool:
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_path_matches(rest, path[i:]) for i in range(len(path) + 1))
    if not path:
        return False
    return (head in ("*", path[0])) and _path_matches(rest, path[1:])


class _Walker:
    """One conversion of a payload to JSON data under a policy."""

    __slots__ = ("marker", "paths", "patterns", "redact")

    def __init__(self, policy: ContentPolicy, field: str) -> None:
        self.redact = policy.mode == "redacted"
        self.marker = policy.marker
        self.patterns = _compiled(policy.patterns) if self.redact else ()
        self.paths = tuple(tuple(p.split(".")) for p in policy.paths) if self.redact else ()

    def _masked(self, path: tuple[str, ...]) -> bool:
        return any(_path_matches(p, path) for p in self.paths)

    def string(self, text: str) -> str:
        text = scrub_secrets(text)
        for pattern in self.patterns:
            text = pattern.sub(self.marker, text)
        return text

    def walk(self, value: Any, path: tuple[str, ...], depth: int) -> Any:
        if self.paths and path and self._masked(path):
            return self.marker
        kind = type(value)
        if kind is str:
            return self.string(value)
        if value is None or kind is bool or kind is int or kind is float:
            return value
        if depth > _MAX_DEPTH:
            return self.string(f"<{kind.__name__} nested deeper than {_MAX_DEPTH}>")
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for key, item in value.items():
                name = key if isinstance(key, str) else str(key)
                if _is_secret_key(name):
                    out[name] = MARKER
                else:
                    out[name] = self.walk(item, (*path, name), depth + 1)
            return out
        if isinstance(value, list | tuple | set | frozenset):
            return [self.walk(item, (*path, str(i)), depth + 1) for i, item in enumerate(value)]
        return self.walk(_plain(value), path, depth + 1)


def _plain(value: Any) -> Any:
    """One conversion step of an object towards JSON data (repr when nothing else applies)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):  # subclasses of the scalars
        return str.__str__(value)
    if isinstance(value, bool | int | float):
        return float(value) if isinstance(value, float) else int(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return list(value)
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, BaseException):
        return f"{type(value).__name__}({str(value)!r})"
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return dump()
        except Exception:
            return repr(value)
    fields = getattr(type(value), "_fields", None)  # prompt values: named slots
    if isinstance(fields, tuple) and fields and all(isinstance(f, str) for f in fields):
        return {"type": type(value).__name__, **{f: getattr(value, f, None) for f in fields}}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    try:
        return repr(value)
    except Exception:
        return f"<unrepresentable {type(value).__name__}>"


def _default(value: Any) -> Any:
    plain = _plain(value)
    return repr(value) if plain is value else plain


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_default).encode


NESTED: frozenset[type] = frozenset({dict, list, tuple})
"""The plain container types `snapshot` copies (exact types: a subclass is an object, shared)."""


def snapshot(value: Any, depth: int = 0) -> Any:
    """`value` as it is now, for a reader that serialises it later on another thread: plain dicts
    and lists are copied at every depth (through tuples too), so user code editing them after the
    event cannot change what is stored; any other object is shared, not copied (messages, results,
    documents: the runtime builds them per call). A container without nested containers costs one
    C-level copy; nothing is serialised. Deeper than 64 levels (or a cycle) the rest is shared."""
    kind = value.__class__
    if depth > _MAX_DEPTH:
        return value
    if kind is dict:
        if NESTED.isdisjoint(map(type, value.values())):
            return value.copy()
        return {key: snapshot(item, depth + 1) for key, item in value.items()}
    if kind is list:
        if NESTED.isdisjoint(map(type, value)):
            return value.copy()
        return [snapshot(item, depth + 1) for item in value]
    if kind is tuple and not NESTED.isdisjoint(map(type, value)):
        return tuple(snapshot(item, depth + 1) for item in value)
    return value


def to_jsonable(value: Any) -> Any:
    """`value` as JSON data with secrets scrubbed (the FULL view, uncached)."""
    return _Walker(FULL, "").walk(value, (), 0)
