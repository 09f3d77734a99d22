"""Drawing runs for people: the tree the console tracer prints and `runwire traces show` draws.

A run becomes lines of styled segments (text, style name); `Output` writes them through `rich`
when it is installed (colour detection, NO_COLOR/FORCE_COLOR, Windows consoles) and as plain
ANSI otherwise, so the text is the same either way and only the colouring differs.
Not here: deciding when to draw (the tracers and the CLI do).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from runwire.tracers.content import to_jsonable
from runwire.tracers.schemas import Run

Segment = tuple[str, str]
Line = list[Segment]

_ANSI = {
    "ok": "32",
    "error": "31;1",
    "name": "1",
    "type": "36",
    "time": "33",
    "tokens": "35",
    "model": "34",
    "dim": "2",
    "start": "32",
    "end": "34",
    "bold": "1",
}
_RICH = {
    "ok": "green",
    "error": "bold red",
    "name": "bold",
    "type": "cyan",
    "time": "yellow",
    "tokens": "magenta",
    "model": "blue",
    "dim": "dim",
    "start": "green",
    "end": "blue",
    "bold": "bold",
}
_ROLES = {"human": "Human", "ai": "AI", "system": "System", "tool": "Tool", "function": "Function"}
PREVIEW = 100


def elapsed(seconds: float | None) -> str:
    """`3ms` under a second, `1.23s` from one second (langchain's format)."""
    if seconds is None:
        return "running"
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    return f"{seconds:.2f}s"


def tokens_text(usage: dict[str, int] | None) -> str:
    if not usage:
        return ""
    given_in, given_out = usage.get("input_tokens", 0), usage.get("output_tokens", 0)
    total = usage.get("total_tokens", given_in + given_out)
    return f"{total} tokens ({given_in} in, {given_out} out)"


def _one_line(text: str, limit: int = PREVIEW) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tool_calls_text(calls: Any) -> str:
    """`→ add({"a": 2}) #call_1` for each tool call of an AI message (name, arguments, id)."""
    parts = []
    for call in calls if isinstance(calls, list) else ():
        if isinstance(call, dict):
            args = json.dumps(call.get("args"), ensure_ascii=False, default=str)
            parts.append(f"→ {call.get('name')}({args})" + (f" #{call['id']}" if call.get("id") else ""))
    return " ".join(parts)


def _message_text(message: Any) -> str | None:
    if isinstance(message, dict) and isinstance(message.get("type"), str) and "content" in message:
        role = _ROLES.get(message["type"].removesuffix("MessageChunk").lower(), message["type"])
        content = message["content"]
        text = content if isinstance(content, str) else json.dumps(content)
        calls = tool_calls_text(message.get("tool_calls"))
        return f"{role}: {text}" + (" " if text and calls else "") + calls
    return None


def _generation_text(generation: Any) -> Any:
    if not isinstance(generation, dict):
        return generation
    message = generation.get("message")
    calls = tool_calls_text(message.get("tool_calls")) if isinstance(message, dict) else ""
    text = generation.get("text", "")
    return f"{text} {calls}" if text and calls else text or calls


def _messages_text(value: Any) -> str | None:
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        value = [m for group in value for m in group]
    if isinstance(value, list) and value:
        parts = [_message_text(m) for m in value]
        if all(p is not None for p in parts):
            return " | ".join(p for p in parts if p)
    return None


def preview(value: Any) -> str:
    """One line for a payload: text as is, messages as `Role: content`, anything else as JSON."""
    data = to_jsonable(value)
    if isinstance(data, dict) and len(data) == 1:
        ((key, inner),) = data.items()
        if key in ("input", "output", "messages", "prompts", "query", "documents"):
            data = inner
    if isinstance(data, dict) and "generations" in data:  # an LLMResult
        texts = [_generation_text(g) for group in data["generations"] or () for g in group or ()]
        data = texts[0] if len(texts) == 1 else texts
    if isinstance(data, dict) and isinstance(data.get("messages"), list):  # a prompt value
        data = data["messages"]
    text = _messages_text(data) or _message_text(data)
    if text is None:
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, default=str)
    return _one_line(text)


