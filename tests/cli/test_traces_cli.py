"""`runwire traces ...` against a store filled by real runs (subprocess; ids and times masked)."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from inline_snapshot import snapshot

from runwire.tracers import TraceStore
from tracers.helpers import mask, qa_chain

from .conftest import Cli, environment


def _ids(db: Path) -> dict[str, str]:
    """Root run ids by root name (the failing chain is `RunnableSequence` with status error)."""
    with TraceStore(db) as store:
        return {f"{r['name']}:{r['status']}": r["id"] for r in store.traces(limit=None)}


def test_list_shows_recent_traces_newest_first(cli: Cli, store: Path) -> None:
    """One row per trace: short id, start, status, duration, total tokens, name, tags."""
    done = cli("traces", "list", "--db", str(store))
    assert done.returncode == 0, done.stderr
    assert mask(done.stdout) == snapshot("""\
ID        STARTED              STATUS   DURATION  TOKENS  NAME                      TAGS
<id1>  <time>  ok       <ms>  24      ask_twice                 -
<id2>  <time>  error    <ms>  12      RunnableSequence          bad
<id3>  <time>  ok       <ms>  12      RunnableSequence          demo
<id4>  <time>  ok       <ms>  12      RunnableSequence          demo
<id5>  <time>  ok       <ms>  12      RunnableSequence          demo
""")
    short_ids = [line.split()[0] for line in done.stdout.splitlines()[1:]]
    assert [len(i) for i in short_ids] == [8] * 5
    with TraceStore(store) as db:
        assert short_ids == [r["id"][-8:] for r in db.traces(limit=None)]


def test_list_filters_by_name_tag_status_and_limit(cli: Cli, store: Path) -> None:
    """--name (with wildcards), --tag, --status and --limit narrow the list."""
    by_tag = cli("traces", "list", "--db", str(store), "--tag", "demo", "--json")
    by_status = cli("traces", "list", "--db", str(store), "--status", "error", "--json")
    by_name = cli("traces", "list", "--db", str(store), "--name", "ask_*", "--json")
    limited = cli("traces", "list", "--db", str(store), "--limit", "2", "--json")
    since = cli("traces", "list", "--db", str(store), "--since", "1h", "--json")
    nothing = cli("traces", "list", "--db", str(store), "--since", "2999-01-01")
    assert [json.loads(line)["tags"] for line in by_tag.stdout.splitlines()] == [["demo"]] * 3
    assert [json.loads(line)["error"] for line in by_status.stdout.splitlines()] == [
        "ValueError(\"cannot use 'The answer is 3.'\")"
    ]
    assert [json.loads(line)["name"] for line in by_name.stdout.splitlines()] == ["ask_twice"]
    assert len(limited.stdout.splitlines()) == 2
    assert len(since.stdout.splitlines()) == 5
    assert (nothing.returncode, nothing.stdout) == (0, "")
    assert "no traces" in nothing.stderr


def test_show_draws_the_tree_like_the_console_tracer(cli: Cli, store: Path) -> None:
    """`show ID` prints a header and the tree with in/out previews; an id prefix is enough."""
    run_id = _ids(store)["RunnableSequence:error"]
    done = cli("traces", "show", run_id[:30], "--db", str(store))
    assert done.returncode == 0, done.stderr
    here = str(Path(__file__).resolve().parents[1])
    assert re.sub(r"line \d+", "line <n>", mask(done.stdout).replace(here, "<tests>")) == snapshot("""\
trace <id1> (<id1>)  started <time>  tags bad
✗ RunnableSequence  chain  <ms>  ValueError("cannot use 'The answer is 3.'")
│ in  {"number": "4"}
├── ✓ ChatPromptTemplate  prompt  <ms>
│     in  {"number": "4"}
│     out Human: What is 1 + 4?
├── ✓ GenericFakeChatModel  llm  <ms>  fake-model-1  12 tokens (7 in, 5 out)
│     in  Human: What is 1 + 4?
│     out The answer is 3.
├── ✓ StrOutputParser  parser  <ms>
│     in  AI: The answer is 3.
│     out The answer is 3.
└── ✗ explode  chain  <ms>  ValueError("cannot use 'The answer is 3.'")
      in  The answer is 3.
      err ValueError: cannot use 'The answer is 3.'
      at  File "<tests>/tracers/helpers.py", line <n>, in explode
