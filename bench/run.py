"""`make bench`: runwire next to langchain-core next to plain Python, one markdown table.

Every (figure, library) pair runs in a fresh subprocess (this script with `--worker`), so one
library's imports, caches and garbage never weigh on the other's figures; imports are timed in
fresh processes of their own. Progress goes to stderr and the table to stdout, so
`make bench > results.md` keeps only the table. Cases live in cases.py, timing in _timing.py.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
SRC = os.path.join(ROOT, "src")
COLUMNS = ("runwire", "langchain-core", "floor")
WORKER_TIMEOUT_S = 120
DIVERGENCE = 0.05  # wall vs CPU beyond this: someone else had the CPU


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table: a figure for both libraries, and the floor it is compared to."""

    figure: str
    what: str
    floor: str | None = None
    target: float | None = None  # upper bound for runwire, in the row's unit
    minimum: float | None = None  # lower bound for runwire (throughput figures)
    per_step: tuple[str, str, str, str] | None = None  # (seq10, seq2, floor10, floor2): derived
    per_item: int | None = None  # also show the time per item
    relative: tuple[str, float] | None = None  # target: at most this many times another row's runwire figure
    ratio_to: str | None = None  # `target` is a ratio of CPU times to this figure's runwire value


def _rows() -> list[Row]:
    from cases import BATCH, GATHER

    listening = "1 handler overriding on_chain_start/end, on_chat_model_start, on_llm_start/end (`pass`)"
    return [
        Row("a.invoke.h0", "chain (a) `invoke`, no handler", "floor.a", 5.0),
        Row("a.invoke.h1", "1 handler with no methods (as the baseline)", "floor.a.h1", 15.0),
        Row("a.invoke.h3", "3 handlers with no methods", "floor.a.h3"),
        Row("a.invoke.h1.listening", listening, "floor.a.h1", 15.0),
        Row("a.invoke.h3.listening", "3 such listening handlers", "floor.a.h3"),
        Row(
            "a.invoke.h1.recording",
            "1 handler recording (run_id, parent_run_id, name) on every start/end",
            "floor.a.h1.recording",
            15.0,
        ),
        Row("a.invoke.h3.recording", "3 such recording handlers", "floor.a.h3.recording", 25.0),
        Row(
            "a.invoke.h1.sqlite",
            "`SQLiteTracer` on a temp file, caller-thread CPU, writer drained between repeats (runwire only)",
            "floor.a.h1.recording",
            20.0,
        ),
        Row("b.seq2.h0", "`RunnableSequence` of 2 identity `RunnableLambda`s", "floor.b2"),
        Row("b.seq2.h1", "same, 1 handler with no methods", "floor.b2.h1"),
        Row("b.seq2.h1.listening", "same, 1 listening handler", "floor.b2.h1"),
        Row("b.seq10.h0", "10 identity lambdas, no handler", "floor.b"),
        Row("b.seq10.h1", "same, 1 handler with no methods", "floor.b.h1"),
        Row("b.seq10.h1.listening", "same, 1 listening handler", "floor.b.h1"),
        Row("b.seq2.h1.recording", "2 lambdas, 1 recording handler", "floor.b2.h1.recording"),
        Row("b.seq10.h1.recording", "10 lambdas, 1 recording handler", "floor.b.h1.recording"),
        Row(
            "b.per_step.h0",
            "(seq10 - seq2)/8, no handler",
            target=1.0,
            per_step=("b.seq10.h0", "b.seq2.h0", "floor.b", "floor.b2"),
        ),
        Row(
            "b.per_step.h1",
            "same, 1 handler with no methods",
            target=3.0,
            per_step=("b.seq10.h1", "b.seq2.h1", "floor.b.h1", "floor.b2.h1"),
        ),
        Row(
            "b.per_step.h1.listening",
            "same, 1 listening handler",
            target=3.0,
            per_step=("b.seq10.h1.listening", "b.seq2.h1.listening", "floor.b.h1", "floor.b2.h1"),
        ),
        Row(
            "b.per_step.h1.recording",
            "same, 1 recording handler",
            target=1.5,
            per_step=(
                "b.seq10.h1.recording",
                "b.seq2.h1.recording",
                "floor.b.h1.recording",
                "floor.b2.h1.recording",
            ),
        ),
        Row(f"c.batch{BATCH}.h0", f"`batch()` of {BATCH} through (a)", "floor.c", 10.0, per_item=BATCH),
        Row(f"c.batch{BATCH}.h1.listening", "same, 1 listening handler", "floor.c", per_item=BATCH),
        Row(
            f"c.batch{BATCH}.h1async",
            "same, 1 listening `AsyncCallbackHandler`",
            "floor.c",
            30.0,
            per_item=BATCH,
        ),
        Row(f"d.agather{GATHER}.h0", f"{GATHER} concurrent `ainvoke`, model sleeps 10 ms", "floor.d"),
        Row(f"d.agather{GATHER}.h1.listening", "same, 1 listening sync handler", "floor.d", 40.0),
        Row(f"d.agather{GATHER}.h1.recording", "same, 1 recording handler", "floor.d", 25.0),
        Row(f"d.agather{GATHER}.h1async", "same, 1 listening `AsyncCallbackHandler`", "floor.d"),
        Row(
            f"d.agather{GATHER}.h1.background",
            "same, handler sleeping 50 ms per event in `BackgroundHandler` (runwire only)",
            "floor.d",
            relative=(f"d.agather{GATHER}.h0", 1.05),
        ),
        # p20dask
        Row("i.dask.h0", "Dask batch, 2,000 inputs, `cpu` chain of bench/distributed.py, no handler"),
        Row("i.dask.h1", "same, 1 counting handler on the driver", relative=("i.dask.h0", 1.5)),
        Row("e.stream2000.h0", "`stream` of (a), 1999-token reply, no handler", "floor.e"),
        Row("e.stream2000.h1", "same, handler counting `on_llm_new_token`", "floor.e", minimum=1_000_000),
        Row("e.astream2000.h0", "`astream`, no handler", "floor.e"),
        Row("e.astream2000.h1", "`astream`, sync counting handler", "floor.e", minimum=800_000),
        Row("e.astream2000.h1async", "`astream`, async counting handler", "floor.e"),
        Row("f.astream_events", "`astream_events(version='v2')` over (a), 7-token reply", minimum=250_000),
        Row("g.peak.h0", "tracemalloc peak during one invoke of (a), after warm-up", "floor.g", 2.0),
        Row("g.peak.h1.listening", "same, 1 listening handler", "floor.g", 2.0),
        Row("g.peak.h1.recording", "same, 1 recording handler", "floor.g", 1.5),
        Row(
            "h.import",
            "fresh process: import RunnableLambda, RunnableParallel, RunnablePassthrough, "
            "ChatPromptTemplate; modules newly loaded",
            None,
            60.0,
        ),
        Row("h.process", "whole `python -c '<those imports>'`; floor: `python -c pass`", "floor.h"),
        # p20otel
        Row(
            "a.invoke.h1.otel",
            "chain (a), `OpenTelemetryTracer` (4 SDK spans, BatchSpanProcessor, exporter drops); "
            "target a ratio to a.invoke.h1.recording; floor: that recorder plus the same 4 spans on the SDK",
            "floor.a.h1.otel",
            2.5,
            ratio_to="a.invoke.h1.recording",
        ),
        Row(
            "a.invoke.h1.otel.lean",
            'same, `exclude_types=("prompt", "parser")` (2 spans: the sequence and the chat model)',
            "floor.a.h1.otel.lean",
            2.5,
            ratio_to="a.invoke.h1.recording",
        ),
    ]


