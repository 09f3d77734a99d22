"""Trace stores are untrusted files: a hand-edited DB with wrong types, huge values, invalid JSON,
path-like names, markup or terminal escapes must not crash `runwire traces list/show/export/
replay`, must not drive the terminal, and must not write outside the folder."""

from __future__ import annotations

import contextlib
import io
import sqlite3
import sys
from pathlib import Path

import pytest

from runwire.cli import main
from tracers.helpers import qa_chain, record

CHAIN = "import sys\nsys.path.insert(0, {tests!r})\nfrom tracers.helpers import qa_chain\nqa = qa_chain()\n"
EVIL = [
    ("name", "../../etc/passwd"),
    ("name", "<script>alert(1)</script>"),
    ("name", "x" * 1_000_000),
    ("name", 5),
    ("name", b"\xff\xfe"),
    ("name", "\x1b[2J\x1b]0;owned\x07"),
    ("id", "not-a-uuid; DROP TABLE runs"),
    ("inputs", "{not json"),
    ("inputs", "[1, 2]"),
    ("inputs", "5"),
    ("inputs", b"\x00\x01"),
    ("inputs", '{"a":' + "[" * 50_000 + "]" * 50_000 + "}"),
    ("outputs", "{not json"),
    ("tags", "{not json"),
    ("tags", "[1, {}]"),
    ("metadata", "oops"),
    ("extra", "[]"),
    ("start_time", "yesterday"),
    ("start_time", 1e300),
    ("start_time", -1e18),
    ("end_time", "x"),
    ("end_time", float("nan")),
    ("status", "weird"),
    ("error", 12),
    ("model", 7),
    ("input_tokens", "lots"),
    ("total_tokens", 10**18),
]
ACTIONS = [
    ["list"],
    ["list", "--json"],
    ["show", "latest"],
    ["export", "latest"],
    ["export", "latest", "--format", "jsonl"],
    ["stats"],
    ["replay", "latest", "--chain", "evilchains:qa"],
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    db = tmp_path_factory.mktemp("pristine") / "t.db"
    record(db, [(qa_chain(), {"number": "1"})]).close()
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
    return db.read_bytes()


@pytest.mark.parametrize(("column", "value"), EVIL, ids=[f"{c}-{i}" for i, (c, _) in enumerate(EVIL)])
def test_a_tampered_store_gives_a_clear_error_or_sane_output(
    pristine: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: str, value: object
) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    db = folder / "t.db"
    db.write_bytes(pristine)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        if column == "id":  # every row points at the new root id, which is not a UUID
            conn.execute("UPDATE runs SET parent_id = ? WHERE parent_id IS NOT NULL", (value,))
            conn.execute("UPDATE runs SET id = ? WHERE id = trace_id", (value,))
            conn.execute("UPDATE runs SET trace_id = ?", (value,))
        else:
            conn.execute(f"UPDATE runs SET {column} = ?", (value,))
        conn.commit()
    (tmp_path / "evilchains.py").write_text(CHAIN.format(tests=str(Path(__file__).parents[1])))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    for action in ACTIONS:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["traces", *action, "--db", str(db)])
        assert code in (0, 1, 2, 4, 5), (action, code, err.getvalue())
        if code not in (0, 1):
            assert err.getvalue().startswith("runwire: "), err.getvalue()
        assert "\x1b" not in out.getvalue() + err.getvalue()
    after = sorted(p.name for p in tmp_path.rglob("*") if "__pycache__" not in p.parts)
    assert set(after) - set(before) <= {"t.db-wal", "t.db-shm", "__pycache__"}
    sys.modules.pop("evilchains", None)
