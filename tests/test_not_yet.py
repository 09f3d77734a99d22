"""langchain-core APIs runwire does not have yet fail with a message pointing to the migration guide.

The tables in `runwire._not_yet` are data; these tests generate the expected sets from
langchain-core's own `__all__`, public methods and public modules and hold the tables to them both
ways: every langchain-core name, method and module is in runwire or in a table, and nothing in a
table exists in runwire.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import inspect
import pkgutil
from typing import Any

import pytest

from runwire._not_yet import (
    METHODS,
    MISSING_MODULES,
    MODULES,
    NotInRunwireYetError,
    NotInRunwireYetImportError,
    NotInRunwireYetModuleError,
)

pydantic = pytest.importorskip("pydantic")
langchain_core = pytest.importorskip("langchain_core")


def _lc_modules() -> list[str]:
    """langchain-core's public modules and subpackages (no `_private` part), as runwire names."""
    found = pkgutil.walk_packages(langchain_core.__path__, "langchain_core.", onerror=lambda _: None)
    return sorted(
        "runwire" + m.name.removeprefix("langchain_core")
        for m in found
        if not any(part.startswith("_") for part in m.name.split(".")[1:])
    )


def _missing(name: str) -> bool:
    """Whether the runwire module `name` or a package above it is listed in MISSING_MODULES."""
    parts = name.split(".")
    return any(".".join(parts[:i]) in MISSING_MODULES for i in range(2, len(parts) + 1))