# --- worker: one figure of one library, in this fresh process ------------------------------

UNITS = {"loop": "µs", "caller": "µs", "whole": "ms", "stream": "tok/s", "events": "ev/s", "peak": "KiB"}
RATES = {"stream", "events"}  # throughput figures: higher is better


def worker(figure: str, library: str, quick: bool) -> dict[str, Any]:
    import _timing
    import cases

    settings = _timing.QUICK if quick else _timing.FULL
    case = cases.CASES[figure]
    result: dict[str, Any] = {
        "figure": figure,
        "library": library,
        "kind": case.kind,
        "unit": UNITS[case.kind],
    }
    probe = None
    try:
        probe = case.build(None if library == "floor" else cases.Lib(library))
        if case.kind == "loop":
            stats = _timing.per_call(probe.fn, settings)
            result |= {"value": stats["wall"] / 1e3, "cpu": stats["cpu"] / 1e3}
        elif case.kind == "caller":
            stats = _timing.caller_cpu(probe.fn, settings, probe.drain or (lambda: None))
            result |= {"value": stats["cpu"] / 1e3, "wall": stats["wall"] / 1e3}
        elif case.kind == "peak":
            stats = _timing.peak_bytes(probe.fn, settings.repeats)
            result |= {"value": stats["value"] / 1024}
        else:
            repeats = settings.stream_repeats if case.kind in RATES else settings.long_repeats
            stats, units = _timing.whole(probe.fn, repeats)
            stats["units"] = statistics.median(units)
            if case.kind in RATES:
                result |= {"value": stats["units"] / (stats["wall"] / 1e9), "cpu_s": stats["cpu"] / 1e9}
            else:
                result |= {"value": stats["wall"] / 1e6, "cpu": stats["cpu"] / 1e6}
            result["wall_s"] = stats["wall"] / 1e9
        note = probe.after() if probe.after is not None else probe.note
        result |= {"stats": stats, "note": note, "single_threaded": probe.single_threaded}
    except Exception as error:
        result["error"] = _reason(error)
    finally:
        if probe is not None and probe.close is not None:
            probe.close()
    return result


