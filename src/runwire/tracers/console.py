"""Tracers that print: `ConsoleCallbackHandler` and `FunctionCallbackHandler`.

`ConsoleCallbackHandler()` draws each finished trace as an indented, coloured tree with timings,
token counts, errors, and each run's input and output truncated to one line (the same drawing
as `runwire traces show`). With `style="lines"` it
prints langchain's line format instead, as events happen:
`[chain/start] [chain:RunnableSequence > prompt:ChatPromptTemplate] Entering Prompt run with input:`
followed by the input as JSON. Payloads are printed through the handler's content policy, so
API keys never reach the terminal. Not here: the drawing itself (see `render`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal, TextIO

from runwire.tracers.base import BaseTracer
from runwire.tracers.content import FULL, ContentPolicy
from runwire.tracers.render import Line, Output, ansi, elapsed, plain, tree_lines, wants_color
from runwire.tracers.schemas import Run


def _json(value: Any, fallback: str) -> str:
    try:
        return json.dumps(value, indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return fallback


class FunctionCallbackHandler(BaseTracer):
    """Calls `function(text)` with langchain's console lines (`[chain/start] [...] Entering ...`)."""

    name = "function_callback_handler"

    def __init__(
        self, function: Callable[[str], None], *, content: ContentPolicy = FULL, color: bool | None = True
    ) -> None:
        super().__init__(content=content)
        self.function_callback = function
        self.color = color
        # run id -> breadcrumb of open runs only (dropped at run end: memory follows open runs)
        self._crumbs: dict[str, str] = {}

    def _use_color(self) -> bool:
        return bool(self.color)

    def get_breadcrumbs(self, run: Run) -> str:
        """`chain:RunnableSequence > prompt:ChatPromptTemplate` for `run`."""
        return self._crumbs.get(str(run.id)) or f"{run.run_type}:{run.name}"

    def _on_run_create(self, run: Run) -> None:
        parent = self._crumbs.get(str(run.parent_run_id)) if run.parent_run_id else None
        own = f"{run.run_type}:{run.name}"
        self._crumbs[str(run.id)] = f"{parent} > {own}" if parent else own

    def _view(self, value: Any, field: str) -> Any:
        # Always a policy view: secrets scrubbed, objects (messages, prompt values) made JSON.
        return FULL.view(value, field) if self.content is FULL else value

    def _emit(self, tag: str, style: str, crumbs: str, message: str, body: str) -> None:
        head: Line = [(tag, style), (" ", ""), (f"[{crumbs}] {message}\n", "bold")]
        self.function_callback((ansi(head) if self._use_color() else plain([head])) + body)

    def _started(self, run: Run, inputs: Any) -> None:
        kind = "llm" if run.run_type == "llm" else "tool" if run.run_type == "tool" else "chain"
        label = "LLM" if kind == "llm" else run.run_type.capitalize()
        self._emit(
            f"[{kind}/start]",
            "start",
            self.get_breadcrumbs(run),
            f"Entering {label} run with input:",
            _json(self._view(inputs, "inputs"), "[inputs]"),
        )

    def _ended(self, run: Run) -> None:
        kind = "llm" if run.run_type == "llm" else "tool" if run.run_type == "tool" else "chain"
        label = "LLM" if kind == "llm" else run.run_type.capitalize()
        crumbs = self._crumbs.pop(str(run.id), None) or self.get_breadcrumbs(run)
        took = elapsed(run.duration)
        if run.error is not None:
            body = _json(run.error, "[error]")
            self._emit(f"[{kind}/error]", "error", crumbs, f"[{took}] {label} run errored with error:", body)
        else:
            body = _json(self._view(run.outputs, "outputs"), "[outputs]")
            self._emit(f"[{kind}/end]", "end", crumbs, f"[{took}] Exiting {label} run with output:", body)

    def _on_chain_start(self, run: Run) -> None:
        self._started(run, run.inputs)

    def _on_llm_start(self, run: Run) -> None:
        self._started(run, {"prompts": [p.strip() for p in run.inputs.get("prompts", ())]})

    def _on_chat_model_start(self, run: Run) -> None:
        # langchain's console shows chat models as LLM runs with their messages rendered as prompts.
        from runwire.messages import get_buffer_string

        messages = run.inputs.get("messages") or []
        try:
            prompts = [get_buffer_string(group) for group in messages]
        except Exception:
            prompts = [str(group) for group in messages]
        self._started(run, {"prompts": prompts})

    def _on_tool_start(self, run: Run) -> None:
        self._started(run, run.inputs)

    def _on_retriever_start(self, run: Run) -> None:
        self._started(run, run.inputs)

    def _on_run_update(self, run: Run) -> None:
        self._ended(run)


class ConsoleCallbackHandler(FunctionCallbackHandler):
    """Prints each finished trace as a tree (`style="tree"`), or langchain's lines (`"lines"`).
    The tree shows each run's input and output on one truncated line each, as `runwire traces
    show` does; `show_io=False` leaves them out."""

    name = "console_callback_handler"

    def __init__(
        self,
        style: Literal["tree", "lines"] = "tree",
        *,
        file: TextIO | None = None,
        color: bool | None = None,
        show_io: bool = True,
        content: ContentPolicy = FULL,
        use_rich: bool | None = None,
    ) -> None:
        if style not in ("tree", "lines"):
            raise ValueError(f"ConsoleCallbackHandler style must be 'tree' or 'lines', got {style!r}")
        super().__init__(self._print, content=content, color=color)
        self.style = style
        self.show_io = show_io
        self._output = Output(file, color=color, use_rich=use_rich)

    def _use_color(self) -> bool:
        return wants_color(self._output.file) if self.color is None else self.color

    def _print(self, text: str) -> None:
        file = self._output.file
        file.write(text + "\n")
        file.flush()

    def _persist_run(self, run: Run) -> None:
        if self.style == "tree":
            self._output.write(tree_lines(run, show_io=self.show_io))

    def _on_run_create(self, run: Run) -> None:
        if self.style == "lines":
            super()._on_run_create(run)

    def _started(self, run: Run, inputs: Any) -> None:
        if self.style == "lines":
            super()._started(run, inputs)

    def _on_run_update(self, run: Run) -> None:
        if self.style == "lines":
            self._ended(run)
