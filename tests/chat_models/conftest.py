"""Fixtures for the provider tests: a scripted loopback server and an event recorder. The local
model and the real `llama_cpp.server` are the suite's (tests/llama_fixtures.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from runwire.callbacks import BaseCallbackHandler

from .scripted_server import ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    """A scripted loopback HTTP server, fresh for each test."""
    scripted = ScriptedServer()
    yield scripted
    scripted.close()


class Events(BaseCallbackHandler):
    """Records the names of the events it hears and their payloads."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.payloads: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def _hear(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.names.append(name)
        self.payloads.append((name, args, kwargs))

    def on_chain_start(self, *args: Any, **kwargs: Any) -> None:
        self._hear("on_chain_start", args, kwargs)

    def on_chain_end(self, *args: Any, **kwargs: Any) -> None:
        self._hear("on_chain_end", args, kwargs)

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self._hear("on_chat_model_start", args, kwargs)

    def on_llm_new_token(self, *args: Any, **kwargs: Any) -> None:
        self._hear("on_llm_new_token", args, kwargs)

    def on_llm_end(self, *args: Any, **kwargs: Any) -> None:
        self._hear("on_llm_end", args, kwargs)

    def on_llm_error(self, *args: Any, **kwargs: Any) -> None:
        self._hear("on_llm_error", args, kwargs)

    def on_chain_error(self, *args: Any, **kwargs: Any) -> None:
        self._hear("on_chain_error", args, kwargs)
