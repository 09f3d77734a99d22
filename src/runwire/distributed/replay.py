"""The remote run protocol, driver side: who listens to an input, and replaying its events.

For each distinct config of a batch the driver works out, once, where its runs attach (the same
decision `open_run` makes: explicit callbacks, a `CallbackManager`, or the current run) and which
events its handlers subscribe to; workers get that as an `Audience`. Records coming back are
replayed in order through the normal dispatcher (`Dispatch.table` / `call_handlers`), the root
runs to the attach point's own handlers and their descendants to the inheritable ones, so the
driver's handlers hear what a local batch would have made them hear. Not here: running chunks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from uuid import UUID

from runwire.callbacks.dispatch import (
    Dispatch,
    acall_chat_start,
    acall_handlers,
    call_chat_start,
    call_handlers,
)
from runwire.distributed.wire import Audience, Record
from runwire.propagation import attach_point, capture


@dataclass(slots=True)
class Listeners:
    """The driver's handlers for some inputs: the attach point's own and inheritable ones."""

    local: Dispatch
    inherited: Dispatch
    parent_run_id: UUID | None
    audience: Audience
    roots: set[Any] = field(default_factory=set)  # open root runs, when `local` differs

    def dispatch_for(self, event: str, kw: dict[str, Any]) -> Dispatch:
        if self.local is self.inherited:
            return self.local
        run_id = kw.get("run_id")
        if event.endswith("_start") and kw.get("parent_run_id") == self.parent_run_id:
            self.roots.add(run_id)
        if run_id in self.roots:
            if event.endswith(("_end", "_error")):
                self.roots.discard(run_id)
            return self.local
        return self.inherited


def listeners_for(config: Mapping[str, Any] | None) -> Listeners:
    """Who hears runs started with `config` here, and what a worker must record for them."""
    local, inherited, parent_run_id, *_ = attach_point(config)
    events = set(local.table) | set(inherited.table)
    if local.chat_start or inherited.chat_start:
        events.add("on_chat_model_start")
    audience = Audience(
        # Also when nobody listens: constructor handlers in the chain still see the right parent,
        # and extensions (OpenTelemetry) still propagate.
        carrier=capture(config),
        events=tuple(sorted(events)),
        wants_tokens=local.wants_tokens or inherited.wants_tokens,
    )
    return Listeners(local, inherited, parent_run_id, audience)


def _llm_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    from runwire.messages import get_buffer_string

    serialized, message_lists = args[0], args[1]
    return (serialized, [get_buffer_string(messages) for messages in message_lists])


def replay(records: Sequence[Record], listeners: Sequence[Listeners]) -> None:
    """Deliver a chunk's records, in order, to the driver's handlers (sync handlers inline,
    async ones on the background loop, as for a local run)."""
    for index, event, args, kw in records:
        dispatch = listeners[index].dispatch_for(event, kw)
        if event == "on_chat_model_start":
            if dispatch.chat_start:
                call_chat_start(dispatch.chat_start, args, partial(_llm_args, args), kw)
            continue
        entries = dispatch.table.get(event)
        if entries:
            call_handlers(entries, event, args, kw)


async def areplay(records: Sequence[Record], listeners: Sequence[Listeners]) -> None:
    """`replay` on the running loop: async handlers are awaited."""
    for index, event, args, kw in records:
        dispatch = listeners[index].dispatch_for(event, kw)
        if event == "on_chat_model_start":
            if dispatch.chat_start:
                await acall_chat_start(dispatch.chat_start, args, partial(_llm_args, args), kw)
            continue
        entries = dispatch.table.get(event)
        if entries:
            await acall_handlers(entries, event, args, kw)