def run_line(run: Run) -> Line:
    """`✓ name  type  3ms  model  12 tokens (10 in, 2 out)` or `✗ ...  Error('...')`."""
    status = run.status
    mark: Segment = ("✗", "error") if status == "error" else ("✓", "ok") if status == "ok" else ("…", "dim")
    line: Line = [mark, (" ", ""), (run.name, "name"), ("  ", ""), (run.run_type, "type")]
    line += [("  ", ""), (elapsed(run.duration), "time" if status != "running" else "dim")]
    if run.run_type == "llm":
        model = run.model
        if model:
            line += [("  ", ""), (model, "model")]
        usage = tokens_text(run.usage)
        if usage:
            line += [("  ", ""), (usage, "tokens")]
    if run.error:
        line += [("  ", ""), (_one_line(run.error.splitlines()[0] if run.error else "", 160), "error")]
    return line


def error_lines(detail: dict[str, Any]) -> list[Line]:
    """`err Type: message` and `at  <the innermost frame>` for a stored error record."""
    head = str(detail.get("type", "error")) + (f": {detail['message']}" if detail.get("message") else "")
    lines: list[Line] = [[("err ", "dim"), (_one_line(head, 160), "error")]]
    frames = [
        line.strip()
        for line in str(detail.get("traceback") or "").splitlines()
        if line.strip().startswith("File ")
    ]
    if frames:
        lines.append([("at  ", "dim"), (_one_line(frames[-1], 160), "dim")])
    return lines


def tree_lines(root: Run, *, show_io: bool = False) -> list[Line]:
    """The tree under `root`, one line per run (plus `in`/`out` lines with `show_io`)."""
    lines: list[Line] = []

    def visit(run: Run, prefix: str, guide: str, rest: str) -> None:
        lines.append([(prefix + guide, "dim"), *run_line(run)])
        below = prefix + rest
        if show_io:
            pad = below + ("│ " if run.child_runs else "  ")  # aligns `in`/`out` with the name
            if run.inputs:
                lines.append([(pad, "dim"), ("in  ", "dim"), (preview(run.inputs), "")])
            if run.outputs is not None:
                lines.append([(pad, "dim"), ("out ", "dim"), (preview(run.outputs), "")])
            raised_here = not any(child.status == "error" for child in run.child_runs)
            for event in run.events if raised_here else ():  # shown where it happened only
                if event.get("name") == "error" and isinstance(event.get("kwargs"), dict):
                    lines.extend([(pad, "dim"), *line] for line in error_lines(event["kwargs"]))
        for index, child in enumerate(run.child_runs):
            last = index == len(run.child_runs) - 1
            visit(child, below, "└── " if last else "├── ", "    " if last else "│   ")

    visit(root, "", "", "")
    return lines


# Stored names and payloads are untrusted: a terminal escape in a run name must not reach the tty.
_CONTROLS = {c: "\ufffd" for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in "\n\t"}


def _safe(text: str) -> str:
    return text.translate(_CONTROLS)


def plain(lines: Iterable[Line]) -> str:
    """The lines as text without colour."""
    return "\n".join("".join(_safe(text) for text, _ in line) for line in lines)


def ansi(line: Sequence[Segment]) -> str:
    return "".join(
        f"\033[{_ANSI[style]}m{_safe(text)}\033[0m" if style in _ANSI else _safe(text) for text, style in line
    )


def wants_color(file: TextIO) -> bool:
    """Colour for a terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR forces it."""
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(file, "isatty", None)
    return bool(isatty and isatty())


class Output:
    """Writes styled lines to a stream: through rich when available, else plain ANSI."""

    def __init__(
        self, file: TextIO | None = None, *, color: bool | None = None, use_rich: bool | None = None
    ):
        self._file = file
        self._color = color
        self._rich = _rich_available() if use_rich is None else use_rich

    @property
    def file(self) -> TextIO:
        return self._file or sys.stdout

    def write(self, lines: Iterable[Line]) -> None:
        file = self.file
        color = wants_color(file) if self._color is None else self._color
        if not color:
            file.write(plain(lines) + "\n")
        elif self._rich:
            from rich.console import Console
            from rich.text import Text

            console = Console(file=file, force_terminal=True, soft_wrap=True, highlight=False)
            for line in lines:
                console.print(Text.assemble(*((_safe(t), _RICH.get(s, "")) for t, s in line)))
        else:
            file.write("\n".join(ansi(line) for line in lines) + "\n")
        file.flush()


def _rich_available() -> bool:
    """rich is optional (`pip install "runwire[console]"`); without it output is plain ANSI."""
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True
