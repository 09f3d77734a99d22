"""Keyword construction from annotated class attributes: the part of pydantic that model and
tool subclasses written for langchain-core rely on (`class M(BaseChatModel): temperature: float = 0`).

Fields are collected once per class; `__init__` assigns keyword arguments, fills defaults
(mutable defaults are copied; pydantic `Field(...)` defaults are understood) and rejects unknown
names with the list of known ones. Not a validator: types are not checked.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

_MISSING: Any = object()


def _unwrap(default: Any) -> tuple[Any, Any]:
    """(default, factory) from a plain default or a pydantic FieldInfo."""
    if type(default).__name__ == "FieldInfo":
        factory = getattr(default, "default_factory", None)
        value = getattr(default, "default", _MISSING)
        if type(value).__name__ == "PydanticUndefinedType":
            value = _MISSING
        return value, factory
    return default, None


def _annotations(klass: type) -> dict[str, Any]:
    # Read from the class dict (3.11-3.13 keep them there; `inspect` costs ms to import).
    found = klass.__dict__.get("__annotations__")  # noqa: RUF063 - see above
    if found is None and "__annotate__" in klass.__dict__:  # Python 3.14+: lazily evaluated
        import inspect

        return inspect.get_annotations(klass)
    return found or {}


def _is_field(name: str, annotation: Any) -> bool:
    if name.startswith("_") or name == "model_config":
        return False
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return not text.startswith(("ClassVar", "typing.ClassVar"))


class Fields:
    """Base for classes configured by keyword arguments named after annotated attributes."""

    model_fields: ClassVar[dict[str, tuple[Any, Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: dict[str, tuple[Any, Any]] = {}
        for klass in reversed(cls.__mro__):
            for name, annotation in _annotations(klass).items():
                if _is_field(name, annotation):
                    fields[name] = _unwrap(klass.__dict__.get(name, _MISSING))
        cls.model_fields = fields
        for name, (default, _) in fields.items():
            # Keep plain class attributes for defaults so reading an unset field still works.
            if name in cls.__dict__ and type(cls.__dict__[name]).__name__ == "FieldInfo":
                setattr(cls, name, None if default is _MISSING else default)

    def __init__(self, **kwargs: Any) -> None:
        fields = type(self).model_fields
        unknown = [k for k in kwargs if k not in fields]
        if unknown:
            raise TypeError(
                f"{type(self).__name__} got unexpected argument(s) {sorted(unknown)}; "
                f"it accepts {sorted(fields)}"
            )
        for name, (default, factory) in fields.items():
            if name in kwargs:
                value = kwargs[name]
            elif factory is not None:
                value = factory()
            elif default is _MISSING:
                raise TypeError(f"{type(self).__name__} needs the argument {name!r}")
            else:
                value = copy.copy(default) if isinstance(default, list | dict | set) else default
            object.__setattr__(self, name, value)
        self.model_post_init(None)

    def model_post_init(self, context: Any, /) -> None:
        """Hook run after the fields are set (as in pydantic)."""

    def _field_repr(self) -> str:
        parts = []
        for name, (default, _) in type(self).model_fields.items():
            value = getattr(self, name, None)
            if default is _MISSING or value != default:
                parts.append(f"{name}={value!r}")
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._field_repr()})"
