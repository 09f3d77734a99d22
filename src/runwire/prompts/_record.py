"""Pydantic-looking repr, str and equality for prompt classes, from a per-class field table.

langchain-core's prompts are pydantic models, and users print them; these classes are plain
objects, so each lists its fields once (name and default) and gets the same `repr`/`str`.
Not a validation framework: constructors check their own arguments.
"""

from __future__ import annotations

from typing import Any, ClassVar


class _Marker:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


REQUIRED: Any = _Marker("REQUIRED")
"""A field with no default: always shown."""

FACTORY: Any = _Marker("FACTORY")
"""A field whose default comes from a factory (`{}`): pydantic-in-langchain always shows it."""


class Described:
    """Mixin: `repr`, `str` and `==` derived from `_repr_fields` (in langchain-core's order)."""

    __slots__ = ()

    _repr_fields: ClassVar[tuple[tuple[str, Any], ...]] = ()

    def _repr_args(self) -> list[tuple[str, Any]]:
        args = []
        for name, default in self._repr_fields:
            value = getattr(self, name)
            if default is REQUIRED or default is FACTORY or value != default:
                args.append((name, value))
        return args

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self._repr_args())})"

    def __str__(self) -> str:
        return " ".join(f"{k}={v!r}" for k, v in self._repr_args())

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name, _ in self._repr_fields)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the pydantic models it mirrors
