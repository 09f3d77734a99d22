"""`Serializable`: the base for user classes that `dumpd` writes in langchain-core's format
(`{"lc": 1, "type": "constructor", "id": [...], "kwargs": {...}}`) and `load` can rebuild.

A subclass declares fields as annotated class attributes (keyword construction, see
`runwire._fields`), opts in with `is_lc_serializable()`, and names secret fields in `lc_secrets`
(written as `{"lc": 1, "type": "secret", "id": [ENV_NAME]}`, never their value). runwire's own
messages, prompts, outputs and runnables are described in `mapping` instead, so they carry no
serialization code. Not here: escaping user data or loading (see `dump` and `load`).
"""

from __future__ import annotations

import contextlib
from typing import Any

from runwire._fields import _MISSING as _REQUIRED
from runwire._fields import Fields
from runwire._lc_surface import LcSerializableSurface

__all__ = ["SecretRef", "Serializable", "to_json_not_implemented", "useful"]


def to_json_not_implemented(obj: object) -> dict[str, Any]:
    """The record written for an object that cannot be serialized (its path and repr)."""
    id_: list[str] = []
    with contextlib.suppress(Exception):
        if hasattr(obj, "__name__"):
            id_ = [*obj.__module__.split("."), obj.__name__]
        else:
            id_ = [*type(obj).__module__.split("."), type(obj).__name__]
    result: dict[str, Any] = {"lc": 1, "type": "not_implemented", "id": id_, "repr": None}
    with contextlib.suppress(Exception):
        result["repr"] = repr(obj)
    return result


def _differs(value: Any, default: Any) -> bool:
    try:
        return bool(default != value)
    except Exception:
        return value is not default


def secret_record(env_name: str) -> dict[str, Any]:
    return {"lc": 1, "type": "secret", "id": [env_name]}


class SecretRef:
    """A secret's place in a record: written as a secret record naming `env_name`, never the
    value. Only code builds these, so user data can never pass for a secret."""

    __slots__ = ("env_name",)

    def __init__(self, env_name: str) -> None:
        self.env_name = env_name


class Serializable(Fields, LcSerializableSurface):
    """A class `dumpd` can write and `load` can rebuild (opt in with `is_lc_serializable`).
    Its methods override the table-driven ones runnables and messages have, whatever the order
    of a subclass's bases (`class C(Runnable, Serializable)` too)."""

    def __init__(self, **kwargs: Any) -> None:
        # Unknown keywords are ignored, as langchain-core's `Serializable` (pydantic
        # `extra="ignore"`) does: a record written with `lc_attributes` must load back.
        fields = type(self).model_fields
        super().__init__(**{k: v for k, v in kwargs.items() if k in fields})

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Whether instances serialize as constructors (False: as `not_implemented`)."""
        return False

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """The module path part of `lc_id` (default: the class's module)."""
        return cls.__module__.split(".")

    @classmethod
    def lc_id(cls) -> list[str]:
        """The id written in `"id"`: namespace plus class name."""
        return [*cls.get_lc_namespace(), cls.__name__]

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Field name -> environment variable name, for fields whose values are secrets."""
        return {}

    @property
    def lc_attributes(self) -> dict[str, Any]:
        """Extra constructor keywords to write besides the fields."""
        return {}

    def to_json(self) -> dict[str, Any]:
        """This object as a constructor record (kwargs: required fields and changed defaults)."""
        if not self.is_lc_serializable():
            return self.to_json_not_implemented()
        kwargs: dict[str, Any] = {}
        for name, (default, factory) in type(self).model_fields.items():
            value = getattr(self, name, None)
            required = default is _REQUIRED and factory is None
            if required or useful(value, default, factory):
                kwargs[name] = value
        secrets: dict[str, str] = {}
        for klass in reversed(type(self).__mro__):  # subclasses override their bases
            prop = klass.__dict__.get("lc_secrets")
            if isinstance(prop, property) and prop.fget is not None:
                secrets.update(prop.fget(self))
            attrs = klass.__dict__.get("lc_attributes")
            if isinstance(attrs, property) and attrs.fget is not None:
                kwargs.update(attrs.fget(self))
        for key, env_name in secrets.items():
            if kwargs.get(key) is not None or getattr(self, key, None) is not None:
                kwargs[key] = secret_record(env_name)
        return {"lc": 1, "type": "constructor", "id": self.lc_id(), "kwargs": kwargs}

    def to_json_not_implemented(self) -> dict[str, Any]:
        return to_json_not_implemented(self)

    def secret_keys(self) -> set[str]:
        keys: set[str] = set()
        for klass in type(self).__mro__:
            prop = klass.__dict__.get("lc_secrets")
            if isinstance(prop, property) and prop.fget is not None:
                keys.update(prop.fget(self))
        return keys


def useful(value: Any, default: Any, factory: Any) -> bool:
    # langchain-core's rule: truthy values, and falsy ones that differ from the default
    # (an empty dict or list from a factory is not worth writing).
    try:
        if value:
            return True
    except Exception:
        return True
    if factory is not None:
        return not (isinstance(value, dict | list) and not value)
    return _differs(value, default)
