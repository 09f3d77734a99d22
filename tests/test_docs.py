"""The docs run: every ```python block under docs/ is executed, and printed output is checked.

Each page runs as one script in a fresh interpreter (its blocks share one namespace, in page
order, as a reader would paste them). A block whose next fence is an ```output block must print exactly
that text (run ids are normalised). A block whose fence says `skip-run` (with
its reason in the fence title, shown on the page) is not run. The last test builds the site and
checks that no page loads anything from the internet.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SENTINEL = "----runwire-docs-block-{}----"
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DURATION = re.compile(r"(?<=  )\d+(?:ms|\.\d\ds)(?=$|  )", re.MULTILINE)  # a run tree's timings
# A built page must load nothing from the internet: no script, stylesheet, font, image or frame.
EXTERNAL = re.compile(r"""(?:\b(?:src|href)\s*=|url\(|@import)\s*(?:url\()?\s*["']?(?:https?:)?//""")
LOADS = re.compile(r"<(?:script|link|img|iframe|source|embed|video|audio)\b[^>]*>|url\([^)]*\)|@import[^;]*;")


@dataclass(frozen=True)
class Block:
    line: int
    source: str
    expected: str | None  # the ```output block that follows, if any


def page_blocks(page: Path) -> tuple[list[Block], int]:
    """The runnable python blocks of a page, and how many were marked skip-run."""
    text = page.read_text(encoding="utf-8")
    fences = list(FENCE.finditer(text))
    blocks, skipped = [], 0
    for index, fence in enumerate(fences):
        info = fence["info"].strip()
        if info.split(" ", 1)[0] != "python":
            continue
        if "skip-run" in info:
            assert "skip-run:" in info, f"{page.name}: a skip-run fence must give its reason ({info!r})"
            skipped += 1
            continue
        following = fences[index + 1] if index + 1 < len(fences) else None
        expected = None
        if following is not None and following["info"].strip() == "output":
            expected = following["body"]  # the next fence, even with a sentence in between
        line = text.count("\n", 0, fence.start()) + 1
        blocks.append(Block(line, fence["body"], expected))
    return blocks, skipped


def normalise(text: str) -> str:
    return DURATION.sub("<time>", UUID.sub("<uuid>", text)).rstrip()


PAGES = sorted(p for p in DOCS.rglob("*.md") if page_blocks(p)[0])


def test_docs_have_runnable_code() -> None:
    """Guides exist and most of their code runs (skip-run stays the exception)."""
    runnable = sum(len(page_blocks(p)[0]) for p in DOCS.rglob("*.md"))
    skipped = sum(page_blocks(p)[1] for p in DOCS.rglob("*.md"))
    assert runnable >= 20
    assert skipped <= runnable // 4


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_code_runs_and_prints_what_the_page_says(page: Path, tmp_path: Path) -> None:
    """Every python block of the page runs in order; each ```output block matches what it printed."""
    blocks, _ = page_blocks(page)
    script = tmp_path / "page.py"
    sources = [(b.line, b.source) for b in blocks]
    script.write_text(
        "import sys\n"
        # Not guarded: process pools that spawn re-import this script and re-run the page, as they
        # would re-run a reader's pasted script, so a page guards its own entry points (a worker's
        # stray output fails the comparison). Only the parent prints the block markers.
        f"for _i, (_line, _src) in enumerate({json.dumps(sources)}):\n"
        "    if __name__ == '__main__':\n"
        f"        print({SENTINEL!r}.format(_i), flush=True)\n"
        f"    exec(compile(_src, {str(page.relative_to(ROOT))!r} + f':{{_line}}', 'exec'), globals())\n"
        "    sys.stdout.flush()\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
        env={"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path), "PYTHONHASHSEED": "0"},
    )
    assert done.returncode == 0, f"{page.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    outputs = re.split(r"----runwire-docs-block-\d+----\n", done.stdout)[1:]
    assert len(outputs) == len(blocks)
    for block, printed in zip(blocks, outputs, strict=True):
        if block.expected is not None:
            assert normalise(printed) == normalise(block.expected), f"{page.name}:{block.line}"


@pytest.mark.skipif(shutil.which("mkdocs", path=str(Path(sys.executable).parent)) is None, reason="no mkdocs")
def test_site_builds_strict_and_loads_nothing_from_the_internet(tmp_path: Path) -> None:
    """`mkdocs build --strict` passes and no built page or stylesheet loads an external URL."""
    site = tmp_path / "site"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
        env={"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path), "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    external = {
        f"{page.relative_to(site)}: {load}"
        for page in [*site.rglob("*.html"), *site.rglob("*.css")]
        for load in LOADS.findall(page.read_text(encoding="utf-8"))
        if EXTERNAL.search(load)
    }
    assert not external, sorted(external)
    # Material's script fetches mermaid from a CDN only for a mermaid diagram: keep there none.
    assert not [p for p in site.rglob("*.html") if 'class="mermaid"' in p.read_text(encoding="utf-8")]
