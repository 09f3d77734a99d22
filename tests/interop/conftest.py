"""Fixtures for the LangChain interop tests (the loopback `llama_cpp.server` is the suite's, from
tests/llama_fixtures.py): a recorder that keeps each event's run id, parent and payload types."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from runwire.callbacks import BaseCallbackHandler

pytest.importorskip("langchain_core")


class Tree(BaseCallbackHandler):
    """Records (event, name, run_id, parent_run_id) and the payload of every event it hears."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str | None, UUID, UUID | None]] = []
        self.payloads: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.names_by_id: dict[UUID, str] = {}

    def _start(self, event: str, args: tuple[Any, ...], kw: dict[str, Any]) -> None:
        name = kw.get("name") or (args[0] or {}).get("name")
        self.names_by_id[kw["run_id"]] = name
        self.events.append((event, name, kw["run_id"], kw.get("parent_run_id")))
        self.payloads.append((event, args, kw))

    def _other(self, event: str, args: tuple[Any, ...], kw: dict[str, Any]) -> None:
        self.events.append((event, self.names_by_id.get(kw["run_id"]), kw["run_id"], kw.get("parent_run_id")))
        self.payloads.append((event, args, kw))

    def on_chain_start(self, *args: Any, **kw: Any) -> None:
        self._start("on_chain_start", args, kw)

    def on_chat_model_start(self, *args: Any, **kw: Any) -> None:
        self._start("on_chat_model_start", args, kw)

    def on_retriever_start(self, *args: Any, **kw: Any) -> None:
        self._start("on_retriever_start", args, kw)

    def on_tool_start(self, *args: Any, **kw: Any) -> None:
        self._start("on_tool_start", args, kw)

    def on_chain_end(self, *args: Any, **kw: Any) -> None:
        self._other("on_chain_end", args, kw)

    def on_chain_error(self, *args: Any, **kw: Any) -> None:
        self._other("on_chain_error", args, kw)

    def on_llm_end(self, *args: Any, **kw: Any) -> None:
        self._other("on_llm_end", args, kw)

    def on_llm_new_token(self, *args: Any, **kw: Any) -> None:
        self._other("on_llm_new_token", args, kw)

    def on_retriever_end(self, *args: Any, **kw: Any) -> None:
        self._other("on_retriever_end", args, kw)

    def on_tool_end(self, *args: Any, **kw: Any) -> None:
        self._other("on_tool_end", args, kw)

    def starts(self) -> list[tuple[str | None, str | None]]:
        """(name, parent name) of every run, in start order."""
        return [
            (name, self.names_by_id.get(parent) if parent else None)
            for event, name, _, parent in self.events
            if event.endswith("_start")
        ]

    def payload(self, event: str, name: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
        for ev, args, kw in self.payloads:
            if ev == event and self.names_by_id.get(kw["run_id"]) == name:
                return args, kw
        raise AssertionError(f"no {event} for {name}: {self.events}")


@pytest.fixture
def tree() -> Tree:
    return Tree()
