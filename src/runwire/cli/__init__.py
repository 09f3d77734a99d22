"""The `runwire` command (also `python -m runwire`): look at recorded traces from the terminal.

    runwire traces list [--name N] [--tag T] [--status ok|error|running] [--since 1h] [--limit 20]
    runwire traces show [ID]          the tree, as the console tracer draws it (default: `latest`)
    runwire traces tail               follow new traces (--max N, --timeout SECONDS)
    runwire traces export ID --format json|jsonl
    runwire traces stats              count, p50/p95 latency, tokens by model
    runwire traces prune --older-than 7d | --keep N
    runwire traces replay ID --chain module:attr
    runwire ui [--port 8765] [--host 127.0.0.1]   the web viewer (`runwire.viewer`)
    runwire run [--trace sqlite,console] -- python app.py   trace an unchanged (LangChain) app
    runwire --version
`traces tail` on a store that does not exist yet waits for it.

ID is the short id `list` prints (the last 8 hex digits of the trace id), the start of a full
id, or `latest`; traces are matched before their child runs.
The store is `--db PATH`, else `$RUNWIRE_DB`, else `traces.db` in the user data dir.
Exit codes: 0 success; 1 a replay's output differs from the recording (or the replay failed);
2 usage error; 3 no trace store at the path; 4 the file is not a usable trace store (corrupt,
foreign, or from a newer runwire); 5 no run matches the id (or the prefix is ambiguous).
Not here: the trace store itself (`runwire.tracers.store`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_DIFFERS, EXIT_USAGE, EXIT_MISSING, EXIT_UNUSABLE, EXIT_NOT_FOUND = 0, 1, 2, 3, 4, 5

_EPILOG = (
    "exit codes: 0 ok, 1 replay differs or failed, 2 usage error, 3 no trace store, "
    "4 unusable trace store, 5 no such run"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runwire", description="Look at runs recorded by runwire's SQLite tracer.", epilog=_EPILOG
    )
    parser.add_argument("--db", help="trace store file (default: $RUNWIRE_DB or the user data dir)")
    parser.add_argument("--version", action="version", version=f"runwire {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    traces = commands.add_parser("traces", help="list, show, follow, export, summarise, prune, replay traces")
    sub = traces.add_subparsers(dest="action", required=True, metavar="ACTION")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="trace store file")
    common.add_argument("--no-color", action="store_true", help="plain text, no colour")

    listing = sub.add_parser("list", parents=[common], help="recent traces, newest first", epilog=_EPILOG)
    _filters(listing)
    listing.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    listing.add_argument("--json", action="store_true", help="one JSON record per line")

    show = sub.add_parser("show", parents=[common], help="draw a trace as a tree", epilog=_EPILOG)
    show.add_argument(
        "id", nargs="?", default="latest", help="short id, id prefix, or `latest` (the default)"
    )
    show.add_argument("--no-io", action="store_true", help="hide input/output previews")

    tail = sub.add_parser("tail", parents=[common], help="print traces as they finish", epilog=_EPILOG)
    tail.add_argument("--max", type=int, help="stop after this many traces")
    tail.add_argument("--timeout", type=float, help="stop after this many seconds")
    tail.add_argument("--interval", type=float, default=0.2, help="poll interval in seconds (default 0.2)")
    tail.add_argument("--tree", action="store_true", help="draw each trace as a tree")

    export = sub.add_parser("export", parents=[common], help="a trace as JSON", epilog=_EPILOG)
    export.add_argument("id", help="short id (as `list` prints it), id prefix, or `latest`")
    export.add_argument("--format", choices=("json", "jsonl"), default="json")
    export.add_argument("-o", "--output", help="write to this file instead of stdout")

    stats = sub.add_parser("stats", parents=[common], help="counts, latency, tokens by model", epilog=_EPILOG)
    stats.add_argument("--since", help="only traces started since (30m, 2h, 7d, or an ISO date)")
    stats.add_argument("--name", help="only traces with this root name (`*` wildcards)")
    stats.add_argument("--json", action="store_true", help="as one JSON document")

    prune = sub.add_parser("prune", parents=[common], help="delete old traces", epilog=_EPILOG)
    prune.add_argument("--older-than", help="delete traces started longer ago than this (e.g. 7d)")
    prune.add_argument("--keep", type=int, help="keep only this many newest traces")
    prune.add_argument("--dry-run", action="store_true", help="count, delete nothing")

    replay = sub.add_parser(
        "replay", parents=[common], help="re-run a trace with recorded model replies", epilog=_EPILOG
    )
    replay.add_argument("id", help="short id (as `list` prints it), id prefix, or `latest`")
    replay.add_argument(
        "--chain", required=True, help="module:attr of the runnable (or a function making it)"
    )
    replay.add_argument("--input", help="JSON input instead of the recorded one")
    replay.add_argument(
        "--no-strict", action="store_true", help="call the model when the recording has no reply"
    )
    run = commands.add_parser(
        "run", help="run a program with runwire's tracers on every runwire/LangChain/LangGraph run"
    )
    run.add_argument("--db", default=argparse.SUPPRESS, help="trace store file for the sqlite tracer")
    run.add_argument("--trace", default="sqlite", help="tracer specs as in RUNWIRE_TRACE (default sqlite)")
    run.add_argument("program", nargs=argparse.REMAINDER, help="the command, after --")
    ui = commands.add_parser("ui", parents=[common], help="browse traces in a local web viewer")
    ui.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765; 0: any free)")
    ui.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback)")
    return parser


def _version() -> str:
    from runwire import __version__

    return __version__


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", help="root run name (`*` wildcards)")
    parser.add_argument("--tag", action="append", default=[], help="has this tag (repeatable)")
    parser.add_argument("--status", choices=("ok", "error", "running"))
    parser.add_argument("--since", help="started since (30m, 2h, 7d, or an ISO date)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "run":
        from runwire.cli.run import run_program

        return run_program(args)
    if args.command == "ui":
        from runwire.viewer.server import run
    else:
        from runwire.cli.traces import run

    try:
        return run(args)
    except BrokenPipeError:  # `runwire traces list | head`
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


__all__ = ["build_parser", "main"]
