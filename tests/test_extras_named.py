"""Every install hint names an extra that exists: `pip install "runwire[x]"` in the docs, the
README, examples, the Makefile and the errors raised by src/ must name an extra pyproject.toml
defines (extras get renamed, e.g. `log` became `jsonpatch`; a stale hint is a dead end)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
EXTRAS = set(
    tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
)

# `runwire[a,b]` and `.[a,b]` (pip install -e '.[dev,local]'); a `{` is an f-string placeholder.
HINT = re.compile(r"(?:runwire|(?<=['\"\s])\.)\[([A-Za-z0-9_, -]+)\]")
# src/ names extras as arguments too: import_sdk("llama_cpp", "local", ...), _sdk = ("openai", "openai", ...)
SDK = re.compile(
    r"(?:import_sdk\(|_sdk: ClassVar\[tuple\[str, str, str\]\] = \()\s*\"[^\"]*\",\s*\"([^\"]+)\""
)
PLACES = ["src", "docs", "examples", "bench", "scripts"]
FILES = ["README.md", "Makefile", "pyproject.toml", "mkdocs.yml", ".ci/run"]
SUFFIXES = {".py", ".md", ".sh", ".toml", ".yml", ".txt", ".cfg"}


def _texts() -> dict[str, str]:
    paths = [p for place in PLACES for p in (ROOT / place).rglob("*") if p.suffix in SUFFIXES and p.is_file()]
    paths += [ROOT / f for f in FILES if (ROOT / f).is_file()]
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8", errors="replace") for p in paths}


def test_every_extra_named_in_the_repository_exists_in_pyproject() -> None:
    """Each `runwire[...]` / `.[...]` hint and each extra an SDK import names is defined."""
    named: dict[str, set[str]] = {}
    for path, text in _texts().items():
        for match in HINT.finditer(text):
            for extra in match.group(1).split(","):
                named.setdefault(extra.strip(), set()).add(path)
        for match in SDK.finditer(text):
            named.setdefault(match.group(1), set()).add(path)
    assert {"local", "openai", "anthropic", "jsonpatch", "dev"} <= set(named), "the scan found too little"
    unknown = {extra: sorted(paths) for extra, paths in named.items() if extra not in EXTRAS}
    assert not unknown, f"extras named but not defined in pyproject.toml {sorted(EXTRAS)}: {unknown}"


def test_the_missing_dependency_table_names_defined_extras_that_bring_the_package() -> None:
    """runwire._optional.EXTRAS maps a module to (package, extra): the extra must exist and list
    that package, so the hint it prints installs what was missing."""
    from runwire._optional import EXTRAS as TABLE

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    for module, (package, extra) in TABLE.items():
        assert extra in extras, f"{module}: extra {extra!r} is not in pyproject.toml"
        requirement_names = [re.split(r"[<>=!~; ]", r, maxsplit=1)[0] for r in extras[extra]]
        assert package in requirement_names, f"{module}: runwire[{extra}] does not bring {package}"
