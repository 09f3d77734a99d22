"""What a trace keeps of errors (type, message, bounded traceback, secrets scrubbed) and of
tool calls, and how `show`'s drawing presents them."""

from __future__ import annotations

from pathlib import Path

from runwire.runnables import RunnableLambda
from runwire.tracers import NONE, TraceStore
from runwire.tracers.content import TRACEBACK_CHARS
from runwire.tracers.render import plain, tree_lines
from runwire.tracers.sqlite import SQLiteTracer

SECRET = "sk-proj-" + "A1b2C3d4" * 6


def _fail(db: Path, error: Exception, depth: int = 0, **tracer: object) -> dict[str, object]:
    """Run a lambda that raises `error` `depth` calls deep; return its stored error record."""

    def dig(n: int) -> None:
        if n == 0:
            raise error
        dig(n - 1)

    tracer_ = SQLiteTracer(db, **tracer)  # type: ignore[arg-type]
    try:
        RunnableLambda(lambda _: dig(depth)).invoke(1, {"callbacks": [tracer_]})
    except type(error):
        pass
    tracer_.close()
    with TraceStore(db) as store:
        (run,) = store.records(store.resolve("latest"))
    (event,) = [e for e in run["events"] if e["name"] == "error"]
    return event["kwargs"]  # type: ignore[no-any-return]


def test_an_error_keeps_its_type_message_and_traceback(tmp_path: Path) -> None:
    detail = _fail(tmp_path / "t.db", KeyError("no such user"))
    assert detail["type"] == "KeyError"
    assert detail["message"] == "'no such user'"
    assert "in dig" in str(detail["traceback"])
    assert str(detail["traceback"]).rstrip().endswith("KeyError: 'no such user'")


def test_a_deep_traceback_is_bounded_and_keeps_the_innermost_frames(tmp_path: Path) -> None:
    detail = _fail(tmp_path / "t.db", ValueError("deep " * 50), depth=300)
    text = str(detail["traceback"])
    assert len(text) <= TRACEBACK_CHARS + 50
    assert text.count("in dig") <= 20
    assert text.rstrip().endswith("ValueError: " + ("deep " * 50).rstrip())


def test_secrets_in_an_error_are_scrubbed_and_policy_none_keeps_the_type_only(tmp_path: Path) -> None:
    detail = _fail(tmp_path / "a.db", PermissionError(f"bad key {SECRET}"))
    assert SECRET not in str(detail)
    assert "bad key" in str(detail["message"])
    assert _fail(tmp_path / "b.db", PermissionError(SECRET), content=NONE) == {"type": "PermissionError"}


def test_show_draws_tool_calls_and_the_error_where_it_happened(tmp_path: Path) -> None:
    """A model turn that calls tools shows the calls (name, arguments, id), not an empty `out`;
    the error's type, message and innermost frame are drawn under the run that raised it."""
    from viewer.traces import agent

    db = tmp_path / "t.db"
    tracer = SQLiteTracer(db)
    agent().invoke({"input": "What is (2 + 3) * 4?"}, {"callbacks": [tracer]})

    def explode(_: object) -> None:
        raise ValueError("cannot divide by zero")

    try:
        (RunnableLambda(lambda x: x) | RunnableLambda(explode)).invoke(1, {"callbacks": [tracer]})
    except ValueError:
        pass
    tracer.close()
    with TraceStore(db) as store:
        roots = [r["id"] for r in store.traces()]
        failed, agent_run = (plain(tree_lines(store.tree(i), show_io=True)) for i in roots)
    assert 'out → add({"a": 2, "b": 3}) #call_add' in agent_run
    assert 'out → multiply({"a": 5, "b": 4}) #call_multiply' in agent_run
    assert "AI: → add" in agent_run  # the call, in the next turn's input messages
    assert failed.count("err ValueError: cannot divide by zero") == 1
    lines = failed.splitlines()
    at = next(n for n, line in enumerate(lines) if "err ValueError" in line)
    assert "explode" in lines[at - 2]  # under the failing step, not under the root
    assert "in explode" in lines[at + 1]
