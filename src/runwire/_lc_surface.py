"""langchain-core's `Serializable` methods (`to_json`, `is_lc_serializable`, `lc_id`,
`get_lc_namespace`, `to_json_not_implemented`) on runwire's runnables and messages.

A mixin with no state: every answer comes from `runwire.load`'s class table, imported on first
call, so `import runwire.runnables` stays light. A class in the table serializes under
langchain-core's id; any other (a subclass, a lambda, a fake model) is not serializable and
writes a `not_implemented` record. User classes subclass `runwire.load.Serializable` instead,
whose methods override these. Not here: writing nested objects (`dumpd`) or loading.
"""

from __future__ import annotations

from typing import Any


class LcSerializableSurface:
    """`to_json()` and friends, as langchain-core's `Serializable` has them."""

    __slots__ = ()

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """Whether instances serialize as constructor records (runwire: the class is in
        `runwire.load`'s table of classes both libraries have)."""
        from runwire.load.mapping import registry

        return cls in registry().by_class

    @classmethod
    def lc_id(cls) -> list[str]:
        """The id written in records: langchain-core's for a serializable class, else the
        class's module path and name."""
        from runwire.load.mapping import registry

        known = registry().by_class.get(cls)
        return list(known[0]) if known is not None else [*cls.__module__.split("."), cls.__name__]

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """`lc_id()` without the class name."""
        return cls.lc_id()[:-1]

    def to_json(self) -> dict[str, Any]:
        """This object's record, one level deep (nested objects stay objects; `dumpd` writes
        them), or a `not_implemented` record when it is not serializable."""
        from runwire.load.dump import to_json_record

        return to_json_record(self)

    def to_json_not_implemented(self) -> dict[str, Any]:
        """The `not_implemented` record: the object's module path and repr."""
        from runwire.load.serializable import to_json_not_implemented

        return to_json_not_implemented(self)