def _reason(error: BaseException) -> str:
    from cases import NotAvailable

    text = str(error) if isinstance(error, NotAvailable) else f"{type(error).__name__}: {error}"
    text = text.splitlines()[0] if text else type(error).__name__
    return text if len(text) <= 80 else text[:77] + "..."


# --- driver -------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGCHAIN_TRACING", "LANGSMITH_"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, env.get("PYTHONPATH", "")) if p)
    # Installed packages have bytecode (pip compiles on install); let runwire's sources get it too,
    # or the import figure would compare runwire compiling from source against cached langchain.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_case(figure: str, library: str, quick: bool) -> dict[str, Any]:
    command = [sys.executable, os.path.abspath(__file__), "--worker", figure, library]
    if quick:
        command.append("--quick")
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=_env(),
            cwd=ROOT,
            timeout=WORKER_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"figure": figure, "library": library, "error": f"timed out after {WORKER_TIMEOUT_S} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode == 0 and lines:
        return json.loads(lines[-1])
    last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
    return {"figure": figure, "library": library, "error": f"worker failed: {last[:70]}"}


def measure_imports(libraries: list[str], runs: int) -> dict[str, dict[str, Any]]:
    """h.import and h.process: each library's imports in fresh processes, round-robin with
    `python -c pass`, after one discarded run each (bytecode caches)."""
    from cases import import_snippet

    programs = {"floor": "pass"}
    for library in libraries:
        programs[library] = (
            "import sys, time\nloaded = len(sys.modules)\nstart = time.perf_counter_ns()\n"
            + import_snippet(library)
            + "print(time.perf_counter_ns() - start, len(sys.modules) - loaded)\n"
        )
    samples: dict[str, list[tuple[float, float, int]]] = {name: [] for name in programs}
    errors: dict[str, str] = {}
    for run in range(runs + 1):
        for name, program in programs.items():
            if name in errors:
                continue
            start = time.perf_counter_ns()
            done = subprocess.run(
                [sys.executable, "-c", program],
                capture_output=True,
                text=True,
                env=_env(),
                cwd=ROOT,
                check=False,
            )
            wall = (time.perf_counter_ns() - start) / 1e6
            if done.returncode != 0:
                errors[name] = (done.stderr.strip().splitlines() or ["failed"])[-1][:70]
            elif run > 0:
                parts = done.stdout.split() if name != "floor" else ["0", "0"]
                samples[name].append((float(parts[0]) / 1e6, wall, int(parts[1])))
    out: dict[str, dict[str, Any]] = {}
    for name in programs:
        if name in errors:
            out[name] = {"error": errors[name]}
            continue
        imports, walls, modules = zip(*samples[name], strict=True)
        out[name] = {
            "import_ms": statistics.median(imports),
            "process_ms": statistics.median(walls),
            "modules": int(statistics.median(modules)),
            "runs": len(walls),
        }
    return out


