"""Handlers that print: `StdOutCallbackHandler` (chain and agent progress) and
`StreamingStdOutCallbackHandler` (tokens as they arrive)."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from runwire.callbacks.base import BaseCallbackHandler

_COLORS = {"blue": "36;1", "yellow": "33;1", "pink": "38;5;200", "green": "32;1", "red": "31;1"}


def _bold(text: str) -> str:
    return f"\033[1m{text}\033[0m"


def _colored(text: str, color: str | None) -> str:
    code = _COLORS.get(color or "")
    return f"\033[{code}m\033[1;3m{text}\033[0m" if code else text


class StdOutCallbackHandler(BaseCallbackHandler):
    """Prints `> Entering new <name> chain...` / `> Finished chain.`, agent actions and text."""

    payloads_read_only = True  # reads what it is given, never edits it: no copies needed

    def __init__(self, color: str | None = None, file: TextIO | None = None) -> None:
        self.color = color
        self._file = file

    def _print(self, text: str, end: str = "\n") -> None:
        print(text, end=end, file=self._file or sys.stdout, flush=True)

    def on_chain_start(self, serialized: dict[str, Any] | None, inputs: Any, **kwargs: Any) -> None:
        name = kwargs.get("name") or (serialized or {}).get("name") or "<unknown>"
        self._print(f"\n\n{_bold(f'> Entering new {name} chain...')}")

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self._print(f"\n{_bold('> Finished chain.')}")

    def on_agent_action(self, action: Any, **kwargs: Any) -> None:
        self._print(_colored(str(getattr(action, "log", action)), kwargs.get("color") or self.color), end="")

    def on_tool_end(self, output: Any, **kwargs: Any) -> None:
        if kwargs.get("observation_prefix"):
            self._print(f"\n{kwargs['observation_prefix']}")
        self._print(_colored(str(output), kwargs.get("color") or self.color))
        if kwargs.get("llm_prefix"):
            self._print(f"\n{kwargs['llm_prefix']}")

    def on_text(self, text: str, **kwargs: Any) -> None:
        self._print(_colored(text, kwargs.get("color") or self.color), end=kwargs.get("end", ""))

    def on_agent_finish(self, finish: Any, **kwargs: Any) -> None:
        self._print(_colored(str(getattr(finish, "log", finish)), kwargs.get("color") or self.color))


class StreamingStdOutCallbackHandler(BaseCallbackHandler):
    """Writes each streamed token to stdout as it arrives."""

    def on_llm_new_token(self, token: Any, **kwargs: Any) -> None:
        sys.stdout.write(token if isinstance(token, str) else str(token))
        sys.stdout.flush()
