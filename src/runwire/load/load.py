"""`load` / `loads`: langchain-core's serialized format back into objects, from an allow-list.

A constructor record is built only if its id is allowed (`allowed_objects`: `"core"` by
default: runwire's classes listed in `mapping`; `"messages"`; `"all"`; or a list of classes)
and its namespace is valid. Classes are found through the mapping table or, for `Serializable`
subclasses a caller allowed explicitly, by module path inside `valid_namespaces`; the class must
be a `Serializable` or a mapped class. Nothing is ever `eval`-ed or unpickled. Escaped user
dicts come back as plain data, never as objects, and jinja2 templates are refused by the default
`init_validator`, as in langchain-core. Not here: writing records (see `dump`).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Iterable
from typing import Any, Literal

from runwire.load.dump import ESCAPED_KEY
from runwire.load.mapping import MESSAGE_CLASSES, registry
from runwire.load.serializable import Serializable

__all__ = ["DEFAULT_NAMESPACES", "Reviver", "default_init_validator", "load", "loads"]

DEFAULT_NAMESPACES = [
    "langchain",
    "langchain_core",
    "langchain_community",
    "langchain_anthropic",
    "langchain_openai",
    "runwire",
]
_MAX_DEPTH = 200

InitValidator = Callable[[tuple[str, ...], dict[str, Any]], None]
AllowedObjects = Iterable[type] | Literal["all", "core", "messages"]


def default_init_validator(class_path: tuple[str, ...], kwargs: dict[str, Any]) -> None:
    """Refuse jinja2 templates: rendering one from untrusted data can run code."""
    del class_path
    if kwargs.get("template_format") == "jinja2":
        raise ValueError(
            "Jinja2 templates are not allowed during deserialization for security reasons. Use the "
            "'f-string' template format instead, or pass init_validator=None for trusted data."
        )


def _lc_id(cls: type) -> tuple[str, ...] | None:
    known = registry().by_class.get(cls)
    if known is not None:
        return tuple(known[0])
    if isinstance(cls, type) and issubclass(cls, Serializable):
        return tuple(cls.lc_id())
    return None


class Reviver:
    """Turns one record (its values already loaded) into an object, a secret, or leaves it."""

    def __init__(
        self,
        allowed_objects: AllowedObjects = "core",
        secrets_map: dict[str, str] | None = None,
        valid_namespaces: list[str] | None = None,
        secrets_from_env: bool = False,
        *,
        ignore_unserializable_fields: bool = False,
        init_validator: InitValidator | None = default_init_validator,
    ) -> None:
        self.secrets_map = secrets_map or {}
        self.secrets_from_env = secrets_from_env
        self.valid_namespaces = [*DEFAULT_NAMESPACES, *(valid_namespaces or ())]
        self.ignore_unserializable_fields = ignore_unserializable_fields
        self.init_validator = init_validator
        by_id = registry().by_id
        self.allowed: dict[tuple[str, ...], type | None]
        if allowed_objects in ("all", "core"):
            self.allowed = dict(by_id)
        elif allowed_objects == "messages":
            self.allowed = {k: v for k, v in by_id.items() if k[-1] in MESSAGE_CLASSES}
        elif isinstance(allowed_objects, str):
            raise ValueError(
                "allowed_objects must be 'all', 'core', 'messages' or a list of classes, "
                f"got {allowed_objects!r}."
            )
        else:
            self.allowed = {}
            for cls in allowed_objects:
                lc_id = _lc_id(cls)
                if lc_id is None:
                    raise TypeError(
                        f"allowed_objects must contain Serializable subclasses or runwire's serializable "
                        f"classes, got {cls!r}."
                    )
                self.allowed.update({k: v for k, v in by_id.items() if v is cls})
                self.allowed[lc_id] = None if cls not in registry().by_class else cls

    def __call__(self, value: dict[str, Any]) -> Any:
        if value.get("lc") != 1 or value.get("id") is None:
            return value
        kind = value.get("type")
        if kind == "secret":
            [key] = value["id"]
            if key in self.secrets_map:
                return self.secrets_map[key]
            if self.secrets_from_env and os.environ.get(key):
                return os.environ[key]
            return None
        if kind == "not_implemented":
            if self.ignore_unserializable_fields:
                return None
            raise NotImplementedError(
                f"Trying to load an object that doesn't implement serialization: {value}"
            )
        if kind == "constructor":
            return self._construct(value)
        return value

    def _construct(self, value: dict[str, Any]) -> Any:
        path = tuple(value["id"])
        if path not in self.allowed:
            raise ValueError(
                f"Deserialization of {path!r} is not allowed. The default (allowed_objects='core') only "
                "permits runwire's and langchain-core's core classes (messages, prompts, documents, "
                "outputs, runnables). Pass allowed_objects=[MyClass] for your own Serializable classes."
            )
        if path[0] not in self.valid_namespaces or list(path[:-1]) == ["langchain"]:
            raise ValueError(f"Invalid namespace: {value}. Valid namespaces: {self.valid_namespaces}.")
        kwargs = dict(value.get("kwargs", {}))
        if self.init_validator is not None:
            self.init_validator(path, kwargs)
        cls = self.allowed[path]
        if cls is None:  # a user class, found by its module path
            module = importlib.import_module(".".join(path[:-1]))
            cls = getattr(module, path[-1], None)
            if not (isinstance(cls, type) and issubclass(cls, Serializable)):
                raise ValueError(f"Invalid namespace: {value}: {path[-1]} is not a Serializable class.")
        return _build(cls, kwargs)


_TYPE_IS_THE_CLASS = frozenset({"StringPromptValue", "ChatPromptValue", "ChatPromptValueConcrete"})


def _build(cls: type, kwargs: dict[str, Any]) -> Any:
    name = cls.__name__
    if name == "RunnableWithFallbacks":
        handled = tuple(e for e in kwargs.pop("exceptions_to_handle", ()) or () if isinstance(e, type))
        if handled:
            kwargs["exceptions_to_handle"] = handled
    elif name in _TYPE_IS_THE_CLASS:
        kwargs.pop("type", None)  # langchain-core writes its type tag; runwire's class is the tag
    return cls(**kwargs)


def load(
    obj: Any,
    *,
    allowed_objects: AllowedObjects = "core",
    secrets_map: dict[str, str] | None = None,
    valid_namespaces: list[str] | None = None,
    secrets_from_env: bool = False,
    ignore_unserializable_fields: bool = False,
    init_validator: InitValidator | None = default_init_validator,
) -> Any:
    """Objects from already-parsed JSON (`dumpd`'s output), building only allowed classes."""
    reviver = Reviver(
        allowed_objects,
        secrets_map,
        valid_namespaces,
        secrets_from_env,
        ignore_unserializable_fields=ignore_unserializable_fields,
        init_validator=init_validator,
    )

    def walk(value: Any, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError(f"Cannot load an object nested more than {_MAX_DEPTH} levels deep.")
        if isinstance(value, dict):
            if len(value) == 1 and ESCAPED_KEY in value:
                return value[ESCAPED_KEY]  # user data, returned as written
            return reviver({k: walk(v, depth + 1) for k, v in value.items()})
        if isinstance(value, list):
            return [walk(item, depth + 1) for item in value]
        return value

    return walk(obj, 0)


def loads(
    text: str,
    *,
    allowed_objects: AllowedObjects = "core",
    secrets_map: dict[str, str] | None = None,
    valid_namespaces: list[str] | None = None,
    secrets_from_env: bool = False,
    ignore_unserializable_fields: bool = False,
    init_validator: InitValidator | None = default_init_validator,
) -> Any:
    """Objects from a JSON string (`dumps`' output), building only allowed classes."""
    return load(
        json.loads(text),
        allowed_objects=allowed_objects,
        secrets_map=secrets_map,
        valid_namespaces=valid_namespaces,
        secrets_from_env=secrets_from_env,
        ignore_unserializable_fields=ignore_unserializable_fields,
        init_validator=init_validator,
    )
