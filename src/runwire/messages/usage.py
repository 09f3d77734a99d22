"""Token usage: the `UsageMetadata` TypedDicts and their arithmetic.

Usage dicts are stored with langchain-core's key order (the standard keys first, then
any provider-specific extras), so they print the same. Adding two usages adds every
integer, recursing into the detail dicts.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, NotRequired, TypedDict, cast

from runwire.messages._record import ValidationError


class InputTokenDetails(TypedDict, total=False):
    """Breakdown of input tokens; need not sum to the total, may hold provider keys."""

    audio: int
    cache_creation: int
    cache_read: int


class OutputTokenDetails(TypedDict, total=False):
    """Breakdown of output tokens; need not sum to the total, may hold provider keys."""

    audio: int
    reasoning: int


class UsageMetadata(TypedDict):
    """Token counts of one model call, the same for every provider."""

    input_tokens: int
    output_tokens: int
    total_tokens: int
    input_token_details: NotRequired[InputTokenDetails]
    output_token_details: NotRequired[OutputTokenDetails]


_REQUIRED_KEYS = ("input_tokens", "output_tokens", "total_tokens")
_KEY_ORDER = (*_REQUIRED_KEYS, "input_token_details", "output_token_details")
_DETAIL_KEY_ORDER = {
    "input_token_details": ("audio", "cache_creation", "cache_read"),
    "output_token_details": ("audio", "reasoning"),
}


def _in_order(values: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    ordered = {key: values[key] for key in order if key in values}
    if len(ordered) != len(values):
        ordered.update((key, value) for key, value in values.items() if key not in ordered)
    return ordered


def normalize_usage(usage: Any) -> UsageMetadata:
    """A copy of `usage` with the required keys checked and keys in langchain's order."""
    if not isinstance(usage, dict):
        raise ValidationError(f"usage_metadata must be a dict (UsageMetadata), got {type(usage).__name__}.")
    missing = [key for key in _REQUIRED_KEYS if key not in usage]
    if missing:
        raise ValidationError(
            f"usage_metadata is missing {missing}: it needs input_tokens, output_tokens and "
            f"total_tokens, got keys {list(usage)}."
        )
    return _ordered(usage)


def _ordered(usage: dict[str, Any]) -> UsageMetadata:
    ordered = _in_order(usage, _KEY_ORDER)
    for key, order in _DETAIL_KEY_ORDER.items():
        details = ordered.get(key)
        if isinstance(details, dict):
            ordered[key] = _in_order(details, order)
    return cast("UsageMetadata", ordered)


def _combine(
    left: dict[str, Any], right: dict[str, Any], op: Callable[[int, int], int], depth: int = 0
) -> dict[str, Any]:
    if depth >= 100:
        raise ValueError("max_depth=100 exceeded, unable to combine dicts.")
    combined: dict[str, Any] = {}
    for key in {**left, **right}:  # left's keys first, then those only on the right
        left_value, right_value = left.get(key, 0), right.get(key, 0)
        if isinstance(left_value, int) and isinstance(right_value, int):
            combined[key] = op(left_value, right_value)
        elif isinstance(left.get(key, {}), dict) and isinstance(right.get(key, {}), dict):
            combined[key] = _combine(left.get(key, {}), right.get(key, {}), op, depth + 1)
        else:
            kinds = [type(side[key]) for side in (left, right) if key in side]
            raise ValueError(  # noqa: TRY004  # langchain-core raises ValueError here
                f"Unknown value types: {kinds}. Only dict and int values are supported."
            )
    return combined


def add_usage(left: UsageMetadata | None, right: UsageMetadata | None) -> UsageMetadata:
    """The sum of two usages, key by key (a missing side counts as zero)."""
    if not (left or right):
        return UsageMetadata(input_tokens=0, output_tokens=0, total_tokens=0)
    if not (left and right):
        return cast("UsageMetadata", left or right)
    return _ordered(_combine(cast("dict[str, Any]", left), cast("dict[str, Any]", right), operator.add))


def subtract_usage(left: UsageMetadata | None, right: UsageMetadata | None) -> UsageMetadata:
    """`left - right` key by key, never below zero."""
    if not (left or right):
        return UsageMetadata(input_tokens=0, output_tokens=0, total_tokens=0)
    if not (left and right):
        return cast("UsageMetadata", left or right)
    return _ordered(
        _combine(cast("dict[str, Any]", left), cast("dict[str, Any]", right), lambda a, b: max(a - b, 0))
    )
