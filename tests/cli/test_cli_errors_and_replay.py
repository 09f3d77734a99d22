"""The CLI's exit codes and messages, and `runwire traces replay`."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from pathlib import Path

import pytest
from inline_snapshot import snapshot

from runwire.tracers import TraceStore

from .conftest import Cli

CHAINS = '''
import itertools
from runwire.language_models import GenericFakeChatModel
from runwire.output_parsers import StrOutputParser
from runwire.prompts import ChatPromptTemplate
from runwire.runnables import RunnableLambda

def never_called():
    """A model that raises if it is ever called."""
    return GenericFakeChatModel(messages=iter(()))

qa = ChatPromptTemplate.from_template("What is 1 + {number}?") | never_called() | StrOutputParser()

def make_twice():
    llm = never_called()
    def ask_twice(question):
        first = llm.invoke(question).content
        return f"{first} / {llm.invoke(f'and then {first}?').content}"
    return RunnableLambda(ask_twice)

extra_call = ChatPromptTemplate.from_template("What is 1 + {number}?") | never_called() | (
    lambda message: never_called().invoke(message.content))

shouting = ChatPromptTemplate.from_template("What is 1 + {number}?") | never_called() | (
    lambda message: message.content.upper())
'''


@pytest.fixture
def chains(tmp_path: Path) -> Path:
    (tmp_path / "mychains.py").write_text(textwrap.dedent(CHAINS))
    return tmp_path


def _root(db: Path, name: str, status: str = "ok") -> str:
    with TraceStore(db) as store:
        return next(r["id"] for r in store.traces(limit=None, name=name, status=status))


def test_replay_reruns_a_recorded_trace_without_the_model(cli: Cli, store: Path, chains: Path) -> None:
    """`replay ID --chain module:attr` invokes the chain on the recorded input with recorded
    replies, prints the output as JSON and exits 0 when it matches the recording."""
    done = cli(
        "traces", "replay", _root(store, "RunnableSequence"), "--chain", "mychains:qa", "--db", str(store)
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "The answer is 3."
    assert done.stderr == snapshot("""\
replayed 1 of 1 recorded model calls
the output matches the recorded output
""")


def test_replay_accepts_a_factory_and_serves_calls_in_order(cli: Cli, store: Path, chains: Path) -> None:
    """`module:function` builds the runnable; two calls get the two recorded replies in order."""
    done = cli(
        "traces", "replay", _root(store, "ask_twice"), "--chain", "mychains:make_twice", "--db", str(store)
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "first / second"


def test_replay_exits_1_when_the_output_differs(cli: Cli, store: Path, chains: Path) -> None:
    """A changed chain that produces another output is reported, with exit code 1."""
    done = cli(
        "traces",
        "replay",
        _root(store, "RunnableSequence"),
        "--chain",
        "mychains:shouting",
        "--db",
        str(store),
    )
    assert done.returncode == 1
    assert json.loads(done.stdout) == "THE ANSWER IS 3."
    assert "the output differs from the recorded output" in done.stderr


def test_replay_with_a_new_input_reports_the_divergence(cli: Cli, store: Path, chains: Path) -> None:
    """`--input` replaces the recorded input; the changed prompt is named as a divergence, and
    the replay exits 1 (it did not reproduce the recording)."""
    run_id = _root(store, "RunnableSequence")
    done = cli(
        "traces", "replay", run_id, "--chain", "mychains:qa", "--input", '{"number": "9"}', "--db", str(store)
    )
    assert done.returncode == 1, done.stderr
    assert "the replay diverged from the recording" in done.stderr
    recorded, replayed = "'Human: What is 1 + 3?'", "'Human: What is 1 + 9?'"
    expected = f"diverged: call 1 to GenericFakeChatModel: recorded {recorded}, replayed {replayed}"
    assert expected in done.stderr


def test_a_call_the_recording_cannot_answer_names_the_cli_flag(cli: Cli, store: Path, chains: Path) -> None:
    """Strict replay of a chain that makes a call the recording lacks exits 1, says where the
    call was made, and points at `--no-strict` (the CLI's flag), not a Python keyword."""
    run_id = _root(store, "RunnableSequence")
    done = cli("traces", "replay", run_id, "--chain", "mychains:extra_call", "--db", str(store))
    assert done.returncode == 1
    assert "no unserved reply for 'GenericFakeChatModel' at RunnableSequence > RunnableLambda" in done.stderr
    assert "Pass --no-strict to call the model instead" in done.stderr
    assert "strict=False" not in done.stderr


def test_replay_of_a_chain_that_cannot_be_imported_is_a_usage_error(cli: Cli, store: Path) -> None:
    """A bad `--chain` spec exits 2 and says what could not be loaded."""
    done = cli("traces", "replay", "latest", "--chain", "nowhere:chain", "--db", str(store))
    assert done.returncode == 2
    assert done.stderr.startswith(
        "runwire traces replay: cannot load 'nowhere:chain': No module named 'nowhere'"
    )


def test_a_missing_store_exits_3(cli: Cli, tmp_path: Path) -> None:
    """No file at --db: exit 3 and a message saying how to record runs."""
    done = cli("traces", "list", "--db", str(tmp_path / "absent.db"))
    assert done.returncode == 3
    assert mask_path(done.stderr, tmp_path) == snapshot(
        "runwire: no trace store at <tmp>/absent.db. Record runs first (RUNWIRE_TRACE=sqlite, or "
        "runwire.tracing('sqlite:<tmp>/absent.db')) or pass --db / set RUNWIRE_DB to an existing store.\n"
    )


def test_a_corrupt_store_exits_4(cli: Cli, tmp_path: Path) -> None:
    """A file that is not SQLite, or SQLite without runwire's tables: exit 4."""
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 512)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE x (y)")
    for path, message in ((junk, "is not a usable trace store"), (foreign, "not a runwire trace store")):
        done = cli("traces", "show", "latest", "--db", str(path))
        assert done.returncode == 4
        assert message in done.stderr


