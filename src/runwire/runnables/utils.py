"""langchain-core's `runnables.utils`: configurable-field records, AddableDict, add/aadd, Input/Output.

The records are NamedTuples with langchain-core's fields, hashes and equality, so specs from
different steps de-duplicate the same way. Not here: applying configurable values at run time
(`runwire.runnables.configurable`) or building schemas from specs (`runwire.runnables.schema`).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from runwire.runnables.base import Input, Output
from runwire.runnables.schema import unique_config_specs as get_unique_config_specs
from runwire.runnables.streaming import AddableDict

Addable = TypeVar("Addable")


class ConfigurableField(NamedTuple):
    """A field of a runnable whose value can be set at run time through `configurable[id]`."""

    id: str
    name: str | None = None
    description: str | None = None
    annotation: Any | None = None
    is_shared: bool = False

    def __hash__(self) -> int:
        return hash((self.id, self.annotation))


class ConfigurableFieldSingleOption(NamedTuple):
    """A field set at run time by choosing one of `options` by key (`default` when not given)."""

    id: str
    options: Mapping[str, Any]
    default: str
    name: str | None = None
    description: str | None = None
    is_shared: bool = False

    def __hash__(self) -> int:
        return hash((self.id, tuple(self.options.keys()), self.default))


class ConfigurableFieldMultiOption(NamedTuple):
    """A list field set at run time by choosing several of `options` by key."""

    id: str
    options: Mapping[str, Any]
    default: Sequence[str]
    name: str | None = None
    description: str | None = None
    is_shared: bool = False

    def __hash__(self) -> int:
        return hash((self.id, tuple(self.options.keys()), tuple(self.default)))


AnyConfigurableField = ConfigurableField | ConfigurableFieldSingleOption | ConfigurableFieldMultiOption


class ConfigurableFieldSpec(NamedTuple):
    """What a runnable reads from `configurable`: the key, its type, default and description."""

    id: str
    annotation: Any
    name: str | None = None
    description: str | None = None
    default: Any = None
    is_shared: bool = False
    dependencies: list[str] | None = None


def add(addables: Iterable[Addable]) -> Addable | None:
    """All items added together with `+`; None for none."""
    final: Any = None
    for chunk in addables:
        final = chunk if final is None else final + chunk
    return final  # type: ignore[no-any-return]


async def aadd(addables: AsyncIterable[Addable]) -> Addable | None:
    """All items of an async iterable added together with `+`; None for none."""
    final: Any = None
    async for chunk in addables:
        final = chunk if final is None else final + chunk
    return final  # type: ignore[no-any-return]


__all__ = [
    "AddableDict",
    "AnyConfigurableField",
    "ConfigurableField",
    "ConfigurableFieldMultiOption",
    "ConfigurableFieldSingleOption",
    "ConfigurableFieldSpec",
    "Input",
    "Output",
    "aadd",
    "add",
    "get_unique_config_specs",
]
