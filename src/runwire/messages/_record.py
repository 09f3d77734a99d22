"""Slotted records that look like langchain-core's pydantic models from the outside.

A class lists its fields once, in a class-level table; repr, str, equality, `model_dump`
and `model_copy` are derived from that table, so construction stays a handful of slot
stores. This is not a validation framework: each class checks its own inputs in
`__init__`, where the checks are cheap and the error messages specific.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from runwire._lc_surface import LcSerializableSurface

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Mapping
    from typing import Self


class ValidationError(TypeError, ValueError):
    """A field got a value of the wrong type or shape.

    Both a TypeError and a ValueError: langchain-core raises pydantic's ValidationError (a
    ValueError) here, so `except ValueError` written for it keeps working.
    """


class _Marker:
    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


REQUIRED: Any = _Marker("REQUIRED")
"""Default of a field without one: always shown in repr. Also the default value of a
required keyword argument, so that leaving it out is a ValidationError (see `required`)."""

FACTORY: Any = _Marker("FACTORY")
"""Default of a field built by a factory (`{}` or `[]`). langchain-core compares such a
value against `None`, so the field is always shown in repr, even when empty."""

FieldSpec = tuple[str, Any, bool]
"""(name, default or REQUIRED or FACTORY, shown in repr)."""


def required(owner: object, name: str) -> ValidationError:
    """The error for a required keyword argument that was not given."""
    return ValidationError(f"{type(owner).__name__} needs {name}=: it is a required field.")


def _differs(default: Any, value: Any) -> bool:
    try:
        return bool(default != value)
    except Exception:  # values whose comparison is not a bool (e.g. arrays)
        return value is not default


def _dump(value: Any, exclude_none: bool) -> Any:
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, Record):
        return value.model_dump(exclude_none=exclude_none)
    if isinstance(value, dict):
        return {k: _dump(v, exclude_none) for k, v in value.items()}
    if isinstance(value, list):
        return [_dump(v, exclude_none) for v in value]
    if isinstance(value, tuple):
        return tuple(_dump(v, exclude_none) for v in value)
    dump = getattr(value, "model_dump", None)  # a pydantic model held in an untyped field
    return dump() if callable(dump) else value


class Record(LcSerializableSurface):
    """Base of messages and outputs: field table in, pydantic-compatible behaviour out (and
    langchain-core's `to_json()` surface)."""

    __slots__ = ()

    _fields: ClassVar[tuple[FieldSpec, ...]] = ()
    _hide_defaults: ClassVar[bool] = True
    """langchain's `Serializable` hides fields equal to their default; plain pydantic
    models (`ChatResult`, `LLMResult`, `RunInfo`) show every field."""
    _slots: ClassVar[tuple[tuple[str, Any], ...]] = ()
    """(name, member descriptor) of every slot. Read and written through the descriptor,
    because a subclass may shadow a slot with a class attribute (messages' `type`)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._slots = tuple(
            (name, klass.__dict__[name])
            for klass in reversed(cls.__mro__)
            for name in klass.__dict__.get("__slots__", ())
        )

    def __getstate__(self) -> dict[str, Any]:
        state = dict(getattr(self, "__dict__", {}))  # a user subclass without __slots__
        for name, slot in self._slots:
            try:
                state[name] = slot.__get__(self)
            except AttributeError:  # an unset slot stays unset
                pass
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        slots = dict(self._slots)
        for name, value in state.items():
            if name in slots:
                slots[name].__set__(self, value)
            else:
                self.__dict__[name] = value

    def _extras(self) -> dict[str, Any] | None:
        """Keyword arguments kept beyond the declared fields (messages allow them)."""
        return None

    def _set_extra(self, name: str, value: Any) -> None:
        raise TypeError(
            f"{type(self).__name__} has no field {name!r}; its fields are "
            f"{[field[0] for field in self._fields]}."
        )

    def _repr_args(self) -> list[tuple[str, Any]]:
        args = []
        hide = self._hide_defaults
        for name, default, shown in self._fields:
            if not shown:
                continue
            value = getattr(self, name)
            if hide and default is not REQUIRED and default is not FACTORY and not _differs(default, value):
                continue
            args.append((name, value))
        extras = self._extras()
        if extras:
            args.extend(extras.items())
        return args

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._repr_str(', ')})"

    def __str__(self) -> str:
        return self._repr_str(" ")

    def _repr_str(self, separator: str) -> str:
        return separator.join(f"{name}={value!r}" for name, value in self._repr_args())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        if type(self) is not type(other):
            return False
        return all(getattr(self, name) == getattr(other, name) for name, _, _ in self._fields) and (
            self._extras() or {}
        ) == (other._extras() or {})

    __hash__ = None  # type: ignore[assignment]  # mutable, like a pydantic model

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """(field, value) pairs, extras last, so `dict(record)` works as on a pydantic model."""
        for name, _, _ in self._fields:
            yield name, getattr(self, name)
        yield from (self._extras() or {}).items()

    def model_dump(
        self,
        *,
        include: Collection[str] | None = None,
        exclude: Collection[str] | None = None,
        exclude_none: bool = False,
    ) -> dict[str, Any]:
        """Every field (extras last) as a dict; nested records become dicts too."""
        dumped: dict[str, Any] = {}
        for name, value in self:
            if (include is not None and name not in include) or (exclude is not None and name in exclude):
                continue
            if exclude_none and value is None:
                continue
            dumped[name] = _dump(value, exclude_none)
        return dumped

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A shallow (or deep) copy with `update` applied unvalidated, as in pydantic."""
        if deep:
            import copy

            copied = copy.deepcopy(self)
        else:
            copied = object.__new__(type(self))
            copied.__setstate__(self.__getstate__())
        if update:
            names = {field[0] for field in self._fields}
            for name, value in update.items():
                if name in names:
                    setattr(copied, name, value)
                else:
                    copied._set_extra(name, value)
        return copied