def _plan(rows: list[Row]) -> Iterator[tuple[str, str]]:
    """(figure, library) pairs the selected rows need, each once, floors first within a row."""
    from cases import CASES

    seen: set[tuple[str, str]] = set()
    for row in rows:
        figures = list(row.per_step) if row.per_step else [f for f in (row.floor, row.figure) if f]
        if row.relative is not None:
            figures.insert(0, row.relative[0])
        if row.ratio_to and (row.ratio_to, "runwire") not in seen:  # runwire's figure, first
            seen.add((row.ratio_to, "runwire"))
            yield row.ratio_to, "runwire"
        for figure in figures:
            if figure not in CASES:
                continue
            for library in CASES[figure].libraries:
                if (figure, library) not in seen:
                    seen.add((figure, library))
                    yield figure, library


# --- table ----------------------------------------------------------------------------------


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


@dataclass(slots=True)
class Cell:
    value: float | None = None
    unit: str = ""
    error: str | None = None
    warn: bool = False
    extra: str = ""

    def text(self) -> str:
        if self.error is not None:
            return f"n/a ({self.error})"
        if self.value is None:
            return "—"
        return f"{_number(self.value)} {self.unit}{self.extra}{' ⚠' if self.warn else ''}"


def _diverges(result: dict[str, Any]) -> float | None:
    """How far wall and CPU time part, for single-threaded figures (else None)."""
    stats = result.get("stats")
    if not stats or not result.get("single_threaded") or result["kind"] not in {"loop", "caller", *RATES}:
        return None
    ratio = stats["wall"] / stats["cpu"] if stats["cpu"] else float("inf")
    return ratio - 1 if abs(ratio - 1) > DIVERGENCE else None


def _cell(results: dict[tuple[str, str], dict[str, Any]], figure: str | None, library: str) -> Cell:
    if figure is None:
        return Cell()
    result = results.get((figure, library))
    if result is None:
        return Cell()
    if "error" in result:
        return Cell(error=result["error"])
    return Cell(result["value"], result["unit"], warn=_diverges(result) is not None)


def _per_step(results: dict[tuple[str, str], dict[str, Any]], row: Row, library: str) -> Cell:
    assert row.per_step is not None
    seq10, seq2 = (row.per_step[0], row.per_step[1]) if library != "floor" else row.per_step[2:]
    long, short = _cell(results, seq10, library), _cell(results, seq2, library)
    if long.error or short.error:
        return Cell(error=long.error or short.error)
    if long.value is None or short.value is None:
        return Cell()
    return Cell((long.value - short.value) / 8, "µs", warn=long.warn or short.warn)


def _import_cells(imports: dict[str, dict[str, Any]], row: Row) -> dict[str, Cell]:
    cells: dict[str, Cell] = {}
    for library in COLUMNS:
        data = imports.get(library)
        if data is None or (row.figure == "h.import" and library == "floor"):
            cells[library] = Cell()
        elif "error" in data:
            cells[library] = Cell(error=data["error"])
        elif row.figure == "h.import":
            cells[library] = Cell(data["import_ms"], "ms", extra=f", {data['modules']} modules")
        else:
            cells[library] = Cell(data["process_ms"], "ms")
    return cells