""")


def test_show_a_child_run_draws_its_subtree(cli: Cli, store: Path) -> None:
    """The id of a nested run shows that run and what is under it."""
    with TraceStore(store) as db:
        tree = db.tree(_ids(store)["ask_twice:ok"])
    done = cli("traces", "show", str(tree.child_runs[1].id), "--db", str(store), "--no-io")
    assert done.returncode == 0, done.stderr
    assert mask(done.stdout).splitlines()[1:] == snapshot(
        ["✓ GenericFakeChatModel  llm  <ms>  fake-model-1  12 tokens (7 in, 5 out)"]
    )


def test_export_jsonl_has_one_record_per_run_parents_first(cli: Cli, store: Path) -> None:
    """`export --format jsonl` writes each run of the trace as a JSON line, root first."""
    done = cli("traces", "export", "latest", "--format", "jsonl", "--db", str(store))
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["name"], r["run_type"], r["status"]) for r in records] == snapshot(
        [
            ("ask_twice", "chain", "ok"),
            ("GenericFakeChatModel", "llm", "ok"),
            ("GenericFakeChatModel", "llm", "ok"),
        ]
    )
    assert records[1]["parent_id"] == records[0]["id"]
    assert records[1]["usage"] == {"input_tokens": 7, "output_tokens": 5, "total_tokens": 12}


def test_export_json_nests_child_runs(cli: Cli, store: Path, tmp_path: Path) -> None:
    """`export --format json -o FILE` writes the tree as one document with `child_runs`."""
    run_id = _ids(store)["RunnableSequence:error"]
    done = cli("traces", "export", run_id, "--db", str(store), "-o", str(tmp_path / "t.json"))
    assert (done.returncode, done.stdout) == (0, "")
    tree = json.loads((tmp_path / "t.json").read_text())
    assert [c["name"] for c in tree["child_runs"]] == [
        "ChatPromptTemplate",
        "GenericFakeChatModel",
        "StrOutputParser",
        "explode",
    ]
    assert tree["inputs"] == {"number": "4"}
    assert tree["tags"] == ["bad"]


def test_stats_counts_latency_and_tokens_by_model(cli: Cli, store: Path) -> None:
    """`stats` prints trace/run counts, p50/p95 latency and token sums per model."""
    done = cli("traces", "stats", "--db", str(store))
    assert done.returncode == 0, done.stderr
    assert mask(done.stdout) == snapshot("""\
traces   5 (1 error, 0 running)
runs     20
latency  p50 <ms>  p95 <ms>
tokens by model
  MODEL         CALLS  INPUT  OUTPUT  TOTAL
  fake-model-1  6      42     30      72
