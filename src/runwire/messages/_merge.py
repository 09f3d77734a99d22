"""Merging the dicts and lists of streamed chunks, with langchain-core's exact rules.

Strings concatenate, dicts merge key by key, lists merge elements that carry the same
`index`, and a few keys (`id`, `index`, timestamps) are identities rather than values.
Pure functions on plain data; the message classes decide what to merge.
"""

from __future__ import annotations

from typing import Any

_SAME_STRING_KEYS = frozenset({"id", "output_version", "model_provider"})
"""String keys whose equal values are kept once instead of concatenated."""

_LAST_WINS_INT_KEYS = frozenset({"index", "created", "timestamp"})
"""Integer keys that identify or timestamp a chunk; summing them would be meaningless."""


def merge_dicts(left: dict[str, Any], *others: dict[str, Any]) -> dict[str, Any]:
    """Merge `others` into a copy of `left`.

    A key missing on the left, or `None` there, takes the right value; `None` on the right
    changes nothing; strings concatenate, dicts and lists merge recursively, equal values
    stay, ints add up (except identity keys, where the last wins). Anything else is a
    conflict and raises `TypeError`.
    """
    merged = left.copy()
    for right in others:
        for key, right_value in right.items():
            if key not in merged or (right_value is not None and merged[key] is None):
                merged[key] = right_value
                continue
            left_value = merged[key]
            if right_value is None:
                continue
            if type(left_value) is not type(right_value):
                raise TypeError(
                    f'additional_kwargs["{key}"] already exists in this message, but with a different '
                    f"type: {type(left_value).__name__} on the left, {type(right_value).__name__} on the "
                    "right. Chunks can only be merged when each key keeps one type."
                )
            if isinstance(left_value, str):
                if (key == "index" and left_value.startswith("lc_")) or (
                    key in _SAME_STRING_KEYS and left_value == right_value
                ):
                    continue
                merged[key] = left_value + right_value
            elif isinstance(left_value, dict):
                merged[key] = merge_dicts(left_value, right_value)
            elif isinstance(left_value, list):
                merged[key] = merge_lists(left_value, right_value)
            elif left_value == right_value:
                continue
            elif isinstance(left_value, int) and not isinstance(left_value, bool):
                merged[key] = right_value if key in _LAST_WINS_INT_KEYS else left_value + right_value
            else:
                raise TypeError(
                    f"Additional kwargs key {key} already exists in left dict and value has "
                    f"unsupported type {type(left_value)}: only str, dict, list and int values merge, "
                    "other values must be equal on both sides."
                )
    return merged


def _mergeable_index(element: Any) -> bool:
    if not isinstance(element, dict) or "index" not in element:
        return False
    index = element["index"]
    return isinstance(index, int) or (isinstance(index, str) and index.startswith("lc_"))


def _same_slot(left: Any, right: dict[str, Any]) -> bool:
    """Two list elements are one block when their indexes match and their ids agree."""
    if not isinstance(left, dict) or "index" not in left or left["index"] != right["index"]:
        return False
    left_id, right_id = left.get("id"), right.get("id")
    return left_id in (None, "") or right_id in (None, "") or left_id == right_id


def _without_type(element: dict[str, Any], left_type: Any) -> dict[str, Any]:
    """The right element as merged into an existing block: its `type` is not repeated."""
    if left_type and element.get("type") == "non_standard" and "value" in element:
        value = {k: v for k, v in element["value"].items() if k != "type"}
        if left_type != "non_standard":
            return {"extras": value}
        return {"value": value, "index": element["index"]}
    if "type" in element:
        return {k: v for k, v in element.items() if k != "type"}
    return element


def merge_lists(left: list[Any] | None, *others: list[Any] | None) -> list[Any] | None:
    """Concatenate lists, merging dict elements that share an int (or `lc_`) `index`."""
    merged = None if left is None else left.copy()
    for other in others:
        if other is None:
            continue
        if merged is None:
            merged = other.copy()
            continue
        for element in other:
            if not _mergeable_index(element):
                merged.append(element)
                continue
            for position, existing in enumerate(merged):
                if _same_slot(existing, element):
                    addition = _without_type(element, existing.get("type"))
                    merged[position] = merge_dicts(existing, addition)
                    break
            else:
                merged.append(element)
    return merged


def merge_obj(left: Any, right: Any) -> Any:
    """Merge two values of one type (str, dict, list); `None` yields to the other side."""
    if left is None or right is None:
        return left if left is not None else right
    if type(left) is not type(right):
        raise TypeError(
            f"left and right are of different types. Left type:  {type(left)}. Right type: {type(right)}."
        )
    if isinstance(left, str):
        return left + right
    if isinstance(left, dict):
        return merge_dicts(left, right)
    if isinstance(left, list):
        return merge_lists(left, right)
    if left == right:
        return left
    raise ValueError(
        f"Unable to merge {left=} and {right=}. Both must be of type str, dict, or list, "
        "or else be two equal objects."
    )
