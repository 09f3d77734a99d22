"""`runwire traces ...`: the commands, on top of `runwire.tracers.store.TraceStore`.

Each command reads the store on its own connection, so it can run while a program is writing.
Errors are one line on stderr and an exit code (see `runwire.cli`). Not here: argument parsing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from runwire.cli import EXIT_DIFFERS, EXIT_OK, EXIT_USAGE
from runwire.tracers._schema import ForeignFile, StoreError, StoreMissing
from runwire.tracers.render import Line, Output, elapsed, tree_lines
from runwire.tracers.store import RunNotFound, TraceStore, iter_export, short_id

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def seconds(text: str) -> float:
    """`30s`, `10m`, `2h`, `7d`, `1w` in seconds."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration; use a number and a unit: 30s, 10m, 2h, 7d, 1w")
    return float(match.group(1)) * _UNITS[match.group(2)]


def since(text: str | None) -> float | None:
    """A start-time bound from a duration ago (`2h`) or an ISO date/time (local when naive)."""
    if text is None:
        return None
    try:
        return time.time() - seconds(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        raise ValueError(
            f"--since {text!r}: give a duration (30m, 2h, 7d) or an ISO date (2026-11-24)"
        ) from None


def _local(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def _duration(record: dict[str, Any]) -> str:
    end = record["end_time"]
    return elapsed(None if end is None else end - record["start_time"])


# Column widths of a table whose rows come later (`tail`): the header lines up with them.
_WIDTHS = [8, 19, 7, 8, 6, 24, 0]


def _table(rows: list[list[str]]) -> list[Line]:
    widths = [max(_WIDTHS[i], *(len(row[i]) for row in rows)) for i in range(len(rows[0]))]
    styles = ["dim", "", "", "time", "tokens", "name", "dim"]
    lines: list[Line] = []
    for n, row in enumerate(rows):
        line: Line = []
        for i, cell in enumerate(row):
            text = cell if i == len(row) - 1 else cell.ljust(widths[i]) + "  "
            style = "bold" if n == 0 else styles[i]
            if n and i == 2:
                style = {"ok": "ok", "error": "error"}.get(cell, "dim")
            line.append((text, style))
        lines.append(line)
    return lines


_HEADER = ["ID", "STARTED", "STATUS", "DURATION", "TOKENS", "NAME", "TAGS"]


def _row(record: dict[str, Any]) -> list[str]:
    tokens = record.get("trace_tokens")
    return [
        short_id(record["id"]),
        _local(record["start_time"]),
        record["status"],
        _duration(record),
        "-" if tokens is None else str(tokens),
        record["name"],
        ",".join(record["tags"] or ()) or "-",
    ]


# -- commands ------------------------------------------------------------------------------------


def cmd_list(store: TraceStore, args: argparse.Namespace, out: Output) -> int:
    found = store.traces(
        name=args.name, tags=args.tag, status=args.status, since=since(args.since), limit=args.limit
    )
    if args.json:
        for record in found:
            print(json.dumps({"short_id": short_id(record["id"]), **record}, ensure_ascii=False))
        return EXIT_OK
    if not found:
        print(f"no traces in {store.path} match", file=sys.stderr)
        return EXIT_OK
    out.write(_table([_HEADER, *map(_row, found)]))
    return EXIT_OK


def _draw(store: TraceStore, run_id: str, out: Output, show_io: bool) -> None:
    root = store.tree(run_id)
    started = _local(root.start_time.timestamp())
    trace = str(root.trace_id)
    header: Line = [("trace ", "dim"), (short_id(trace), "bold"), (f" ({trace})", "dim")]
    header += [("  started ", "dim"), (started, "")]
    if root.tags:
        header += [("  tags ", "dim"), (", ".join(root.tags), "")]
    out.write([header, *tree_lines(root, show_io=show_io)])


def cmd_show(store: TraceStore, args: argparse.Namespace, out: Output) -> int:
    _draw(store, store.resolve(args.id), out, not args.no_io)
    return EXIT_OK


def cmd_tail(store: TraceStore, args: argparse.Namespace, out: Output) -> int:
    cursor = 0 if getattr(args, "from_start", False) else store.last_rowid()
    pending: dict[str, None] = {}
    shown = 0
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    if not args.tree:
        out.write(_table([_HEADER]))
    while (args.max is None or shown < args.max) and (deadline is None or time.monotonic() < deadline):
        finished: list[dict[str, Any]] = []
        for rowid, record in store.roots_after(cursor):
            cursor = rowid
            if record["status"] == "running":
                pending[record["id"]] = None
            else:
                finished.append(record)
        if pending:
            for record in store.runs(list(pending)):
                if record["status"] != "running":
                    del pending[record["id"]]
                    finished.append(record)
        for record in finished:
            if args.max is not None and shown >= args.max:
                break
            if args.tree:
                _draw(store, record["id"], out, show_io=False)
            else:
                out.write(_table([_HEADER, _row(record)])[1:])
            shown += 1
        if not finished:
            time.sleep(args.interval)
    return EXIT_OK


def cmd_export(store: TraceStore, args: argparse.Namespace, _out: Output) -> int:
    chunks = iter_export(store, store.resolve(args.id), args.format)
    if args.output:
        with Path(args.output).open("w", encoding="utf-8") as file:
            file.writelines(chunk + "\n" for chunk in chunks)
    else:
        for chunk in chunks:
            print(chunk)
    return EXIT_OK


def cmd_stats(store: TraceStore, args: argparse.Namespace, out: Output) -> int:
    summary = store.stats(since=since(args.since), name=args.name)
    if args.json:
        print(json.dumps(summary, indent=2))
        return EXIT_OK
    counts = f"{summary['traces']} ({summary['errors']} error, {summary['running']} running)"
    lines: list[Line] = [
        [("traces   ", "bold"), (counts, "")],
        [("runs     ", "bold"), (str(summary["runs"]), "")],
        [("latency  ", "bold"), (f"p50 {elapsed(summary['p50'])}  p95 {elapsed(summary['p95'])}", "time")]
        if summary["p50"] is not None
        else [("latency  ", "bold"), ("-", "dim")],
    ]
    if summary["models"]:
        lines.append([("tokens by model", "bold")])
        rows = [["MODEL", "CALLS", "INPUT", "OUTPUT", "TOTAL"]] + [
            [
                m["model"],
                str(m["calls"]),
                str(m["input_tokens"]),
                str(m["output_tokens"]),
                str(m["total_tokens"]),
            ]
            for m in summary["models"]
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for n, row in enumerate(rows):
            text = "  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
            lines.append([(text, "bold" if n == 0 else "")])
    out.write(lines)
    return EXIT_OK


def cmd_prune(store: TraceStore, args: argparse.Namespace, _out: Output) -> int:
    if args.older_than is None and args.keep is None:
        print("runwire traces prune: give --older-than DURATION and/or --keep N", file=sys.stderr)
        return EXIT_USAGE
    if args.keep is not None and args.keep < 0:
        print("runwire traces prune: --keep must be 0 or more", file=sys.stderr)
        return EXIT_USAGE
    cutoff = None if args.older_than is None else time.time() - seconds(args.older_than)
    counts = store.prune(older_than=cutoff, keep=args.keep, dry_run=args.dry_run)
    verb = "would prune" if args.dry_run else "pruned"
    print(f"{verb} {counts['traces']} traces ({counts['runs']} runs, {counts['events']} events)")
    return EXIT_OK


def load_runnable(spec: str) -> Any:
    """The runnable `module:attr` names (a zero-argument function returning one also works)."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"--chain {spec!r}: expected module:attr, e.g. myapp.chains:qa_chain")
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.insert(0, cwd)  # as `python -m` would: modules next to the caller import
    value: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        value = getattr(value, part)
    if not hasattr(value, "invoke") and callable(value):
        value = value()
    if not hasattr(value, "invoke"):
        raise ValueError(f"--chain {spec!r} is a {type(value).__name__}, not a runnable")
    return value


def cmd_replay(store: TraceStore, args: argparse.Namespace, _out: Output) -> int:
    from runwire.tracers.content import to_jsonable
    from runwire.tracers.replay import Recording, Replay, ReplayError, revive

    records = store.records(store.resolve(args.id))
    recording = Recording.from_records(records)
    try:
        runnable = load_runnable(args.chain)
    except (ImportError, AttributeError, ValueError) as exc:
        print(f"runwire traces replay: cannot load {args.chain!r}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    given = revive(json.loads(args.input)) if args.input is not None else recording.root_input
    replay = Replay(recording, strict=not args.no_strict)
    try:
        output = replay.run(runnable, given)
    except ReplayError as exc:
        message = str(exc).replace("Replay with strict=False (CLI: --no-strict)", "Pass --no-strict")
        print(f"runwire traces replay: {message}", file=sys.stderr)
        return EXIT_DIFFERS
    except Exception as exc:
        print(f"runwire traces replay: the replayed run failed: {exc!r}", file=sys.stderr)
        return EXIT_DIFFERS
    print(json.dumps(to_jsonable(output), ensure_ascii=False, indent=2))
    print(f"replayed {replay.served} of {len(recording)} recorded model calls", file=sys.stderr)
    for divergence in replay.divergences:
        print(f"diverged: {divergence}", file=sys.stderr)
    if replay.divergences:
        print("the replay diverged from the recording (the models were sent other messages)", file=sys.stderr)
        return EXIT_DIFFERS
    if to_jsonable(output) != recording.root_output:
        print("the output differs from the recorded output", file=sys.stderr)
        return EXIT_DIFFERS
    print("the output matches the recorded output", file=sys.stderr)
    return EXIT_OK


COMMANDS: dict[str, Callable[[TraceStore, argparse.Namespace, Output], int]] = {
    "list": cmd_list,
    "show": cmd_show,
    "tail": cmd_tail,
    "export": cmd_export,
    "stats": cmd_stats,
    "prune": cmd_prune,
    "replay": cmd_replay,
}


def _wait_for_store(args: argparse.Namespace) -> TraceStore | None:
    """`tail` on a store not made yet: say so once, then wait for the first traced run to make it
    (None when --timeout passes first)."""
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    told = False
    while True:
        try:
            store = TraceStore(args.db)
            args.from_start = told  # every run in a store that was just made is new
            return store
        except StoreError as exc:
            if told and not isinstance(exc, ForeignFile | StoreMissing):
                pass  # the file exists, its tables are being made: the writer is migrating it
            elif not isinstance(exc, StoreMissing):
                raise
            elif not told:
                print(f"runwire: waiting for a trace store to appear ({exc})", file=sys.stderr, flush=True)
                told = True
        if deadline is not None and time.monotonic() >= deadline:
            return None
        time.sleep(args.interval)


def run(args: argparse.Namespace) -> int:
    """Dispatch a parsed `runwire traces ...` command."""
    out = Output(sys.stdout, color=False if args.no_color else None)
    try:
        store = _wait_for_store(args) if args.action == "tail" else TraceStore(args.db)
        if store is None:
            return EXIT_OK
        with store:
            return COMMANDS[args.action](store, args, out)
    except (StoreError, RunNotFound) as exc:
        print(f"runwire: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except ValueError as exc:
        print(f"runwire: {exc}", file=sys.stderr)
        return EXIT_USAGE


__all__ = ["COMMANDS", "load_runnable", "run", "seconds", "since"]