def table(rows: list[Row], results: dict[tuple[str, str], dict[str, Any]], imports: dict[str, Any]) -> str:
    lines = [
        "| figure | what | runwire | langchain-core | floor | runwire better by | target | |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | :-: |",
    ]
    for row in rows:
        if row.figure.startswith("h."):
            cells = _import_cells(imports, row)
        elif row.per_step:
            cells = {library: _per_step(results, row, library) for library in COLUMNS}
        else:
            cells = {library: _cell(results, row.figure, library) for library in COLUMNS[:2]}
            cells["floor"] = _cell(results, row.floor, "floor")
        if row.per_item:
            for cell in cells.values():
                if cell.value is not None and cell.error is None:
                    cell.extra = f" ({_number(cell.value * 1000 / row.per_item)} µs/item)"
        ours, theirs = cells["runwire"], cells["langchain-core"]
        speedup = ""
        if ours.value and theirs.value and not ours.error and not theirs.error:
            ratio = ours.value / theirs.value if ours.unit in {"tok/s", "ev/s"} else theirs.value / ours.value
            speedup = f"\N{MULTIPLICATION SIGN}{_number(ratio)}"
        target, verdict = "", ""
        if row.minimum is not None:
            target = f"≥ {_number(row.minimum)} {ours.unit or _unit_of(row)}"
            verdict = (
                "\N{EN DASH}"
                if ours.value is None or ours.error
                else ("✓" if ours.value >= row.minimum else "✗")
            )
        if row.target is not None and row.ratio_to:
            target, verdict = _ratio_target(results, row, ours)
        elif row.target is not None:
            target = f"≤ {row.target:g} {ours.unit or _unit_of(row)}"
            verdict = (
                "\N{EN DASH}"
                if ours.value is None or ours.error
                else ("✓" if ours.value <= row.target else "✗")
            )
        if row.relative is not None:
            base_figure, ratio = row.relative
            base = _cell(results, base_figure, "runwire")
            if base.value is not None and base.error is None:
                limit = base.value * ratio
                target = f"≤ {ratio:g}\N{MULTIPLICATION SIGN} {base_figure} (= {_number(limit)} {base.unit})"
                met = ours.value is not None and not ours.error and ours.value <= limit
                verdict = "\N{EN DASH}" if ours.value is None or ours.error else ("✓" if met else "✗")
            else:
                target, verdict = f"≤ {ratio:g}\N{MULTIPLICATION SIGN} {base_figure}", "\N{EN DASH}"
        floor_name = row.floor if row.floor and not row.figure.startswith("h.") else ""
        what = f"{row.what} ({floor_name})" if floor_name else row.what
        texts = [cells[library].text() for library in COLUMNS]
        lines.append(f"| {row.figure} | {what} | {' | '.join(texts)} | {speedup} | {target} | {verdict} |")
    return "\n".join(lines)


def _ratio_target(results: dict[tuple[str, str], dict[str, Any]], row: Row, ours: Cell) -> tuple[str, str]:
    """p20otel: a target that is a ratio to another figure of runwire's. The ratio is of CPU
    times (both figures single-threaded loops; CPU time shrugs off a neighbour's load better
    than wall time), shown in our cell."""
    assert row.ratio_to is not None
    assert row.target is not None
    target = f"≤ {row.target:g}\N{MULTIPLICATION SIGN} {row.ratio_to} (CPU)"
    base, mine = results.get((row.ratio_to, "runwire"), {}), results.get((row.figure, "runwire"), {})
    if not base.get("cpu") or not mine.get("cpu") or "error" in base or "error" in mine:
        return target, "\N{EN DASH}"
    ratio = mine["cpu"] / base["cpu"]
    cpu = f"CPU {_number(mine['cpu'])} / {_number(base['cpu'])} µs"
    ours.extra = f" = {ratio:.2f}\N{MULTIPLICATION SIGN} ({cpu})"
    return target, "✓" if ratio <= row.target else "✗"


def _unit_of(row: Row) -> str:
    if row.figure.startswith("h."):
        return "ms"
    if row.figure.startswith("g."):
        return "KiB"
    return "µs"


# --- header -----------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            for line in file:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as file:
            match = re.search(r"MemTotal:\s+(\d+) kB", file.read())
    except OSError:
        return ""
    return f", {int(match.group(1)) / 2**20:.0f} GiB" if match else ""


def _versions() -> str:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as file:
        runwire = tomllib.load(file)["project"]["version"]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    ).stdout.strip()
    parts = [f"runwire {runwire} (src/ at commit {commit or '?'} plus working tree)"]
    for name in ("langchain-core", "langsmith", "pydantic", "pydantic-core"):
        try:
            parts.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name} not installed")
    return ", ".join(parts)


