"""JSON-schema helpers: inline `$ref`s (as langchain-core's `dereference_refs` does)."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from typing import Any, cast


def _retrieve_ref(path: str, schema: dict[str, Any]) -> Any:
    components = path.split("/")
    if components[0] != "#":
        raise ValueError(f"ref paths are expected to be URI fragments starting with '#', got {path!r}.")
    out: Any = schema
    for component in components[1:]:
        if isinstance(out, dict) and component in out:
            out = out[component]
        elif component.isdigit() and isinstance(out, list) and 0 <= int(component) < len(out):
            out = out[int(component)]
        else:
            raise KeyError(f"Reference {path!r} not found.")
    return deepcopy(out)


def _resolve(obj: Any, full: dict[str, Any], seen: set[str], skip: Sequence[str]) -> Any:
    if isinstance(obj, dict):
        if "$ref" in obj:
            path = obj["$ref"]
            rest = {k: v for k, v in obj.items() if k != "$ref"}
            if path in seen:  # a cycle: keep only what sits next to the ref
                return _resolve_dict(rest, full, seen, skip)
            seen.add(path)
            resolved = _resolve(_retrieve_ref(path, full), full, seen, skip)
            seen.discard(path)
            if not rest:
                return resolved
            merged = dict(resolved) if isinstance(resolved, dict) else {}
            merged.update(_resolve_dict(rest, full, seen, skip))
            return merged
        return _resolve_dict(obj, full, seen, skip)
    if isinstance(obj, list):
        return [_resolve(item, full, seen, skip) for item in obj]
    return obj


def _resolve_dict(obj: dict[str, Any], full: dict[str, Any], seen: set[str], skip: Sequence[str]) -> Any:
    return {
        key: deepcopy(value) if key in skip else _resolve(value, full, seen, skip)
        for key, value in obj.items()
    }


def dereference_refs(
    schema_obj: dict[str, Any],
    *,
    full_schema: dict[str, Any] | None = None,
    skip_keys: Sequence[str] | None = None,
) -> dict[str, Any]:
    """`schema_obj` with every `$ref` replaced by what it points to (cycles cut)."""
    skip = list(skip_keys) if skip_keys is not None else ["$defs"]
    return cast(dict[str, Any], _resolve(schema_obj, full_schema or schema_obj, set(), skip))