def test_an_unknown_or_ambiguous_id_exits_5(cli: Cli, store: Path) -> None:
    """No run with that id, or a prefix matching several: exit 5 with the reason."""
    unknown = cli("traces", "show", "fffffff", "--db", str(store))
    ambiguous = cli("traces", "export", "0", "--db", str(store))
    assert (unknown.returncode, ambiguous.returncode) == (5, 5)
    assert "no run id starts or ends with 'fffffff'" in unknown.stderr
    assert "matches 5 traces" in ambiguous.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["traces"],
        ["traces", "list", "--status", "maybe"],
        ["traces", "prune"],
        ["traces", "list", "--since", "yesterday-ish"],
        ["traces", "prune", "--older-than", "7 fortnights"],
    ],
    ids=["no-action", "bad-choice", "prune-without-rule", "bad-since", "bad-duration"],
)
def test_usage_errors_exit_2(cli: Cli, store: Path, args: list[str]) -> None:
    """Missing or malformed arguments exit 2 with a message on stderr."""
    done = cli(*args, "--db", str(store)) if len(args) > 1 else cli(*args)
    assert done.returncode == 2
    assert done.stderr.strip()


def test_runwire_db_env_names_the_store(cli: Cli, store: Path) -> None:
    """Without --db, `$RUNWIRE_DB` is the store."""
    done = cli("traces", "list", "--json", RUNWIRE_DB=str(store))
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 5


def test_help_documents_the_exit_codes(cli: Cli) -> None:
    """`--help` lists the exit codes."""
    done = cli("traces", "list", "--help")
    assert "exit codes: 0 ok, 1 replay differs or failed, 2 usage error, 3 no trace store" in " ".join(
        done.stdout.split()
    )


def mask_path(text: str, path: Path) -> str:
    return text.replace(str(path), "<tmp>")


def test_the_cli_works_without_rich(store: Path, tmp_path: Path) -> None:
    """With rich not importable (a plain install) and colour forced, output is plain ANSI."""
    import subprocess
    import sys

    from .conftest import environment

    code = (
        "import sys; sys.modules['rich'] = None\n"
        "from runwire.cli import main\n"
        f"sys.exit(main(['traces', 'show', 'latest', '--db', {str(store)!r}]))\n"
    )
    env = environment(FORCE_COLOR="1")
    env.pop("NO_COLOR")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "\033[32m✓\033[0m \033[1mask_twice\033[0m" in done.stdout
