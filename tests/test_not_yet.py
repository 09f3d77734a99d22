"""langchain-core APIs runwire does not have yet fail with a message pointing to the migration guide.

The table in `runwire._not_yet` is data; these tests generate the expected set from
langchain-core's own `__all__` (and public methods) and hold the table to it both ways: every
langchain-core name is in runwire or in the table, and nothing in the table exists in runwire.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest

from runwire._not_yet import METHODS, MODULES, NotInRunwireYetError, NotInRunwireYetImportError

pydantic = pytest.importorskip("pydantic")
pytest.importorskip("langchain_core")

PAIRS = [
    "callbacks", "runnables", "messages", "outputs", "prompts", "prompt_values", "output_parsers",
    "language_models", "tools", "documents", "retrievers", "tracers", "exceptions",
    "utils.function_calling",
]  # fmt: skip
LC_RUNNABLES = ["langchain_core.runnables:Runnable", "langchain_core.runnables:RunnableSerializable"]
CLASSES = [  # runwire class, langchain-core classes whose public methods it should have
    ("runwire.runnables:Runnable", LC_RUNNABLES),
    ("runwire.language_models:BaseChatModel", ["langchain_core.language_models:BaseChatModel"]),
]  # fmt: skip


def _public(module: Any) -> set[str]:
    """A module's `__all__`, or (without one) the classes and functions it defines itself."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_")
            and (inspect.isclass(v) or inspect.isfunction(v))
            and v.__module__ == module.__name__
        ]
    return {n for n in names if n.isidentifier()}


def _load(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _methods(cls: type) -> set[str]:
    """Public methods, without pydantic's model API (langchain's classes are pydantic models)."""
    return {
        n
        for n in dir(cls)
        if not n.startswith("_") and callable(getattr(cls, n, None)) and not hasattr(pydantic.BaseModel, n)
    }


def _has(obj: Any, name: str) -> bool:
    try:
        getattr(obj, name)
    except NotInRunwireYetError:
        return False
    except AttributeError:
        return False
    return True


def test_every_langchain_core_public_name_is_in_runwire_or_listed_as_not_yet() -> None:
    """Each name langchain-core's public modules export exists in runwire's twin, or is listed."""
    unlisted = {}
    for pair in PAIRS:
        ours = importlib.import_module(f"runwire.{pair}")
        theirs = importlib.import_module(f"langchain_core.{pair}")
        missing = {n for n in _public(theirs) if not _has(ours, n)} - MODULES.get(ours.__name__, frozenset())
        if missing:
            unlisted[ours.__name__] = sorted(missing)
    assert not unlisted, f"add these to runwire._not_yet.MODULES (or to runwire): {unlisted}"


def test_the_not_yet_table_lists_only_names_runwire_lacks() -> None:
    """When a listed API lands in runwire, its table line must go (this names the lines)."""
    landed = {
        module: sorted(n for n in names if _has(importlib.import_module(module), n))
        for module, names in MODULES.items()
    }
    assert not {k: v for k, v in landed.items() if v}, f"delete these from runwire._not_yet.MODULES: {landed}"
    for ours, _ in CLASSES:
        cls = _load(ours)
        present = sorted(n for n in METHODS[cls.__name__] if _has(cls, n))
        assert not present, f"delete these from runwire._not_yet.METHODS[{cls.__name__!r}]: {present}"


@pytest.mark.parametrize(("ours", "theirs"), CLASSES)
def test_every_langchain_core_method_is_in_runwire_or_listed_as_not_yet(ours: str, theirs: list[str]) -> None:
    """Public methods of langchain-core's Runnable and BaseChatModel exist in runwire or are listed."""
    cls = _load(ours)
    wanted = set().union(*(_methods(_load(path)) for path in theirs))
    if cls.__name__ == "BaseChatModel":
        wanted -= _methods(_load("langchain_core.runnables:RunnableSerializable"))  # checked on Runnable
    unlisted = sorted(n for n in wanted if not _has(cls, n) and n not in METHODS[cls.__name__])
    assert not unlisted, f"add these to runwire._not_yet.METHODS[{cls.__name__!r}]: {unlisted}"


def test_a_missing_name_says_it_is_not_in_runwire_yet() -> None:
    """`from runwire.x import Name` and `runwire.x.Name` name the API and the migration guide;
    `hasattr` stays False and an unknown name is a plain AttributeError."""
    module, name = next((m, n) for m, names in sorted(MODULES.items()) for n in sorted(names))
    loaded = importlib.import_module(module)
    with pytest.raises(NotInRunwireYetImportError) as imported:
        exec(f"from {module} import {name}", {})
    api = f"langchain_core.{module.removeprefix('runwire.')}.{name}"
    expected = f"{api} is not in runwire yet. See docs/migration.md"
    assert str(imported.value).startswith(expected)
    with pytest.raises(NotInRunwireYetError, match="not in runwire yet"):
        getattr(loaded, name)
    assert not hasattr(loaded, name)
    with pytest.raises(AttributeError) as unknown:
        _ = loaded.NoSuchThing
    assert type(unknown.value) is AttributeError
    assert str(unknown.value) == f"module {module!r} has no attribute 'NoSuchThing'"


def test_a_missing_method_says_it_is_not_in_runwire_yet() -> None:
    """A langchain-core method runwire lacks names itself and the guide; hasattr is False."""
    from runwire.runnables import RunnableLambda

    step = RunnableLambda(lambda x: x)
    name = min(METHODS["Runnable"])
    with pytest.raises(NotInRunwireYetError) as caught:
        getattr(step, name)
    assert str(caught.value).startswith(f"langchain-core's Runnable.{name}() is not in runwire yet.")
    assert not hasattr(step, name)


def test_every_listed_name_raises_the_explaining_error() -> None:
    """Each table entry is reachable through its module's hook (no module lacks one)."""
    for module, names in MODULES.items():
        loaded = importlib.import_module(module)
        for name in names:
            with pytest.raises(NotInRunwireYetError):
                getattr(loaded, name)