""")
    summary = json.loads(cli("traces", "stats", "--db", str(store), "--json").stdout)
    assert summary["models"] == [
        {"model": "fake-model-1", "calls": 6, "input_tokens": 42, "output_tokens": 30, "total_tokens": 72}
    ]


def test_prune_keeps_the_newest_and_drops_the_old(cli: Cli, store: Path) -> None:
    """`--keep N` leaves the N newest traces; `--dry-run` only counts; `--older-than` by age."""
    dry = cli("traces", "prune", "--keep", "2", "--dry-run", "--db", str(store))
    assert dry.stdout == "would prune 3 traces (12 runs, 0 events)\n"
    kept = cli("traces", "prune", "--keep", "2", "--db", str(store))
    assert kept.stdout == "pruned 3 traces (12 runs, 0 events)\n"
    with TraceStore(store) as db:
        assert [r["name"] for r in db.traces()] == ["ask_twice", "RunnableSequence"]
    young = cli("traces", "prune", "--older-than", "1d", "--db", str(store))
    assert young.stdout == "pruned 0 traces (0 runs, 0 events)\n"
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_tail_prints_traces_as_they_finish_and_stops_at_max(store: Path, tmp_path: Path) -> None:
    """`tail --max 2` prints the next two traces that finish (not older ones), then exits 0."""
    from runwire.tracers.sqlite import SQLiteTracer

    follower = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "runwire",
            "traces",
            "tail",
            "--db",
            str(store),
            "--max",
            "2",
            "--timeout",
            "30",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )
    assert follower.stdout is not None
    header = follower.stdout.readline()  # the cursor is taken before the header is printed
    tracer = SQLiteTracer(store, flush_interval=0.01)
    for number in (7, 8, 9):
        qa_chain().invoke({"number": str(number)}, {"callbacks": [tracer], "tags": [f"n{number}"]})
        tracer.flush()
    tracer.close()
    out, err = follower.communicate(timeout=60)
    assert follower.returncode == 0, err
    assert header.split() == ["ID", "STARTED", "STATUS", "DURATION", "TOKENS", "NAME", "TAGS"]
    assert [line.split()[-1] for line in out.splitlines()] == ["n7", "n8"]


def test_tail_stops_at_its_timeout(cli: Cli, store: Path) -> None:
    """With nothing new, `tail --timeout` returns after the timeout with exit code 0."""
    done = cli("traces", "tail", "--db", str(store), "--timeout", "0.5")
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 1  # the header only


def test_the_console_script_is_installed(store: Path) -> None:
    """`runwire` (the [project.scripts] entry) runs the same CLI as `python -m runwire`."""
    script = Path(sys.executable).with_name("runwire")
    done = subprocess.run(
        [str(script), "traces", "list", "--db", str(store), "--json", "--limit", "1"],
        capture_output=True,
        text=True,
        env=environment(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["name"] == "ask_twice"


def test_commands_take_the_short_id_list_prints(cli: Cli, store: Path) -> None:
    """The first column of `list` is accepted by show and export (replay resolves ids the same
    way); `show` alone shows the latest trace."""
    listed = cli("traces", "list", "--db", str(store), "--name", "ask_twice")
    short = listed.stdout.splitlines()[1].split()[0]
    shown = cli("traces", "show", short, "--db", str(store), "--no-io")
    latest = cli("traces", "show", "--db", str(store), "--no-io")
    exported = cli("traces", "export", short, "--db", str(store))
    assert (shown.returncode, latest.returncode, exported.returncode) == (0, 0, 0), shown.stderr
    assert shown.stdout.startswith(f"trace {short} (")
    assert shown.stdout == latest.stdout  # ask_twice is the newest trace
    assert json.loads(exported.stdout)["id"].endswith(short)


TAIL_ARGS = ("--timeout", "30", "--interval", "0.05")


def test_tail_waits_for_a_store_that_does_not_exist_yet(tmp_path: Path) -> None:
    """`tail` on a path with no store says it waits, then prints the first traces once a
    program starts recording there; its header lines up with its rows."""
    from runwire.tracers.sqlite import SQLiteTracer

    db = tmp_path / "later.db"
    follower = subprocess.Popen(
        [sys.executable, "-m", "runwire", "traces", "tail", "--db", str(db), "--max", "1", *TAIL_ARGS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )
    assert follower.stderr is not None
    assert "waiting for a trace store to appear" in follower.stderr.readline()
    tracer = SQLiteTracer(db, flush_interval=0.01)
    qa_chain().invoke({"number": "1"}, {"callbacks": [tracer], "tags": ["first"]})
    tracer.close()
    out, err = follower.communicate(timeout=60)
    assert follower.returncode == 0, err
    header, row = out.splitlines()
    assert row.split()[-1] == "first"
    assert header.index("ID") == row.index(row.split()[0]) == 0
    for column, cell in {"STATUS": "ok", "TOKENS": "12", "NAME": "RunnableSequence"}.items():
        assert header.index(column) == row.index(f" {cell} ") + 1, (header, row)


def test_version_flag_prints_the_version(cli: Cli) -> None:
    from runwire import __version__

    done = cli("--version")
    assert (done.returncode, done.stdout) == (0, f"runwire {__version__}\n")


def test_ui_warns_before_binding_beyond_loopback() -> None:
    """Binding 0.0.0.0 (every interface) is allowed, with a warning; loopback needs none."""
    from runwire.viewer.server import exposure_warning

    warning = exposure_warning("0.0.0.0")
    assert warning is not None
    assert "0.0.0.0" in warning
    assert "anyone who can reach this machine" in warning
    assert exposure_warning("127.0.0.1") is None
    assert exposure_warning("::1") is None