def _load() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def header(quick: bool, load_start: str, load_end: str, elapsed_s: float) -> str:
    from cases import GATHER

    method = (
        "quick smoke run: 3 repeats of ~50 ms loops, 2 whole calls per long figure, 3 import runs"
        if quick
        else "loops sized to ~200 ms after a half-repeat warm-up, 7 repeats, median per call; "
        f"c, d: 5 whole calls after 1 warm-up; e: 7; g: median of 7 single invokes; h: 7 fresh processes; "
        f"d gathers {GATHER} (baseline 1000)"
    )
    rows = [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("machine", f"{_cpu_model()}, {os.cpu_count()} cores{_memory()}"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),  # no machine path
        ("libraries", _versions()),
        ("tracing", "every LANGCHAIN_TRACING* / LANGSMITH_* variable removed for the runs"),
        ("load average (1 / 5 / 15 min)", f"start {load_start}; end {load_end}"),
        ("method", f"each (figure, library) in a fresh process; {method}"),
        ("this run", f"{elapsed_s:.0f} s"),
    ]
    return "\n".join(["| | |", "| --- | --- |", *(f"| {key} | {value} |" for key, value in rows)])


def notes(rows: list[Row], results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for row in rows:
        said = {
            library: note
            for library in COLUMNS[:2]
            if (note := results.get((row.figure, library), {}).get("note"))
        }
        if len(said) == 2 and len(set(said.values())) == 1:
            out.append(f"- {row.figure}, both libraries: {said['runwire']}.")
        elif said:
            out.append(f"- {row.figure}: {'; '.join(f'{lib}: {note}' for lib, note in said.items())}.")
    noisy = []
    for (figure, library), result in results.items():
        divergence = _diverges(result)
        if divergence is not None:
            wall, cpu = result["stats"]["wall"] / 1e3, result["stats"]["cpu"] / 1e3
            noisy.append(f"{figure} {library} {_number(wall)}/{_number(cpu)} µs ({divergence:+.0%})")
    if noisy:
        out.append(
            f"- ⚠ wall and CPU time parted by more than {DIVERGENCE:.0%} (a noisy neighbour took the CPU; "
            f"re-run before trusting these), wall/CPU per call: {'; '.join(noisy)}."
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats (smoke run)")
    parser.add_argument("--only", metavar="PATTERN", help="regex: run the rows whose figure or floor matches")
    parser.add_argument("--json", metavar="PATH", help="also write every raw result as JSON lines")
    parser.add_argument("--worker", nargs=2, metavar=("FIGURE", "LIBRARY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker, quick=args.quick)), flush=True)
        os._exit(0)  # do not wait for the libraries' executor threads at shutdown

    started, load_start = time.monotonic(), _load()
    rows = _rows()
    if args.only:
        pattern = re.compile(args.only)
        rows = [
            row for row in rows if pattern.search(row.figure) or (row.floor and pattern.search(row.floor))
        ]
    if not rows:
        parser.error(f"--only {args.only!r} matches no figure")
    plan = list(_plan(rows))
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for index, (figure, library) in enumerate(plan, 1):
        t0 = time.monotonic()
        result = results[(figure, library)] = run_case(figure, library, args.quick)
        shown = (
            f"n/a ({result['error']})"
            if "error" in result
            else f"{_number(result['value'])} {result['unit']}"
        )
        print(
            f"[{index}/{len(plan)}] {figure} {library}: {shown} ({time.monotonic() - t0:.1f} s)",
            file=sys.stderr,
        )
    imports: dict[str, Any] = {}
    if any(row.figure.startswith("h.") for row in rows):
        print("[imports] fresh processes ...", file=sys.stderr)
        imports = measure_imports(list(COLUMNS[:2]), 3 if args.quick else 7)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            for result in [
                *results.values(),
                *({"figure": "h", "library": k, **v} for k, v in imports.items()),
            ]:
                file.write(json.dumps(result) + "\n")

    print("## runwire vs langchain-core vs plain Python\n")
    print(header(args.quick, load_start, _load(), time.monotonic() - started))
    print()
    print(table(rows, results, imports))
    said = notes(rows, results)
    if said:
        print("\n" + "\n".join(said))


if __name__ == "__main__":
    main()
