"""`dumpd` / `dumps`: objects to langchain-core's serialized format, with user data escaped.

Only objects that know how to serialize (runwire's classes listed in `mapping`, and
`Serializable` subclasses that opt in) become `{"lc": 1, "type": "constructor", ...}` records.
A plain dict that merely looks like one (it has an `"lc"` key, e.g. in a message's metadata) is
wrapped as `{"__lc_escaped__": {...}}`, so `load` returns it as data and never builds an object
from it (langchain-core's fix for the 2025 serialization-injection advisory, kept here from
the start). Anything else becomes a `not_implemented` record. Not here: loading (see `load`).
"""

from __future__ import annotations

import json
from typing import Any

from runwire.load.mapping import registry
from runwire.load.serializable import SecretRef, Serializable, secret_record, to_json_not_implemented

__all__ = ["dumpd", "dumps"]

ESCAPED_KEY = "__lc_escaped__"
_SCALARS = (str, int, float, bool, type(None))


def _needs_escaping(obj: dict[str, Any]) -> bool:
    return "lc" in obj or (len(obj) == 1 and ESCAPED_KEY in obj)


def _runnable_name(obj: Any) -> dict[str, Any]:
    get_name = getattr(obj, "get_name", None)
    if callable(get_name) and hasattr(obj, "invoke"):
        return {"name": get_name()}
    return {}


def _serialize(obj: Any) -> Any:
    if isinstance(obj, _SCALARS):
        return obj
    if isinstance(obj, dict):
        if not all(isinstance(k, _SCALARS) for k in obj):
            return to_json_not_implemented(obj)
        if _needs_escaping(obj):
            return {ESCAPED_KEY: obj}  # user data: written as it is, loaded back as data
        return {k: _serialize(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_serialize(item) for item in obj]
    if type(obj) is SecretRef:
        return secret_record(obj.env_name)
    if isinstance(obj, Serializable):
        record = obj.to_json()
        if record.get("type") == "constructor":
            secret = obj.secret_keys()
            record["kwargs"] = {k: v if k in secret else _serialize(v) for k, v in record["kwargs"].items()}
        return record
    return to_json_record(obj, _serialize)


def _as_is(value: Any) -> Any:
    return secret_record(value.env_name) if type(value) is SecretRef else value


def to_json_record(obj: Any, write: Any = _as_is) -> dict[str, Any]:
    """`obj`'s record, its constructor keywords passed through `write` (by default left as they
    are: `obj.to_json()`), or a `not_implemented` record for a class `runwire.load` does not know."""
    known = registry().by_class.get(type(obj))
    if known is None:
        return {**to_json_not_implemented(obj), **_runnable_name(obj)}
    lc_id, kwargs = known
    return {
        "lc": 1,
        "type": "constructor",
        "id": list(lc_id),
        "kwargs": {k: write(v) for k, v in kwargs(obj).items()},
        **_runnable_name(obj),
    }


def dumpd(obj: Any) -> Any:
    """`obj` as JSON-ready data in langchain-core's format (dicts with an `"lc"` key escaped)."""
    return _serialize(obj)


def dumps(obj: Any, *, pretty: bool = False, **kwargs: Any) -> str:
    """`dumpd(obj)` as a JSON string (`pretty=True` indents by 2, or by `indent=`)."""
    if "default" in kwargs:
        raise ValueError(
            "`default` should not be passed to dumps: runwire.load decides how objects are written."
        )
    if pretty:
        kwargs.setdefault("indent", 2)
    return json.dumps(_serialize(obj), **kwargs)