# Every top-level langchain_core module with a runwire twin, plus the one utils module runwire has.
PAIRS = [m.removeprefix("runwire.") for m in _lc_modules() if m.count(".") == 1 and not _missing(m)] + [
    "utils.function_calling"
]
LC_RUNNABLES = ["langchain_core.runnables:Runnable", "langchain_core.runnables:RunnableSerializable"]
CLASSES = [  # runwire class, langchain-core classes whose public methods it should have
    ("runwire.runnables:Runnable", LC_RUNNABLES),
    ("runwire.language_models:BaseChatModel", ["langchain_core.language_models:BaseChatModel"]),
    ("runwire.tools:BaseTool", ["langchain_core.tools:BaseTool"]),
    ("runwire.messages:BaseMessage", ["langchain_core.messages:BaseMessage"]),
    ("runwire.retrievers:BaseRetriever", ["langchain_core.retrievers:BaseRetriever"]),
    ("runwire.prompts:BasePromptTemplate", ["langchain_core.prompts:BasePromptTemplate"]),
    ("runwire.output_parsers:BaseOutputParser", ["langchain_core.output_parsers:BaseOutputParser"]),
    ("runwire.vectorstores:VectorStore", ["langchain_core.vectorstores:VectorStore"]),
    ("runwire.embeddings:Embeddings", ["langchain_core.embeddings:Embeddings"]),
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
    """Public methods of langchain-core's base classes exist in runwire's twin or are listed."""
    cls = _load(ours)
    wanted = set().union(*(_methods(_load(path)) for path in theirs))
    if cls.__name__ != "Runnable" and issubclass(_load(theirs[0]), _load(LC_RUNNABLES[0])):
        wanted -= _methods(_load(LC_RUNNABLES[1]))  # checked on Runnable
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


def test_every_listed_method_raises_the_explaining_error() -> None:
    """Each METHODS entry is installed on its class (a line added there needs no other change)."""
    for ours, _ in CLASSES:
        cls = _load(ours)
        for name in METHODS[cls.__name__]:
            with pytest.raises(
                NotInRunwireYetError, match=rf"{cls.__name__}\.{name}\(\) is not in runwire yet"
            ):
                getattr(cls, name)


def test_a_message_instance_explains_a_missing_method_despite_its_extra_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """BaseMessage reads extra fields in `__getattr__`; a listed method still explains itself
    (a stand-in entry: every langchain-core BaseMessage method has landed)."""
    from runwire._not_yet import _NotYetMethod
    from runwire.messages import BaseMessage, HumanMessage

    name = "not_ported_yet"
    monkeypatch.setattr(BaseMessage, name, _NotYetMethod("BaseMessage", name), raising=False)
    message = HumanMessage("hi", source="test")
    assert message.source == "test"
    with pytest.raises(NotInRunwireYetError, match=f"BaseMessage.{name}"):
        getattr(message, name)
    with pytest.raises(AttributeError) as unknown:
        _ = message.no_such_field
    assert type(unknown.value) is AttributeError


def test_every_langchain_core_module_has_a_runwire_twin_or_is_listed_as_missing() -> None:
    """A public langchain_core module is importable as runwire's twin, or it (or a package
    above it) is in MISSING_MODULES."""
    unlisted = []
    for name in _lc_modules():
        if _missing(name):
            continue
        try:
            importlib.import_module(name)
        except ImportError:
            unlisted.append(name)
    assert not unlisted, f"add these to runwire._not_yet.MISSING_MODULES (or to runwire): {unlisted}"


def test_the_missing_modules_table_lists_only_langchain_core_modules_runwire_lacks() -> None:
    """Each entry is a real langchain_core module, and runwire has no file for it (else delete
    the line); only the top-most missing module of a branch is listed."""
    for name in sorted(MISSING_MODULES):
        parent, _, _ = name.rpartition(".")
        assert importlib.util.find_spec("langchain_core" + name.removeprefix("runwire")), name
        assert not _missing(parent), f"{name}: its package {parent} is listed already"
        path = getattr(importlib.import_module(parent), "__path__", None)  # None: a module, no package
        assert path is None or importlib.machinery.PathFinder.find_spec(name, path) is None, (
            f"runwire has {name}"
        )


def test_importing_a_missing_module_names_its_langchain_core_twin() -> None:
    """`import runwire.x`, `from runwire.x import Name` and `from runwire import x` name the
    langchain_core module and the guide; a submodule's error says which package to import from.
    An unknown module stays Python's own ModuleNotFoundError."""
    top = min(m for m in MISSING_MODULES if m.count(".") == 1)
    sub = min(m for m in MISSING_MODULES if m.count(".") == 2)
    twin = "langchain_core." + top.removeprefix("runwire.")
    expected = f"The module {twin} is not in runwire yet. See docs/migration.md"
    with pytest.raises(NotInRunwireYetModuleError) as imported:
        importlib.import_module(top)
    assert str(imported.value).startswith(expected)
    assert imported.value.name == top
    for statement in (f"from {top} import Anything", "from runwire import " + top.rpartition(".")[2]):
        with pytest.raises(ImportError, match=r"^The module langchain_core\.\S+ is not in runwire yet"):
            exec(statement, {})
    package, _, module = sub.rpartition(".")
    for statement in (f"import {sub}", f"from {package} import {module}"):
        with pytest.raises(ImportError) as caught:
            exec(statement, {})
        assert str(caught.value).endswith(f"The names of it that runwire has are importable from {package}.")
    with pytest.raises(ModuleNotFoundError) as unknown:
        importlib.import_module("runwire.no_such_module")
    assert type(unknown.value) is ModuleNotFoundError


DOCUMENTED = [  # modules whose MODULES entries the guide lists by name (messages and exceptions
    # name a few of their many missing TypedDicts and errors, then "...")
    "runwire.callbacks", "runwire.prompts", "runwire.prompt_values", "runwire.output_parsers",
    "runwire.language_models", "runwire.tools", "runwire.retrievers", "runwire.tracers",
]  # fmt: skip


def test_the_migration_guide_lists_what_is_not_in_runwire_yet() -> None:
    """Each missing method, top-level module and (for the modules above) name appears in the
    guide's "Not supported yet" section, in backticks, so the errors' pointer leads somewhere."""
    from pathlib import Path

    guide = (Path(__file__).parents[1] / "docs" / "migration.md").read_text(encoding="utf-8")
    section = guide.split("## Not supported yet", 1)[1].split("\n## ", 1)[0]
    wanted = {name for names in METHODS.values() for name in names}
    wanted |= {m.removeprefix("runwire.") for m in MISSING_MODULES if m.count(".") == 1}
    wanted |= {n for m in DOCUMENTED for n in MODULES.get(m, ()) if not n.startswith("_")}
    unlisted = sorted(n for n in wanted if f"`{n}" not in section)
    assert not unlisted, f"name these in docs/migration.md's 'Not supported yet': {unlisted}"
