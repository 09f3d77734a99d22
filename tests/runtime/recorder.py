"""A handler that records every event it hears, for runtime tests."""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from runwire.callbacks import AsyncCallbackHandler, BaseCallbackHandler

EVENTS = (
    "on_chain_start", "on_chain_end", "on_chain_error", "on_chat_model_start", "on_llm_start",
    "on_llm_new_token", "on_llm_end", "on_llm_error", "on_retry", "on_custom_event", "on_text",
)  # fmt: skip


class Recorder(BaseCallbackHandler):
    """Records `(event, run_id, parent_run_id, name, tags)` for each event."""

    def __init__(self) -> None:
        self.events: list[tuple[str, UUID | None, UUID | None, Any, list[str]]] = []
        self.threads: set[str] = set()
        self.kwargs: list[dict[str, Any]] = []

    def _record(self, event: str, *args: Any, **kwargs: Any) -> None:
        self.threads.add(threading.current_thread().name)
        self.kwargs.append({"event": event, "args": args, **kwargs})
        self.events.append(
            (
                event,
                kwargs.get("run_id"),
                kwargs.get("parent_run_id"),
                kwargs.get("name"),
                kwargs.get("tags") or [],
            )
        )

    def on_chain_start(self, *args: Any, **kwargs: Any) -> None:
        self._record("on_chain_start", *args, **kwargs)

    def on_chain_end(self, *args: Any, **kwargs: Any) -> None:
        self._record("on_chain_end", *args, **kwargs)

    def on_chain_error(self, *args: Any, **kwargs: Any) -> None:
        self._record("on_chain_error", *args, **kwargs)

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self._record("on_chat_model_start", *args, **kwargs)

    def on_llm_start(self, *args: Any, **kwargs: Any) -> None:
        self._record("on_llm_start", *args, **kwargs)

    def on_llm_new_token(self, *args: Any, **kwargs: Any) -> None:
        self._record("on_llm_new_token", *args, **kwargs)

    def on_llm_end(self, *args: Any, **kwargs: Any) -> None:
        self._record("on_llm_end", *args, **kwargs)

    def on_llm_error(self, *args: Any, **kwargs: Any) -> None:
        self._record("on_llm_error", *args, **kwargs)

    def on_retry(self, *args: Any, **kwargs: Any) -> None:
        self._record("on_retry", *args, **kwargs)

    def on_custom_event(self, *args: Any, **kwargs: Any) -> None:
        self._record("on_custom_event", *args, **kwargs)

    @property
    def names(self) -> list[str]:
        """Names of chain/model starts, in order."""
        return [
            e[3] for e in self.events if e[0] in {"on_chain_start", "on_chat_model_start", "on_llm_start"}
        ]

    def trace(self) -> list[str]:
        """Events as `event name Rn<-Rm tags`, run ids numbered by first appearance."""
        ids: dict[UUID, str] = {}

        def label(run_id: UUID | None) -> str:
            if run_id is None:
                return "None"
            return ids.setdefault(run_id, f"R{len(ids) + 1}")

        out = []
        for event, run_id, parent, name, tags in self.events:
            run, par = label(run_id), label(parent)
            named = f" {name}" if event.endswith("_start") else ""
            out.append(f"{event}{named} {run}<-{par} {tags}")
        return out

    def check_pairing(self) -> None:
        """Every start has exactly one terminal event with the same run id."""
        starts = [e[1] for e in self.events if e[0].endswith("_start")]
        ends = [e[1] for e in self.events if e[0].endswith(("_end", "_error"))]
        assert sorted(map(str, starts)) == sorted(map(str, ends)), self.trace()
        assert len(set(starts)) == len(starts), "run ids must be unique"


class AsyncRecorder(AsyncCallbackHandler):
    """Records event names with the thread and loop each ran on."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, int]] = []

    async def _record(self, event: str) -> None:
        import asyncio

        self.events.append((event, threading.current_thread().name, id(asyncio.get_running_loop())))

    async def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        await self._record("on_chain_start")

    async def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        await self._record("on_chain_end")
